"""Reading the counts the consumers keep: by month, by series, by day, as a panel, as a CSV.

All reads are plain Redis reads of hashes the consumer's Lua script maintains (see
:mod:`stream.consumer`); nothing here writes counts. Months with no count are zeros, never gaps.
"""

from __future__ import annotations

import csv
import os
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import redis

from core.months import check_month, month_end, month_of, month_range, month_start
from core.text import as_text

from .keys import Keys, split_series_field

if TYPE_CHECKING:  # pandas is imported when a panel is built, not by every consumer process
    import pandas as pd

SeriesKey = tuple[str, str]
CALGARY_HEADER = ("Community", "Category", "Crime Count", "Year", "Month")


class CountStore:
    """Read API over the counts under ``keys`` (works with a decoding or non-decoding client)."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    # --- what exists -------------------------------------------------------------------------
    def months(self) -> list[str]:
        """Sorted months with any count."""
        return [as_text(m) for m in self.client.zrange(self.keys.months, 0, -1)]

    def month_totals(self) -> dict[str, int]:
        """Incidents counted per month (every month with any count)."""
        months = self.months()
        pipe = self.client.pipeline(transaction=False)
        for m in months:
            pipe.hvals(self.keys.month_counts(m))
        return {m: sum(int(v) for v in vals) for m, vals in zip(months, pipe.execute())}

    def first_month(self) -> str | None:
        """Where the series begin: the first closed month, else the first month with a count
        (months before the first closed one hold only stragglers; see ``stream.months``)."""
        first = self.client.zrange(self.keys.closed_months, 0, 0)
        if first:
            return as_text(first[0])
        known = self.client.zrange(self.keys.months, 0, 0)
        return as_text(known[0]) if known else None

    def series(self) -> list[SeriesKey]:
        """Every (community, category) ever counted, sorted."""
        return sorted(
            split_series_field(as_text(f)) for f in self.client.smembers(self.keys.series)
        )

    def communities(self) -> list[str]:
        """Every community ever counted, sorted."""
        return sorted({c for c, _ in self.series()})

    # --- counts ------------------------------------------------------------------------------
    def month_counts(self, month: str) -> dict[SeriesKey, int]:
        """Counts of one month by series (series with no count are absent)."""
        raw = self.client.hgetall(self.keys.month_counts(check_month(month)))
        return {split_series_field(as_text(f)): int(v) for f, v in raw.items() if int(v)}

    def series_counts(
        self, community: str, category: str, start: str | None = None, end: str | None = None
    ) -> dict[str, int]:
        """Counts of one series by month, between ``start`` and ``end`` inclusive when given
        (zero-filled over the whole range when both are given)."""
        raw = {
            as_text(m): int(v)
            for m, v in self.client.hgetall(self.keys.series_counts(community, category)).items()
        }
        if start is not None:
            check_month(start)
        if end is not None:
            check_month(end)
        if start is not None and end is not None:
            return {m: raw.get(m, 0) for m in month_range(start, end)}
        return {
            m: n
            for m, n in sorted(raw.items())
            if n and (start is None or m >= start) and (end is None or m <= end)
        }

    def panel(self, start: str | None = None, end: str | None = None) -> "pd.DataFrame":
        """Wide panel: rows ``(community, category)``, columns months ascending, zeros filled, int64.

        Without bounds it spans :meth:`first_month` (the first closed month, so stragglers dated
        years before the series are not a run of empty months) to the last month with any count.
        """
        import pandas as pd

        known = self.months()
        if start is None and end is None and not known:
            empty = pd.DataFrame(columns=pd.Index([], name="month"), dtype="int64")
            empty.index = pd.MultiIndex.from_tuples([], names=["community", "category"])
            return empty
        if start is None and known:
            start = self.first_month() or known[0]
            if end is not None and start > end:
                start = known[0]
        start = check_month(start) if start is not None else end
        end = check_month(end) if end is not None else (known[-1] if known else start)
        months = month_range(start, end) if start <= end else []
        pipe = self.client.pipeline(transaction=False)
        for m in months:
            pipe.hgetall(self.keys.month_counts(m))
        data: dict[str, dict[SeriesKey, int]] = {}
        for m, raw in zip(months, pipe.execute()):
            data[m] = {split_series_field(as_text(f)): int(v) for f, v in raw.items() if int(v)}
        index = pd.MultiIndex.from_tuples(self.series(), names=["community", "category"])
        frame = pd.DataFrame(0, index=index, columns=pd.Index(months, name="month"), dtype="int64")
        for m, counts in data.items():
            if counts:
                s = pd.Series(counts, dtype="int64")
                s.index = pd.MultiIndex.from_tuples(s.index, names=["community", "category"])
                frame[m] = s.reindex(index, fill_value=0).astype("int64")
        return frame

    def day_counts(self, start_day: date, end_day: date) -> dict[SeriesKey, int]:
        """Counts by series summed over the days ``start_day`` .. ``end_day`` inclusive.

        Aggregated monthly rows (the portal's) are dated on their month's last day, so day views
        of such data are only meaningful for whole months.
        """
        if end_day < start_day:
            return {}
        pipe = self.client.pipeline(transaction=False)
        day = start_day
        while day <= end_day:
            pipe.hgetall(self.keys.day_counts(day.isoformat()))
            day += timedelta(days=1)
        out: dict[SeriesKey, int] = {}
        for raw in pipe.execute():
            for f, v in raw.items():
                key = split_series_field(as_text(f))
                out[key] = out.get(key, 0) + int(v)
        return {k: v for k, v in out.items() if v}

    def total(self, month: str) -> int:
        """All incidents counted in ``month``."""
        return sum(self.month_counts(month).values())

    # --- progress ----------------------------------------------------------------------------
    def watermark(self) -> date | None:
        """Latest incident date counted so far (event time), or None before any count."""
        raw = self.client.get(self.keys.watermark)
        return date.fromisoformat(as_text(raw)) if raw else None

    def last_day(self, through: date) -> date | None:
        """The latest day on or before ``through`` with any count: the watermark as it stood that
        day (records dated later do not move it), or None if nothing is dated that early."""
        for month in reversed([m for m in self.months() if m <= month_of(through)]):
            days = _days(month_start(month), min(month_end(month), through))[::-1]
            pipe = self.client.pipeline(transaction=False)
            for day in days:
                pipe.exists(self.keys.day_counts(day.isoformat()))
            for day, found in zip(days, pipe.execute()):
                if found:
                    return day
        return None

    def resolution(self, through: date | None = None, months: int = 3) -> str | None:
        """``"month"`` when the source publishes whole months, ``"day"`` when it dates incidents.

        Told from the records, not a setting: in each of the newest ``months`` months with records
        dated on or before ``through``, a monthly source dates every record on one day (the
        portal's rows sit on their month's last day); a day-level source spreads them over many.
        None before any count.
        """
        days_used: list[int] = []
        for month in reversed(
            [m for m in self.months() if through is None or m <= month_of(through)]
        ):
            last = month_end(month) if through is None else min(month_end(month), through)
            days = _days(month_start(month), last)
            pipe = self.client.pipeline(transaction=False)
            for day in days:
                pipe.exists(self.keys.day_counts(day.isoformat()))
            used = sum(1 for found in pipe.execute() if found)
            if used:
                days_used.append(used)
            if len(days_used) == months:
                break
        if not days_used:
            return None
        return "month" if max(days_used) == 1 else "day"

    def closed_months(self) -> list[str]:
        """Closed months, oldest first."""
        return [as_text(m) for m in self.client.zrange(self.keys.closed_months, 0, -1)]

    def last_closed_month(self) -> str | None:
        """The latest closed month (the newest month forecasts may rest on), or None."""
        last = self.client.zrange(self.keys.closed_months, -1, -1)
        return as_text(last[0]) if last else None

    def stats(self) -> dict[str, int]:
        """Running totals: ``applied`` (records counted), ``incidents`` (their counts summed),
        ``duplicates`` (re-sent unchanged), ``corrections`` (re-sent changed: replaced), ``dead``,
        ``late`` (records touching an already closed month)."""
        raw = {as_text(k): int(v) for k, v in self.client.hgetall(self.keys.stats).items()}
        for name in ("applied", "incidents", "duplicates", "corrections", "dead", "late"):
            raw.setdefault(name, 0)
        return raw

    def sources(self) -> dict[str, int]:
        """Incidents counted per source (``calgary``, ``synthetic``, ...)."""
        return {as_text(k): int(v) for k, v in self.client.hgetall(self.keys.sources).items()}

    def is_synthetic(self) -> bool:
        """True once any synthetic record has been counted: every view must then say so."""
        return as_text(self.client.hget(self.keys.meta, "synthetic") or "") == "1"

    def backlog(self) -> dict[str, int]:
        """Stream entries not yet counted: ``length`` of the stream, ``pending`` (delivered but
        not acked) and ``lag`` (not yet delivered; Redis 7+, else -1)."""
        out = {"length": int(self.client.xlen(self.keys.stream)), "pending": 0, "lag": -1}
        try:
            for g in self.client.xinfo_groups(self.keys.stream):
                if as_text(g["name"]) == self.keys.consumer_group:
                    out["pending"] = int(g["pending"])
                    if g.get("lag") is not None:
                        out["lag"] = int(g["lag"])
        except redis.ResponseError:  # no stream yet
            pass
        return out

    # --- export ------------------------------------------------------------------------------
    def export_calgary_csv(self, path: str | os.PathLike[str]) -> int:
        """Write ``Community,Category,Crime Count,Year,Month`` rows (zero months absent), sorted by
        community, category, year, month; returns the rows written. Written to a temporary file
        and renamed, so a reader never sees half a file."""
        path = Path(path)
        pipe = self.client.pipeline(transaction=False)
        series = self.series()
        for c, k in series:
            pipe.hgetall(self.keys.series_counts(c, k))
        rows = 0
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CALGARY_HEADER)
            for (c, k), raw in zip(series, pipe.execute()):
                for m, v in sorted((as_text(m), int(v)) for m, v in raw.items()):
                    if v:
                        writer.writerow((c, k, v, int(m[:4]), int(m[5:7])))
                        rows += 1
        os.replace(tmp, path)
        return rows


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
