"""The consumer's fast parse of stream entries into validated record values.

Validated values of the few distinct communities, categories, dates, counts and sources are
cached, so a batch of thousands of entries costs a few dictionary look-ups each; anything unusual
falls back to :meth:`stream.records.Incident.from_fields`, which gives the precise reason.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Mapping

from .categories import CategorySet
from .records import (
    CONTROL_CHARS,
    MAX_TEXT,
    Incident,
    check_category,
    check_community,
    check_source,
    parse_count,
    parse_day,
    parse_geo,
)

__all__ = ["RecordParser", "Wire"]


class _Slow(Exception):
    """Internal: the fast path declines; the full parser decides (and gives the reason)."""


_MISS = object()

# The consumer's form of a record: (id, community, category, day, iso day, month, count, source,
# (lat, lon) or None).
Wire = tuple


class RecordParser:
    """Parse stream entries fast: validated values of the few distinct communities, categories,
    dates, counts and sources are cached; anything unusual falls back to
    :meth:`Incident.from_fields`, which gives the precise reason. Equivalent to ``from_fields``.

    >>> p = RecordParser()
    >>> inc = Incident("x:1", "BELTLINE", "Street Robbery", date(2023, 5, 1), 2, "calgary")
    >>> p.parse({k.encode(): v.encode() for k, v in inc.to_fields().items()}) == inc
    True
    """

    _LIMIT = 50_000  # entries per cache before it is cleared

    def __init__(self, categories: CategorySet | None = None, today: date | None = None):
        self.categories = categories or CategorySet.default()
        self.today = today
        self._day = today or datetime.now(timezone.utc).date()
        self._caches: tuple[dict, ...] = ({}, {}, {}, {}, {})

    def refresh(self) -> None:
        """Forget cached dates when the day changes ("in the future" moves on); once per batch."""
        if self.today is None:
            now = datetime.now(timezone.utc).date()
            if now != self._day:
                self._day = now
                self._caches[2].clear()

    def parse(self, fields: Mapping) -> Incident:
        """An :class:`Incident` from entry fields, or :class:`RecordError` with the reason."""
        self.refresh()
        w = self.wire(fields)
        return Incident(w[0], w[1], w[2], w[3], w[6], w[7], *(w[8] or (None, None)))

    def wire(self, fields: Mapping) -> Wire:
        """``(id, community, category, day, iso, month, count, source, point)``; raises
        RecordError."""
        try:
            return self._fast(fields)
        except Exception:
            inc = Incident.from_fields(fields, categories=self.categories, today=self.today)
            iso = inc.occurred_at.isoformat()
            point = None if inc.lat is None else (inc.lat, inc.lon)
            return (
                inc.id,
                inc.community,
                inc.category,
                inc.occurred_at,
                iso,
                iso[:7],
                inc.count,
                inc.source,
                point,
            )

    def _miss(self, cache: dict, raw, fn):
        value = fn(raw)
        if len(cache) > self._LIMIT:
            cache.clear()
        cache[raw] = value
        return value

    def _fast(self, f: Mapping) -> Wire:
        v = f.get(b"v")
        if v is not None and v != b"1":
            raise _Slow
        ident = f[b"id"].decode()
        if (
            not ident
            or len(ident) > MAX_TEXT
            or ident[0].isspace()
            or ident[-1].isspace()
            or CONTROL_CHARS.search(ident)
        ):
            raise _Slow
        comms, cats, days, counts, sources = self._caches
        raw = f[b"community"]
        comm = comms.get(raw, _MISS)
        if comm is _MISS:
            comm = self._miss(comms, raw, check_community)
        raw = f[b"category"]
        cat = cats.get(raw, _MISS)
        if cat is _MISS:
            cat = self._miss(cats, raw, lambda x: check_category(x, self.categories))
        raw = f[b"occurred_at"]
        day = days.get(raw, _MISS)
        if day is _MISS:
            day = self._miss(days, raw, self._day_entry)
        raw = f.get(b"count")
        count = counts.get(raw, _MISS)
        if count is _MISS:
            count = self._miss(counts, raw, parse_count)
        raw = f.get(b"source") or b""
        src = sources.get(raw, _MISS)
        if src is _MISS:
            src = self._miss(sources, raw, check_source)
        geo = f.get(b"geo")
        return (
            ident,
            comm,
            cat,
            day[0],
            day[1],
            day[2],
            count,
            src,
            None if geo is None else parse_geo(geo),
        )

    def _day_entry(self, raw) -> tuple[date, str, str]:
        day = parse_day(raw, today=self.today)
        iso = day.isoformat()
        return (day, iso, iso[:7])
