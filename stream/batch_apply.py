"""Applying a batch: one Lua script call counts the valid records, dead-letters the rest and acks.

:class:`BatchApplier` turns a consumer's parsed batch into the arguments of
:data:`stream.scripts.APPLY_BATCH`, which lets each incident id contribute once (re-sent changed:
its earlier contribution is replaced), advances the watermark and acks every entry atomically;
:class:`BatchResult` is what a batch did.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date

import redis

from .centres import geo_arg
from .keys import Keys, series_field
from .producer import MAX_DEAD_FIELDS, MAX_DEAD_VALUE
from .records import FIELDS
from .scripts import APPLY_BATCH

__all__ = ["BatchApplier", "BatchResult"]

log = logging.getLogger(__name__)

_KNOWN = frozenset(f.encode() for f in FIELDS) | frozenset(FIELDS)


@dataclass
class BatchResult:
    """What one :meth:`Consumer.process_once` did."""

    read: int = 0  # entries handled (read or reclaimed)
    claimed: int = 0  # of which taken from dead or idle consumers (or its own, after a reconnect)
    applied: int = 0  # records newly counted
    duplicates: int = 0  # records whose id had already counted
    dead: int = 0  # entries sent to the dead-letter stream
    incidents: int = 0  # net change of the incident total (sum of counts)
    late: int = 0  # records counted into an already closed month
    corrections: int = 0  # records re-sent changed: their earlier version was replaced
    failed: int = 0  # entries left pending after an apply error (retried later)
    months: set[str] = field(default_factory=set)  # months of valid records in applied batches
    max_day: date | None = None  # latest occurred_at in the batch

    def __bool__(self) -> bool:
        return self.read > 0


class BatchApplier:
    """Applies parsed batches for the consumer ``name`` through the non-decoding client ``raw``."""

    def __init__(self, raw: redis.Redis, keys: Keys, name: str):
        self.raw = raw
        self.keys = keys
        self.name = name
        self._script = raw.register_script(APPLY_BATCH)
        self._fields: dict[tuple[str, str], str] = {}
        series_key = keys.series_counts("C", "K")
        self._prefixes = (
            keys.month_counts(""),
            keys.day_counts(""),
            series_key[: -len(series_field("C", "K"))],
        )
        self._geo_prefix = keys.geo_bins("")

    def apply(
        self, good: list[tuple], dead: list[tuple[bytes, str, dict]], result: BatchResult
    ) -> None:
        """Count ``good`` (``(entry id, wire record)``), dead-letter ``dead`` (``(entry id,
        reason, fields)``) and ack them all in one script call; adds what happened to ``result``.
        Raises ``redis.ResponseError`` when the script fails (nothing is applied then)."""
        k = self.keys
        recs: list = []
        max_day = result.max_day
        fields = self._fields
        months = set()
        for entry_id, (ident, comm, cat, day, iso, month, count, src, point) in good:
            field = fields.get((comm, cat))
            if field is None:
                if len(fields) > 100_000:
                    fields.clear()
                field = fields[(comm, cat)] = series_field(comm, cat)
            recs += [entry_id, ident, iso, field, count, src, geo_arg(point) if point else ""]
            months.add(month)
            if max_day is None or day > max_day:
                max_day = day
        result.max_day = max_day
        args: list = [
            k.consumer_group,
            self._geo_prefix,
            f"{time.time():.3f}",
            *self._prefixes,
            len(good),
            *recs,
            len(dead),
        ]
        for entry_id, reason, fields_ in dead:
            pairs: list = ["reason", reason, "stage", "consumer", "consumer", self.name]
            items = sorted(
                fields_.items(), key=lambda kv: kv[0] not in _KNOWN
            )  # record's own first
            if len(items) > MAX_DEAD_FIELDS or any(len(v) > MAX_DEAD_VALUE for _, v in items):
                pairs += ["truncated", "1"]
            for f, v in items[:MAX_DEAD_FIELDS]:
                name = f if isinstance(f, bytes) else f.encode()
                pairs += [b"f:" + name[:200], v[:MAX_DEAD_VALUE]]
            args += [entry_id, len(pairs) // 2] + pairs
        keys = [
            k.stream,
            k.stats,
            k.watermark,
            k.months,
            k.series,
            k.closed_months,
            k.dead_letter,
            k.meta,
            k.sources,
            k.incident_ids,
        ]
        applied, dups, ndead, incidents, late, corrections = self._script(
            keys=keys, args=args, client=self.raw
        )
        result.applied += applied
        result.duplicates += dups
        result.dead += ndead
        result.incidents += incidents
        result.late += late
        result.corrections += corrections
        if corrections:
            log.info(
                "consumer %s: %d record(s) re-sent changed: earlier versions replaced",
                self.name,
                corrections,
            )
        if applied or corrections:
            result.months.update(months)
        if ndead:
            log.info(
                "consumer %s: %d record(s) dead-lettered (first: %s)", self.name, ndead, dead[0][1]
            )
