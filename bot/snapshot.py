"""In-memory snapshots of what Redis holds, as numpy arrays, rebuilt only when it changes.

- :class:`ForecastSnapshot`: every served forecast (rows = series, columns = forecast months);
- :class:`HistorySnapshot`: the counts panel (rows = series, columns = months) and progress marks;
- :class:`ArchivedSet`: one archived forecast set (the forecasts made with data through a month).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

import numpy as np

from core.months import months_between
from stream.forecast_cache import CachedForecast
from stream.store import CountStore


@dataclass
class ForecastSnapshot:
    """Every served forecast as arrays (rows = series, columns = forecast months)."""

    version: int
    meta: dict
    series: list[tuple[str, str]]
    months: list[str]
    mean: np.ndarray
    alpha: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    models: list[str]
    by_community: dict[str, np.ndarray]
    community_of: np.ndarray  # row -> community code
    communities: list[str]
    category_of: np.ndarray
    categories: list[str]

    @classmethod
    def build(cls, version: int, meta: dict, entries: Mapping[tuple[str, str], CachedForecast]):
        """Arrays from the cache's entries (any series and months)."""
        series = sorted(entries)
        months = sorted({m for f in entries.values() for m in f.months})
        col = {m: j for j, m in enumerate(months)}
        n, h = len(series), len(months)
        mean = np.full((n, h), np.nan)
        alpha = np.zeros((n, h))
        lo = np.zeros((n, h), dtype=np.int64)
        hi = np.zeros((n, h), dtype=np.int64)
        models = []
        for i, key in enumerate(series):
            f = entries[key]
            for k, m in enumerate(f.months):
                j = col[m]
                mean[i, j] = f.mean[k]
                alpha[i, j] = f.dispersion[k] if k < len(f.dispersion) else 0.0
                lo[i, j] = f.lo80[k] if k < len(f.lo80) else 0
                hi[i, j] = f.hi80[k] if k < len(f.hi80) else 0
            models.append(f.model)
        communities = sorted({c for c, _ in series})
        ccode = {c: i for i, c in enumerate(communities)}
        categories = sorted({c for _, c in series})
        kcode = {c: i for i, c in enumerate(categories)}
        community_of = np.array([ccode[c] for c, _ in series], dtype=np.int64)
        category_of = np.array([kcode[c] for _, c in series], dtype=np.int64)
        by_community: dict[str, list[int]] = {}
        for i, (c, _) in enumerate(series):
            by_community.setdefault(c, []).append(i)
        return cls(version, meta, series, months, mean, alpha, lo, hi, models,
                   {c: np.array(v, dtype=np.int64) for c, v in by_community.items()},
                   community_of, communities, category_of, categories)


@dataclass
class HistorySnapshot:
    """The counts as arrays (rows = series, columns = months), loaded from the store's panel."""

    series: list[tuple[str, str]]
    index: dict[tuple[str, str], int]
    months: list[str]
    values: np.ndarray
    by_community: dict[str, np.ndarray]
    categories: list[str]
    last_closed: str | None
    watermark: date | None
    synthetic: bool
    day_level: bool = False  # the source dates incidents by day (CountStore.resolution)
    category_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    loaded_at: float = field(default_factory=time.monotonic)

    @property
    def col(self) -> dict[str, int]:
        """Month -> column."""
        if not hasattr(self, "_col"):
            self._col = {m: j for j, m in enumerate(self.months)}
        return self._col

    def busiest(self, n: int = 3, months: int = 12) -> tuple[str, ...]:
        """The ``n`` areas with the most incidents over the last ``months`` months, most first."""
        if not self.series or not self.months:
            return ()
        recent = self.values[:, -months:].sum(axis=1)
        totals = {c: int(recent[rows].sum()) for c, rows in self.by_community.items()}
        return tuple(sorted(totals, key=lambda c: (-totals[c], c))[:n])

    def busiest_categories(self, n: int = 3, months: int = 12) -> tuple[str, ...]:
        """The ``n`` categories with the most incidents over the last ``months`` months."""
        if not self.series or not self.months:
            return ()
        recent = self.values[:, -months:].sum(axis=1)
        totals: dict[str, int] = {}
        for (_, cat), v in zip(self.series, recent):
            totals[cat] = totals.get(cat, 0) + int(v)
        return tuple(sorted(totals, key=lambda c: (-totals[c], c))[:n])

    @classmethod
    def load(cls, store: CountStore) -> "HistorySnapshot":
        panel = store.panel()
        series = [tuple(x) for x in panel.index.tolist()]
        by_community: dict[str, list[int]] = {}
        for i, (c, _) in enumerate(series):
            by_community.setdefault(c, []).append(i)
        return cls(series, {s: i for i, s in enumerate(series)}, [str(m) for m in panel.columns],
                   panel.to_numpy(dtype=np.int64) if len(series) else np.zeros((0, 0), np.int64),
                   {c: np.array(v, dtype=np.int64) for c, v in by_community.items()},
                   sorted({c for _, c in series}), store.last_closed_month(), store.watermark(),
                   store.is_synthetic(), store.resolution() == "day", _codes(series))


def _codes(series: list[tuple[str, str]]) -> np.ndarray:
    """Each row's category as its index in the sorted category names."""
    cats = {c: i for i, c in enumerate(sorted({c for _, c in series}))}
    return np.array([cats[c] for _, c in series], dtype=np.int64)


@dataclass
class ArchivedSet:
    """One archived forecast set as arrays: rows = series, columns = the set's forecast months."""

    data_through: str
    series: list[tuple[str, str]]
    index: dict[tuple[str, str], int]
    months: list[str]
    mean: np.ndarray
    alpha: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    by_community: dict[str, np.ndarray]
    category_of: np.ndarray
    categories: list[str]

    @classmethod
    def build(cls, data_through: str, entries: Mapping[tuple[str, str], CachedForecast]):
        snap = ForecastSnapshot.build(0, {}, entries)
        return cls(data_through, snap.series, {s: i for i, s in enumerate(snap.series)},
                   snap.months, snap.mean, snap.alpha, snap.lo, snap.hi, snap.by_community,
                   snap.category_of, snap.categories)

    def step(self, month: str) -> int | None:
        """How many months ahead of its data ``month`` stood in this set (1 = the next month)."""
        if month not in self.months:
            return None
        return months_between(self.data_through, month)
