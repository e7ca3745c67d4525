"""Which counted cells were suppressed at the source (``<5``: 1 to 4 incidents, counted as 1).

A source that publishes small counts as ``<5`` sends each such cell as a record of count
:data:`core.censored.LOW` (so the counts are a lower bound) and records the cell here, by month:
``keys.censored(month)`` maps the cell's record id to its series. A revision that publishes the
cell's number removes it (:meth:`CensoredCells.record`), so a re-sent workbook records each cell
once and a revised month replaces its cells. Readers ask how many cells of a series-month, or of
any total, were suppressed, and :mod:`core.censored` turns that into a range and its words.

Written by the ingest command next to the records it sends (not by the consumer: only sources that
suppress cells have any), read by the model jobs and by anything that shows a count.
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

import redis

from core.censored import bounds, note
from core.months import check_month, month_range, month_score
from core.text import as_text

from .keys import Keys, series_field, split_series_field

SeriesKey = tuple[str, str]


class Cell(NamedTuple):
    """One published cell: its record id, series, month and whether it was suppressed."""

    id: str
    community: str
    category: str
    month: str
    suppressed: bool


class CensoredCells:
    """The suppressed cells under ``keys`` (works with a decoding or non-decoding client)."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def record(self, cells: Iterable[Cell]) -> int:
        """Mark suppressed cells, unmark cells now published as numbers; returns the cells seen.
        Idempotent: recording the same cells again changes nothing."""
        pipe = self.client.pipeline(transaction=False)
        n = 0
        for c in cells:
            n += 1
            if c.suppressed:
                pipe.hset(self.keys.censored(c.month), c.id, series_field(c.community, c.category))
                pipe.zadd(self.keys.censored_months, {c.month: month_score(c.month)})
            else:
                pipe.hdel(self.keys.censored(c.month), c.id)
            if len(pipe) >= 2000:
                pipe.execute()
        pipe.execute()
        return n

    def months(self) -> list[str]:
        """Months that ever had a suppressed cell, sorted."""
        return [as_text(m) for m in self.client.zrange(self.keys.censored_months, 0, -1)]

    def month(self, month: str) -> dict[SeriesKey, int]:
        """Suppressed cells of one month by series (series without any are absent)."""
        out: dict[SeriesKey, int] = {}
        for field in self.client.hvals(self.keys.censored(check_month(month))):
            key = split_series_field(as_text(field))
            out[key] = out.get(key, 0) + 1
        return out

    def series(self, community: str, category: str, start: str, end: str) -> dict[str, int]:
        """Suppressed cells of one series by month, ``start`` .. ``end`` (zeros included)."""
        months = month_range(check_month(start), check_month(end))
        pipe = self.client.pipeline(transaction=False)
        for m in months:
            pipe.hvals(self.keys.censored(m))
        want = series_field(community, category)
        return {
            m: sum(1 for f in vals if as_text(f) == want) for m, vals in zip(months, pipe.execute())
        }

    def cells_in(self, month: str, series: Iterable[SeriesKey]) -> int:
        """Suppressed cells of ``month`` within ``series`` (a total of several series)."""
        per = self.month(month)
        return sum(per.get(s, 0) for s in set(series))

    def describe(self, stored: int, month: str, series: Iterable[SeriesKey]) -> str:
        """The words for a count of ``series`` in ``month`` that holds suppressed cells ("" if none):
        "between 14 and 26: 4 cells suppressed"."""
        return note(stored, self.cells_in(month, series))

    def bounds(self, stored: int, month: str, series: Iterable[SeriesKey]) -> tuple[int, int]:
        """The lowest and highest true count of ``series`` in ``month`` given the ``stored`` one."""
        return bounds(stored, self.cells_in(month, series))


def suppressed_note(
    client: redis.Redis, keys: Keys, series: Iterable[SeriesKey], months: Iterable[str], stored: int
) -> str:
    """The words for a count (``stored``) of ``series`` over ``months`` that holds suppressed
    cells, e.g. "between 14 and 26: 4 cells suppressed"; "" when it holds none (one cheap read
    for a deployment whose source never suppresses)."""
    if not client.exists(keys.censored_months):
        return ""
    want = {series_field(c, k) for c, k in series}
    months = list(months)
    pipe = client.pipeline(transaction=False)
    for m in months:
        pipe.hvals(keys.censored(check_month(m)))
    cells = sum(1 for vals in pipe.execute() for f in vals if as_text(f) in want)
    return note(stored, cells)
