"""Every forecast set the workers served, by the month its data ran through.

The served set (:mod:`stream.forecast_cache`) is replaced at each refresh; the archive keeps a copy
of each one under its ``data_through`` month, bounded to the newest ``keep`` months (three years by
default), so that "how did last month's forecast do?", the alert's "last month against its forecast"
and answers about the past use the forecast made *before* the period, never one made after it.
"""

from __future__ import annotations

from typing import Iterable

import redis

from core.text import as_text

from .connection import rename
from .forecast_cache import CachedForecast, stage_hash
from .keys import Keys, series_field, split_series_field

KEEP_MONTHS = 36


def _score(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


class ForecastArchive:
    """Write and read archived forecast sets.

    ``write`` replaces the set for one ``data_through`` (a re-run of the same month overwrites it)
    and drops sets older than the newest ``keep``.
    """

    def __init__(self, client: redis.Redis, keys: Keys, keep: int = KEEP_MONTHS):
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.client = client
        self.keys = keys
        self.keep = keep

    def write(self, data_through: str, entries: Iterable[CachedForecast]) -> int:
        """Archive the forecasts made with data through ``data_through``; returns their number."""
        k = self.keys
        key = k.forecast_archive(data_through)
        mapping = {series_field(e.community, e.category): e.to_json() for e in entries}
        staging = stage_hash(self.client, key, mapping)
        pipe = self.client.pipeline(transaction=True)
        if mapping:
            rename(pipe, staging, key)
        else:
            pipe.delete(key)
        pipe.zadd(k.forecast_archive_index, {data_through: _score(data_through)})
        pipe.execute()
        self._trim()
        return len(mapping)

    def _trim(self) -> None:
        k = self.keys
        months = self.months()
        old = months[: max(0, len(months) - self.keep)]
        if old:
            pipe = self.client.pipeline(transaction=True)
            for m in old:
                pipe.delete(k.forecast_archive(m))
            pipe.zrem(k.forecast_archive_index, *old)
            pipe.execute()

    def months(self) -> list[str]:
        """Archived ``data_through`` months, oldest first."""
        return [as_text(m) for m in self.client.zrange(self.keys.forecast_archive_index, 0, -1)]

    def read(self, data_through: str) -> dict[tuple[str, str], CachedForecast]:
        """The set made with data through ``data_through`` (empty if none was archived)."""
        raw = self.client.hgetall(self.keys.forecast_archive(data_through))
        return {split_series_field(as_text(f)): CachedForecast.from_json(v) for f, v in raw.items()}

    def made_before(self, month: str) -> str | None:
        """The newest archived ``data_through`` strictly before ``month``: the set whose forecast
        for ``month`` was made before any of its data was known (None if there is none)."""
        found = self.client.zrevrangebyscore(
            self.keys.forecast_archive_index, _score(month) - 1, "-inf", start=0, num=1
        )
        return as_text(found[0]) if found else None

    def forecasts_for(self, month: str) -> dict[tuple[str, str], tuple[CachedForecast, int]]:
        """Each series' forecast *for* ``month`` from the newest set made before it, with the
        step (1 = one month ahead) at which ``month`` stood in that set."""
        through = self.made_before(month)
        if through is None:
            return {}
        out = {}
        for series, f in self.read(through).items():
            if month in f.months:
                out[series] = (f, f.months.index(month) + 1)
        return out
