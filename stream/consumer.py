"""The counting consumer: a member of the stream's consumer group that turns records into counts.

Each batch is read with ``XREADGROUP``, validated in Python (a malformed record is dead-lettered
with its reason and original fields, never counted), then applied by one Lua script that lets each
incident id contribute once (re-sent unchanged: a duplicate; re-sent changed, e.g. a revised count
or a corrected date: its earlier contribution is replaced), advances the watermark and acks
(``XACK``) the batch, all atomically.
Every consumer keeps a heartbeat (:mod:`stream.liveness`): the entries of a consumer whose
heartbeat is gone are taken at once by a live one, which removes the dead consumer from the group
once it owns nothing. Entries idle longer than ``claim_idle_ms`` at a consumer that still looks
alive are reclaimed with ``XAUTOCLAIM``. After a reconnect (or a restart under the same name) a
consumer first re-reads its own pending entries. An entry delivered more than ``max_deliveries``
times goes to the dead-letter stream. Any number of consumers, in one process or on many machines,
share the stream without double counting. A clean stop drops the heartbeat and leaves the group.

Entries are read with a non-decoding connection, so invalid UTF-8 is a dead letter, not a crash.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import redis

from core.text import as_text

from .categories import CategorySet
from .batch_apply import BatchApplier, BatchResult
from .connection import raw_twin
from .keys import Keys
from . import liveness
from .liveness import DeadClaimer, Heartbeat, consumers, default_name
from .producer import ensure_group
from .record_parser import RecordParser
from .records import RecordError
from .trim import trim_acked

log = logging.getLogger(__name__)

_TRANSIENT = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


class Consumer:
    """One consumer of the ``counters`` group on ``keys.stream``.

    Parameters mirror :class:`workers.settings.Settings`: ``batch_size`` entries per batch,
    ``block_ms`` to wait for new entries, ``claim_idle_ms`` before another consumer's pending
    entries are reclaimed, ``max_deliveries`` before an entry is dead-lettered. ``delete_acked``
    trims counted entries from the stream about once a second (``XTRIM MINID`` below the oldest
    entry still pending or undelivered): the counts are the record, and the stream stays small.
    The heartbeat TTL is :func:`stream.liveness.heartbeat_ttl_ms` of ``block_ms`` unless given.
    After a burst :meth:`run`, :attr:`left_pending` names the other live consumers still holding
    entries and :attr:`handed_back` counts entries left here (failed applies, retried elsewhere).
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        name: str | None = None,
        categories: CategorySet | None = None,
        batch_size: int = 500,
        block_ms: int = 1000,
        claim_idle_ms: int = 60_000,
        max_deliveries: int = 5,
        delete_acked: bool = True,
        heartbeat_ttl_ms: int | None = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if claim_idle_ms < 0 or block_ms < 0:
            raise ValueError("claim_idle_ms and block_ms must not be negative")
        if max_deliveries < 1:
            raise ValueError("max_deliveries must be at least 1")
        ttl = liveness.heartbeat_ttl_ms(block_ms) if heartbeat_ttl_ms is None else heartbeat_ttl_ms
        if ttl <= 2 * block_ms:
            raise ValueError(
                "the heartbeat TTL must exceed twice block_ms (a blocked read must "
                "not outlive the heartbeat)"
            )
        self.client = client
        self.keys = keys
        self.name = name or default_name()
        self.categories = categories or CategorySet.default()
        self.batch_size = batch_size
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.max_deliveries = max_deliveries
        self.delete_acked = delete_acked
        self._parser = RecordParser(self.categories)
        self._raw = raw_twin(client)  # non-decoding: invalid UTF-8 is a dead letter
        self._applier = BatchApplier(self._raw, keys, self.name)
        self._group_ready = False
        self._last_claim = 0.0
        self._last_trim = time.monotonic()
        self.trim_interval = 1.0
        self._claim_cursor = "0-0"
        self._errors: dict[bytes, str] = {}  # last apply error per entry, for the dead letter
        self.heartbeat = Heartbeat(self._raw, keys, self.name, ttl)
        self._dead = DeadClaimer(self._raw, keys, self.name)
        self._last_dead_scan = 0.0
        self._history: str | None = "0"  # re-read own pending entries from here (None: done)
        self.left_pending: dict[str, int] = {}  # burst: other live consumers still holding entries
        self.handed_back = 0  # entries left pending here at the clean stop (taken by a live one)

    # --- loop --------------------------------------------------------------------------------
    def run(
        self,
        burst: bool = False,
        stop: threading.Event | None = None,
        on_batch: Callable[[BatchResult], None] | None = None,
    ) -> int:
        """Consume until ``stop`` is set (or, with ``burst``, until the stream is drained).

        A burst run ends when nothing is unread and nothing is pending at a dead consumer; while
        other consumers that look alive still hold entries it waits (at most one heartbeat TTL,
        so that a consumer killed just now is seen dead and its entries taken), then names those
        left in :attr:`left_pending`. Redis outages are waited out with capped exponential
        back-off; bad records never stop the loop. ``on_batch`` is called after every non-empty
        batch. On return the heartbeat is dropped and the consumer leaves the group if it owns
        nothing. Returns the entries handled.
        """
        handled = 0
        backoff = 0.1
        wait = stop.wait if stop is not None else time.sleep
        settle_until: float | None = None
        self.left_pending = {}
        try:
            while stop is None or not stop.is_set():
                try:
                    result = self.process_once(block=not burst)
                    held = self.held_by_live() if burst and not result else {}
                    backoff = 0.1
                except _TRANSIENT as exc:
                    log.warning(
                        "consumer %s: Redis unavailable (%s); retrying in %.1fs",
                        self.name,
                        exc.__class__.__name__,
                        backoff,
                    )
                    self._group_ready = False
                    self._history = "0"  # a read whose reply was lost left entries pending here
                    wait(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                except redis.ResponseError as exc:  # e.g. OOM, a script error: log, wait, go on
                    log.error("consumer %s: Redis error: %s", self.name, exc)
                    self._group_ready = False
                    wait(backoff)
                    backoff = min(backoff * 2, 2.0)
                    continue
                handled += result.read
                if result and on_batch is not None:
                    try:
                        on_batch(result)
                    except Exception:  # the hook's failure must not stop the counting
                        log.exception(
                            "consumer %s: on_batch hook failed; counting goes on", self.name
                        )
                elif not result and not burst and self.block_ms == 0:
                    wait(0.05)  # nothing waiting and no blocking read: do not spin
                if self.delete_acked and time.monotonic() - self._last_trim > self.trim_interval:
                    self._trim_quietly()
                if not burst:
                    continue
                if result:
                    settle_until = None
                    continue
                others = {n: p for n, p in held.items() if n != self.name}
                if others:
                    now = time.monotonic()
                    settle_until = settle_until or now + self.heartbeat.ttl_ms / 1000 + 1.0
                    if now < settle_until:
                        wait(0.1)
                        continue
                self.left_pending = others
                if others:
                    log.warning(
                        "consumer %s: drained; entries still held by live consumers: %s",
                        self.name,
                        ", ".join(f"{n} ({p})" for n, p in others.items()),
                    )
                break
        finally:
            if self.delete_acked:
                self._trim_quietly()
            self.release()
        return handled

    def held_by_live(self) -> dict[str, int]:
        """``{consumer: pending}`` for every consumer that is alive and holds entries."""
        return {
            c.name: c.pending
            for c in consumers(self._raw, self.keys)
            if c.pending and (c.alive or c.name == self.name)
        }

    def release(self) -> None:
        """Stop cleanly: drop the heartbeat and leave the group if nothing is pending here (what
        is, a live consumer takes at once). Safe to call twice; a Redis outage is only logged."""
        try:
            left = self.heartbeat.release()
        except redis.RedisError as exc:
            log.warning(
                "consumer %s: could not drop its heartbeat (%s); it lapses in %.0fs",
                self.name,
                exc,
                self.heartbeat.ttl_ms / 1000,
            )
            return
        self.handed_back = left
        if left:
            log.warning(
                "consumer %s: stopped with %d entries pending; a live consumer takes them",
                self.name,
                left,
            )

    def process_once(self, block: bool = True) -> BatchResult:
        """Take one batch and apply it: its own pending entries first (after a reconnect), then a
        dead consumer's, entries idle too long elsewhere, then new ones. An empty result means
        nothing was waiting."""
        if not self._group_ready:
            ensure_group(self._raw, self.keys)
            self._group_ready = True
        self.heartbeat.beat()
        entries = self._own_history()
        if not entries:
            entries = self._claim_dead()
        claimed = len(entries)
        if not entries:
            entries, claimed = self._claim()
        if not entries:
            entries = self._read(block)
            if not entries:
                entries = self._claim_dead(force=True)
                claimed = len(entries)
            if not entries:
                entries, claimed = self._claim(force=True)
        result = BatchResult(read=len(entries), claimed=claimed)
        if entries:
            self._handle(entries, result, delivered=claimed > 0)
        return result

    def close(self) -> None:
        """Leave cleanly if :meth:`run` has not already, then close the connections."""
        if self.heartbeat.beating:
            self.release()
        self._raw.close()

    def trim(self) -> int:
        """Drop entries every consumer is done with (:func:`stream.trim.trim_acked`); returns
        how many went."""
        return trim_acked(self._raw, self.keys)

    def _trim_quietly(self) -> None:
        self._last_trim = time.monotonic()
        try:
            self.trim()
        except redis.RedisError as exc:  # trimming is housekeeping: never stop counting for it
            log.debug("consumer %s: trim skipped (%s)", self.name, exc)

    # --- reading -----------------------------------------------------------------------------
    def _read(self, block: bool) -> list:
        try:
            resp = self._raw.xreadgroup(
                self.keys.consumer_group,
                self.name,
                {self.keys.stream: ">"},
                count=self.batch_size,
                block=(self.block_ms or None) if block else None,
            )
        except redis.ResponseError as exc:
            if "NOGROUP" in str(
                exc
            ):  # stream or group vanished (e.g. a server without persistence)
                self._group_ready = False
                return []
            raise
        if not resp:
            return []
        return list(resp[0][1])

    def _own_history(self) -> list:
        """This consumer's own pending entries, a batch at a time, after a (re)start or reconnect
        (a read whose reply was lost leaves entries pending here that nobody else would take)."""
        if self._history is None:
            return []
        resp = self._raw.xreadgroup(
            self.keys.consumer_group,
            self.name,
            {self.keys.stream: self._history},
            count=self.batch_size,
        )
        entries = list(resp[0][1]) if resp else []
        if not entries:
            self._history = None
            return []
        self._history = as_text(entries[-1][0])
        gone = [e[0] for e in entries if not e[1]]  # deleted from the stream: nothing to count
        if gone:
            self._raw.xack(self.keys.stream, self.keys.consumer_group, *gone)
        return [e for e in entries if e[1]]

    def _claim_dead(self, force: bool = False) -> list:
        """Entries of consumers whose heartbeat is gone, now ours (looked for about every
        second, and whenever nothing else is waiting)."""
        now = time.monotonic()
        if not force and now - self._last_dead_scan < min(1.0, self.heartbeat.interval):
            return []
        self._last_dead_scan = now
        entries = self._dead.claim(self.batch_size)
        if entries:
            log.info("consumer %s: took %d entries from dead consumers", self.name, len(entries))
        return entries

    def _claim(self, force: bool = False) -> tuple[list, int]:
        """Entries idle longer than ``claim_idle_ms`` in any consumer, now ours (with dead ones)."""
        now = time.monotonic()
        interval = max(self.claim_idle_ms / 4000.0, 0.05)
        if not force and now - self._last_claim < interval:
            return [], 0
        self._last_claim = now
        resp = self._raw.xautoclaim(
            self.keys.stream,
            self.keys.consumer_group,
            self.name,
            min_idle_time=self.claim_idle_ms,
            start_id=self._claim_cursor,
            count=self.batch_size,
        )
        cursor = resp[0]
        self._claim_cursor = as_text(cursor)
        entries = [e for e in resp[1] if e is not None and e[0] is not None]
        gone = [e[0] for e in entries if e[1] is None]
        entries = [e for e in entries if e[1] is not None]
        if gone:  # pending entries whose data was deleted: nothing left to count
            self._raw.xack(self.keys.stream, self.keys.consumer_group, *gone)
        return entries, len(entries)

    def _deliveries(self, entries: list) -> dict[bytes, int]:
        """Delivery counts of ``entries`` (all in this consumer's pending list, which stays small)."""
        wanted = {e[0] for e in entries}
        rows = self._raw.xpending_range(
            self.keys.stream,
            self.keys.consumer_group,
            min="-",
            max="+",
            count=len(wanted) + 1000,
            consumername=self.name,
        )
        return {
            row["message_id"]: int(row["times_delivered"])
            for row in rows
            if row["message_id"] in wanted
        }

    # --- applying ----------------------------------------------------------------------------
    def _handle(self, entries: list, result: BatchResult, delivered: bool) -> None:
        good: list[tuple] = []  # (entry id, wire record)
        dead: list[tuple[bytes, str, dict]] = []
        counts = self._deliveries(entries) if delivered else {}
        parse = self._parser.wire
        self._parser.refresh()
        for entry_id, fields in entries:
            if counts:
                n = counts.get(entry_id, 1)
                if n > self.max_deliveries:
                    last = self._errors.pop(entry_id, "")
                    reason = f"delivered {n} times without being applied" + (
                        f": {last}" if last else ""
                    )
                    dead.append((entry_id, reason, fields))
                    continue
            try:
                good.append((entry_id, parse(fields)))
            except RecordError as exc:
                dead.append((entry_id, exc.reason, fields))
        try:
            self._apply(good, dead, result)
        except redis.ResponseError as exc:
            if len(entries) == 1:
                result.failed += 1
                self._errors[entries[0][0]] = str(exc)[:200]
                log.error(
                    "consumer %s: entry %r not applied (%s); it will be retried",
                    self.name,
                    entries[0][0],
                    exc,
                )
                return
            log.warning(
                "consumer %s: batch apply failed (%s); applying entries one by one", self.name, exc
            )
            for entry in entries:
                self._handle([entry], result, delivered)
            return
        for entry_id, _, _ in dead:
            self._errors.pop(entry_id, None)

    def _apply(
        self, good: list[tuple], dead: list[tuple[bytes, str, dict]], result: BatchResult
    ) -> None:
        """Apply one parsed batch (:meth:`stream.batch_apply.BatchApplier.apply`); the seam where
        the fault tests stop a consumer mid-batch."""
        self._applier.apply(good, dead, result)
