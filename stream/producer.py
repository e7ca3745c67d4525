"""Putting records on the incident stream (pipelined ``XADD``).

A producer only appends: counting happens in the consumers, which make re-sent records harmless (an
id counts once). Rows a source could not turn into an :class:`~stream.records.Incident` arrive here
as :class:`Rejected` and go straight to the dead-letter stream with their reason and original
fields, so that nothing read is lost silently.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

import redis

from .keys import Keys
from .records import Incident


@dataclass(frozen=True)
class Rejected:
    """A row a source could not turn into a record: where it came from, why, and what it held."""

    reason: str
    fields: Mapping[str, str | bytes] = field(default_factory=dict)
    origin: str = ""  # "file.csv:17" or a URL and offset

    def to_fields(self, stage: str = "producer") -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = {"reason": self.reason, "stage": stage, "origin": self.origin,
                                       "at": f"{time.time():.3f}"}
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
    """Append records to ``keys.stream`` in pipelined chunks.

    ``send`` returns the number of incidents records sent; rejected rows are dead-lettered and
    counted in :attr:`rejected`. ``progress(n)`` is called after each chunk with the rows handled.
    """

    def __init__(self, client: redis.Redis, keys: Keys, *, chunk_size: int = 2000,
                 progress: Callable[[int], None] | None = None):
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.client = client
        self.keys = keys
        self.chunk_size = chunk_size
        self.progress = progress
        self.sent = 0
        self.rejected = 0
        self._group_checked = False

    def send(self, records: Iterable[Incident | Rejected]) -> int:
        """XADD every record (dead-letter every :class:`Rejected`); returns incidents records sent."""
        if not self._group_checked:
            ensure_group(self.client, self.keys)
            self._group_checked = True
        sent = 0
        pipe = self.client.pipeline(transaction=False)
        pending = 0
        stream, dead = self.keys.stream, self.keys.dead_letter
        for rec in records:
            if isinstance(rec, Incident):
                pipe.xadd(stream, rec.to_fields())
                sent += 1
            elif isinstance(rec, Rejected):
                pipe.xadd(dead, rec.to_fields())
                pipe.hincrby(self.keys.stats, "dead", 1)
                self.rejected += 1
            else:
                raise TypeError(f"cannot send {type(rec).__name__}: expected Incident or Rejected")
            pending += 1
            if pending >= self.chunk_size:
                pipe.execute()
                if self.progress:
                    self.progress(pending)
                pending = 0
        if pending:
            pipe.execute()
            if self.progress:
                self.progress(pending)
        self.sent += sent
        return sent
