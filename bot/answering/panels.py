"""Per-series numpy panels filled lazily from Redis: only the rows a question needs are read.

- :class:`CountPanel`: reported counts, rows = series of the catalog, columns = months;
- :class:`ForecastPanel`: one forecast set (the served one or an archived one), rows = the same
  series, columns = the set's forecast months; a series without a forecast is NaN.

Rows are read on first use (one pipelined round trip for the missing rows; a panel asked for most
of its rows reads whole months or the whole hash instead) and kept: the panel belongs to one frozen
:class:`~bot.answering.state.DataState`, which is replaced, not updated, when the data change.
A question about one area therefore costs the same whatever the number of series; a city-wide
ranking reads what it ranks.
"""

from __future__ import annotations

import json
import threading
from typing import Sequence

import numpy as np

from stream.keys import Keys, series_field, split_series_field

#: Read whole months / the whole hash once more than this share of the rows is missing.
BULK_SHARE = 0.3


def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else v


class Catalog:
    """The series (community, category) in a fixed order with lookups by community and category.

    >>> c = Catalog([("B", "x"), ("A", "y"), ("A", "x")])
    >>> c.series, c.rows_of(["A"]).tolist(), c.rows_of(["A"], ["x"]).tolist()
    ([('A', 'x'), ('A', 'y'), ('B', 'x')], [0, 1], [0])
    """

    def __init__(self, series: Sequence[tuple[str, str]]):
        self.series: list[tuple[str, str]] = sorted(set(series))
        self.index = {s: i for i, s in enumerate(self.series)}
        self.categories = sorted({k for _, k in self.series})
        self.communities = sorted({c for c, _ in self.series})
        kcode = {k: i for i, k in enumerate(self.categories)}
        self.category_of = np.array([kcode[k] for _, k in self.series], dtype=np.int64)
        ccode = {c: i for i, c in enumerate(self.communities)}
        self.community_of = np.array([ccode[c] for c, _ in self.series], dtype=np.int64)
        by: dict[str, list[int]] = {}
        for i, (c, _) in enumerate(self.series):
            by.setdefault(c, []).append(i)
        self.by_community = {c: np.array(v, dtype=np.int64) for c, v in by.items()}
        self._masks: dict[frozenset[str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.series)

    def rows_of(
        self, communities: Sequence[str] | None, categories: Sequence[str] = ()
    ) -> np.ndarray:
        """Rows (ascending) of the communities (every one when None) and categories (any if empty)."""
        if communities is None:
            rows = np.arange(len(self.series), dtype=np.int64)
        elif len(communities) == 1:
            rows = self.by_community.get(communities[0], np.zeros(0, dtype=np.int64))
        else:
            parts = [self.by_community[c] for c in communities if c in self.by_community]
            rows = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        if categories and len(rows):
            rows = rows[self._category_mask(frozenset(categories))[rows]]
        return rows

    def _category_mask(self, categories: frozenset[str]) -> np.ndarray:
        """Which rows are of one of ``categories`` (kept per set asked)."""
        if categories not in self._masks:
            wanted = np.array([k in categories for k in self.categories], dtype=bool)
            self._masks[categories] = (
                wanted[self.category_of] if len(self.category_of) else np.zeros(0, dtype=bool)
            )
        return self._masks[categories]


class CountPanel:
    """Reported counts per series and month, read from the store's hashes row by row on demand."""

    def __init__(self, client, keys: Keys, catalog: Catalog, months: list[str]):
        self.client, self.keys, self.catalog, self.months = client, keys, catalog, months
        self.col = {m: j for j, m in enumerate(months)}
        self._values = np.zeros((len(catalog), len(months)), dtype=np.int64)
        self._loaded = np.zeros(len(catalog), dtype=bool)
        self._lock = threading.Lock()
        self.reads = 0  # round trips made (for tests and the benchmark)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows' counts (rows x months), reading the missing ones first."""
        rows = np.asarray(rows, dtype=np.int64)
        self.ensure(rows)
        return self._values[rows]

    @property
    def values(self) -> np.ndarray:
        """Every row (reads whatever is missing: a city-wide question reads the whole panel)."""
        self.ensure(None)
        return self._values

    def ensure(self, rows: np.ndarray | None) -> None:
        with self._lock:
            missing = np.flatnonzero(~self._loaded) if rows is None else rows[~self._loaded[rows]]
            if not len(missing) or not len(self.months):
                return
            if len(missing) > BULK_SHARE * len(self.catalog) and len(missing) > len(self.months):
                self._read_months()
            else:
                self._read_rows(missing)

    def _read_rows(self, rows: np.ndarray) -> None:
        pipe = self.client.pipeline(transaction=False)
        for i in rows:
            pipe.hgetall(self.keys.series_counts(*self.catalog.series[i]))
        for i, raw in zip(rows, pipe.execute()):
            for m, v in raw.items():
                j = self.col.get(_s(m))
                if j is not None:
                    self._values[i, j] = int(v)
        self._loaded[rows] = True
        self.reads += 1

    def _read_months(self) -> None:
        pipe = self.client.pipeline(transaction=False)
        for m in self.months:
            pipe.hgetall(self.keys.month_counts(m))
        index = self.catalog.index
        for j, raw in enumerate(pipe.execute()):
            for f, v in raw.items():
                i = index.get(split_series_field(_s(f)))
                if i is not None and not self._loaded[i]:
                    self._values[i, j] = int(v)
        self._loaded[:] = True
        self.reads += 1


class ForecastPanel:
    """One forecast set (a hash of series -> JSON :class:`~stream.forecast_cache.CachedForecast`)
    as arrays over the catalog's rows, read on demand; ``months`` are the set's forecast months."""

    def __init__(self, client, key: str, catalog: Catalog, months: list[str]):
        self.client, self.key, self.catalog = client, key, catalog
        self.months = list(months)
        self.col = {m: j for j, m in enumerate(self.months)}
        n, h = len(catalog), len(self.months)
        self.mean = np.full((n, h), np.nan)
        self.alpha = np.zeros((n, h))
        self.lo = np.zeros((n, h), dtype=np.int64)
        self.hi = np.zeros((n, h), dtype=np.int64)
        self.model = [""] * n
        self._loaded = np.zeros(n, dtype=bool)
        self._lock = threading.Lock()
        self.reads = 0

    def ensure(self, rows: np.ndarray | None) -> None:
        """Read the rows' forecasts (every row when None) unless already read."""
        with self._lock:
            rows = (
                np.flatnonzero(~self._loaded)
                if rows is None
                else np.asarray(rows, dtype=np.int64)[
                    ~self._loaded[np.asarray(rows, dtype=np.int64)]
                ]
            )
            if not len(rows):
                return
            if len(rows) > BULK_SHARE * len(self.catalog):
                raw = {
                    split_series_field(_s(f)): v for f, v in self.client.hgetall(self.key).items()
                }
                items = [(self.catalog.index.get(s), v) for s, v in raw.items()]
                self._loaded[:] = True
            else:
                fields = [series_field(*self.catalog.series[i]) for i in rows]
                items = list(zip(rows.tolist(), self.client.hmget(self.key, fields)))
                self._loaded[rows] = True
            self.reads += 1
            for i, v in items:
                if i is None or v is None:
                    continue
                d = json.loads(v)
                self.model[i] = d.get("model", "")
                disp, lo, hi = d.get("dispersion") or [], d.get("lo80") or [], d.get("hi80") or []
                for k, m in enumerate(d["months"]):
                    j = self.col.get(m)
                    if j is None:
                        continue
                    self.mean[i, j] = d["mean"][k]
                    self.alpha[i, j] = disp[k] if k < len(disp) else 0.0
                    self.lo[i, j] = lo[k] if k < len(lo) else 0
                    self.hi[i, j] = hi[k] if k < len(hi) else 0

    def take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """mean, alpha, lo, hi of the rows (rows x months)."""
        rows = np.asarray(rows, dtype=np.int64)
        self.ensure(rows)
        return self.mean[rows], self.alpha[rows], self.lo[rows], self.hi[rows]

    def all(self) -> "ForecastPanel":
        """This panel with every row read (city-wide questions)."""
        self.ensure(None)
        return self

    def has(self, rows: np.ndarray) -> np.ndarray:
        """The rows that have a forecast (read first)."""
        rows = np.asarray(rows, dtype=np.int64)
        self.ensure(rows)
        return rows[np.isfinite(self.mean[rows]).any(axis=1)] if self.months else rows[:0]


def forecast_months(client, key: str) -> list[str]:
    """A set's forecast months, read from one of its entries (every series shares a horizon)."""
    cursor = 0
    while True:
        cursor, fields = client.hscan(key, cursor, count=10)
        if fields:
            return list(json.loads(next(iter(fields.values())))["months"])
        if not cursor:
            return []
