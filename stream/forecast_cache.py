"""The forecasts the bot serves, kept in Redis by the workers.

One hash maps each series to a JSON forecast; a meta hash says which model made them and which
month of data they rest on. A refresh swaps the whole set in one transaction and keeps the set it
replaced, so that "change against last forecast" can be answered.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import redis

from core.text import as_text

from .connection import rename
from .keys import Keys, series_field, split_series_field


@dataclass(frozen=True)
class CachedForecast:
    """Forecast of one series for the months after ``data_through`` (horizon 1..H).

    ``dispersion`` is the negative-binomial alpha per step (variance = mean + alpha * mean**2), so
    any probability (P(count >= k)) can be recomputed; ``lo80``/``hi80`` bound the 80% interval.

    >>> f = CachedForecast("BELTLINE", "Street Robbery", ["2024-01"], [3.2], [0.1], [1], [6],
    ...                    "ensemble@3", "2023-12")
    >>> CachedForecast.from_json(f.to_json()) == f
    True
    """

    community: str
    category: str
    months: list[str]
    mean: list[float]
    dispersion: list[float]
    lo80: list[int]
    hi80: list[int]
    model: str
    data_through: str
    extra: dict = field(default_factory=dict)

    @property
    def series(self) -> tuple[str, str]:
        return (self.community, self.category)

    def to_json(self) -> str:
        # the fields in order, as asdict gives them, without its deep copy (a third of the time
        # of staging a big city's forecasts went to it)
        return json.dumps(self.__dict__, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "CachedForecast":
        return cls(**json.loads(text))


def stage_hash(client: redis.Redis, key: str, mapping: Mapping[str, str]) -> str:
    """Build ``mapping`` as a hash beside ``key`` (its staging key, same hash slot), in chunks, for
    a RENAME to swap in at once; returns the staging key."""
    staging = Keys.staging(key)
    pipe = client.pipeline(transaction=True)
    pipe.delete(staging)
    items = list(mapping.items())
    for start in range(0, len(items), 1000):
        pipe.hset(staging, mapping=dict(items[start : start + 1000]))
    pipe.execute()
    return staging


class ForecastCache:
    """Read and atomically replace the served forecasts."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def write(self, entries: Iterable[CachedForecast], meta: Mapping[str, object]) -> int:
        """Replace every forecast at once (readers see the old set or the new, never a mix).

        The set being replaced moves to ``forecasts_previous``. ``meta`` values that are not
        strings are stored as JSON. Returns the number of series written.
        """
        mapping = {series_field(e.community, e.category): e.to_json() for e in entries}
        meta_map = {k: v if isinstance(v, str) else json.dumps(v) for k, v in meta.items()}
        meta_map.setdefault("updated_at", str(time.time()))
        k = self.keys
        staging = stage_hash(self.client, k.forecasts, mapping)
        pipe = self.client.pipeline(transaction=True)
        if self.client.exists(k.forecasts):
            rename(pipe, k.forecasts, k.forecasts_previous)
        if mapping:
            rename(pipe, staging, k.forecasts)
        pipe.hincrby(k.forecasts_meta, "version", 1)
        pipe.hset(k.forecasts_meta, mapping=meta_map)
        pipe.execute()
        return len(mapping)

    def _read_hash(self, key: str) -> dict[tuple[str, str], CachedForecast]:
        raw = self.client.hgetall(key)
        return {split_series_field(as_text(f)): CachedForecast.from_json(v) for f, v in raw.items()}

    def read_all(self) -> dict[tuple[str, str], CachedForecast]:
        """Every served forecast, by series."""
        return self._read_hash(self.keys.forecasts)

    def previous_all(self) -> dict[tuple[str, str], CachedForecast]:
        """The set served before the latest refresh (empty before the second refresh)."""
        return self._read_hash(self.keys.forecasts_previous)

    def read(self, community: str, category: str) -> CachedForecast | None:
        raw = self.client.hget(self.keys.forecasts, series_field(community, category))
        return None if raw is None else CachedForecast.from_json(raw)

    def meta(self) -> dict[str, str]:
        """``version``, ``data_through``, ``model``, ``updated_at`` and any figures the writer set."""
        return {
            as_text(k): as_text(v) for k, v in self.client.hgetall(self.keys.forecasts_meta).items()
        }

    def version(self) -> int:
        """Bumped at every refresh: readers may cache :meth:`read_all` until it changes."""
        v = self.client.hget(self.keys.forecasts_meta, "version")
        return int(v) if v is not None else 0
