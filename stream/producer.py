"""Putting records on the incident stream (``XADD``, a chunk at a time).

A producer only appends: counting happens in the consumers, which make re-sent records harmless (an
id counts once). Rows a source could not turn into an :class:`~stream.records.Incident` arrive here
as :class:`Rejected` and go straight to the dead-letter stream with their reason and original
fields, so that nothing read is lost silently.

A chunk the server did not confirm (the connection dropped, the server restarted or is still loading
its append-only file) is sent again, with back-off, for up to ``retry_for_s`` seconds: a chunk is
one atomic step, so it either landed whole or not at all, and if it landed the consumers count the
repeat as duplicates. Re-sent records are tallied in :attr:`Producer.resent` and the ``resent``
field of ``keys.stats``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import redis

from .keys import Keys
from .records import FIELDS, GEO, SCHEMA_VERSION, Incident
from .scripts import XADD_MANY

log = logging.getLogger(__name__)

_VERSION = str(SCHEMA_VERSION)
_TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
DEAD_LETTER_MAXLEN = 100_000  # the dead-letter stream keeps about this many of the newest entries
MAX_DEAD_FIELDS = 64  # original fields kept per dead letter (a record with thousands is cut)
MAX_DEAD_VALUE = 16_384  # bytes kept per original value


@dataclass(frozen=True)
class Rejected:
    """A row a source could not turn into a record: where it came from, why, and what it held."""

    reason: str
    fields: Mapping[str, str | bytes] = field(default_factory=dict)
    origin: str = ""  # "file.csv:17" or a URL and offset

    def to_fields(self, stage: str = "producer") -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {
            "reason": self.reason,
            "stage": stage,
            "origin": self.origin,
            "at": f"{time.time():.3f}",
        }
        for k, v in self.fields.items():
            out[f"f:{k}"] = "" if v is None else v
        return out


def ensure_group(client: redis.Redis, keys: Keys) -> bool:
    """Create the consumer group (and the stream) if missing; True when created.

    The group starts at id 0, so entries added before any consumer ran are still read.
    """
    try:
        client.xgroup_create(keys.stream, keys.consumer_group, id="0", mkstream=True)
        return True
    except redis.ResponseError as exc:
        if "BUSYGROUP" in str(exc):
            return False
        raise


class Producer:
    """Append records to ``keys.stream`` in chunks (one server-side step per chunk).

    ``send`` returns the number of incident records sent; rejected rows are dead-lettered and
    counted in :attr:`rejected`. ``progress(n)`` is called after each chunk with the rows handled.
    A chunk is appended whole or not at all, so an interrupted send leaves no half chunk; re-sending
    is always safe (consumers count an id once). A chunk not confirmed is re-sent for up to
    ``retry_for_s`` seconds (0: raise at once); then the connection error is raised.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        chunk_size: int = 2000,
        progress: Callable[[int], None] | None = None,
        retry_for_s: float = 60.0,
    ):
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        if retry_for_s < 0:
            raise ValueError("retry_for_s must not be negative")
        self.retry_for_s = retry_for_s
        self.resent = 0  # records sent again because their first send was not confirmed
        self.client = client
        self.keys = keys
        self.chunk_size = chunk_size
        self.progress = progress
        self.sent = 0
        self.rejected = 0
        self._group_checked = False
        self._xadd_many = client.register_script(XADD_MANY)

    def send(self, records: Iterable[Incident | Rejected]) -> int:
        """Append every :class:`Incident`, dead-letter every :class:`Rejected`; returns the
        incident records sent."""
        if not self._group_checked:
            ensure_group(self.client, self.keys)
            self._group_checked = True
        sent = 0
        values: list = []
        geos: list[str] = []  # each record's geo field ("" when unplaced), parallel to values
        placed = False
        rejected: list[Rejected] = []
        pending = 0
        for rec in records:
            if type(rec) is Incident or isinstance(rec, Incident):
                values += (
                    _VERSION,
                    rec.id,
                    rec.community,
                    rec.category,
                    rec.occurred_at.isoformat(),
                    str(rec.count),
                    rec.source,
                )
                geo = rec.geo
                geos.append(geo or "")
                placed = placed or geo is not None
                sent += 1
            elif isinstance(rec, Rejected):
                rejected.append(rec)
            else:
                raise TypeError(f"cannot send {type(rec).__name__}: expected Incident or Rejected")
            pending += 1
            if pending >= self.chunk_size:
                self._flush(
                    _with_geo(values, geos) if placed else values, rejected, pending, placed
                )
                values, geos, placed, rejected, pending = [], [], False, [], 0
        if pending:
            self._flush(_with_geo(values, geos) if placed else values, rejected, pending, placed)
        self.sent += sent
        return sent

    def _flush(
        self, values: list, rejected: list[Rejected], rows: int, placed: bool = False
    ) -> None:
        backoff, deadline, tries = 0.1, None, 0
        while True:
            try:
                self._append(values, rejected, placed)
                break
            except _TRANSIENT as exc:
                now = time.monotonic()
                deadline = now + self.retry_for_s if deadline is None else deadline
                if now >= deadline:
                    raise
                tries += 1
                log.warning(
                    "producer: chunk of %d rows not confirmed (%s); sending it again in %.1fs",
                    rows,
                    exc.__class__.__name__,
                    backoff,
                )
                time.sleep(min(backoff, deadline - now))
                backoff = min(backoff * 2, 2.0)
        if tries:
            n = len(values) // (len(FIELDS) + placed)
            self.resent += n
            try:
                self.client.hincrby(self.keys.stats, "resent", n)
            except redis.RedisError:  # the tally is for operators; the records are in
                pass
        if self.progress:
            self.progress(rows)

    def _append(self, values: list, rejected: list[Rejected], placed: bool = False) -> None:
        if rejected:
            pipe = self.client.pipeline(transaction=True)
            for rej in rejected:
                pipe.xadd(
                    self.keys.dead_letter,
                    rej.to_fields(),
                    maxlen=DEAD_LETTER_MAXLEN,
                    approximate=True,
                )
            pipe.hincrby(self.keys.stats, "dead", len(rejected))
            pipe.execute()
            self.rejected += len(rejected)
            rejected.clear()  # in: a retry of this chunk sends only its records
        if values:
            names = (*FIELDS, GEO) if placed else FIELDS
            self._xadd_many(keys=[self.keys.stream], args=[len(names), *names, *values])


def _with_geo(values: list, geos: list[str]) -> list:
    """The chunk's values with each record's ``geo`` field after its own (a chunk holding any
    placed record carries the field on every record, empty for the unplaced: one width per chunk).

    >>> _with_geo(list("abcdefg") * 2, ["1,2", ""])[6:9]
    ['g', '1,2', 'a']
    """
    width = len(FIELDS)
    out: list = []
    for i, geo in enumerate(geos):
        out += values[i * width : (i + 1) * width]
        out.append(geo)
    return out
