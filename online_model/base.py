"""What every panel forecaster shares: the series index, the count history, learned dispersion.

A forecaster steps one month at a time over a multivariate series (every (community, category)
at once). Subclasses implement three hooks: ``_grow(n_new)`` when series appear, ``_update(y)``
after a month's counts are appended to ``history_``, and ``_mean(horizon)`` returning the forecast
means ``(n_series, horizon)``. The base keeps the forecasts it made and, as each month closes,
scores them to learn a negative-binomial dispersion per category and horizon
(:class:`DispersionTracker`), so every model gives a full count distribution, not only a mean.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from core.months import add_months, check_month, month_index, month_range
from core.negbin import NegBin

SeriesKey = tuple[str, str]
FRAME_COLUMNS = ["community", "category", "h", "month", "mean", "dispersion"]
#: dispersions tried: down to 0.001 because series of hundreds a month are nearly Poisson-like
_GRID = np.concatenate([[0.0], np.geomspace(0.001, 2.5, 35)])
#: forecast-mean edges of the level buckets that get their own dispersion within a category
LEVEL_EDGES = np.array([0.5, 2.0, 8.0, 30.0, 100.0])
_NB = len(LEVEL_EDGES) + 1


@dataclass
class ForecastArrays:
    """Forecasts as arrays: ``mean[i, h-1]`` is series ``series[i]`` at ``months[h-1]``."""

    series: list[SeriesKey]
    months: list[str]
    mean: np.ndarray
    dispersion: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The ``ForecastFrame`` of the contract (one row per series and step)."""
        n, h = self.mean.shape if self.mean.ndim == 2 else (0, len(self.months))
        if n == 0:
            return pd.DataFrame(
                {
                    c: pd.Series(dtype=t)
                    for c, t in zip(FRAME_COLUMNS, [object, object, "int64", object, float, float])
                }
            )
        comm = np.array([s[0] for s in self.series], dtype=object)
        cat = np.array([s[1] for s in self.series], dtype=object)
        return pd.DataFrame(
            {
                "community": np.repeat(comm, h),
                "category": np.repeat(cat, h),
                "h": np.tile(np.arange(1, h + 1), n),
                "month": np.tile(np.array(self.months, dtype=object), n),
                "mean": self.mean.ravel(),
                "dispersion": self.dispersion.ravel(),
            }
        )


class DispersionTracker:
    """NB dispersion per (group, level of the forecast mean, horizon), refitted by likelihood on the
    last ``window`` months of a model's own out-of-sample errors; a cell with few errors borrows
    its group's pooled estimate. Until errors exist it answers ``default``."""

    def __init__(self, max_horizon: int = 6, window: int = 12, default: float = 0.3):
        self.max_horizon = max_horizon
        self.window = window
        self.default = default
        self._errors: dict[int, deque] = {
            h: deque(maxlen=window) for h in range(1, max_horizon + 1)
        }
        self._alpha: dict[int, np.ndarray] = {}

    def update(self, h: int, groups: np.ndarray, y: np.ndarray, mu: np.ndarray, n_groups: int):
        """Record one month of horizon-``h`` errors (the refit happens lazily, at the next get)."""
        if h not in self._errors or len(y) == 0:
            return
        mu = np.maximum(mu, 1e-6)
        cells = groups.astype(np.int64) * _NB + np.digitize(mu, LEVEL_EDGES)
        self._errors[h].append((cells, y.astype(float), mu))
        self._n_groups = max(getattr(self, "_n_groups", 0), n_groups * _NB)
        self._alpha.pop(h, None)

    def _refit(self, h: int) -> None:
        errors = self._errors[h]
        if not errors:
            return
        n_groups = self._n_groups
        g = np.concatenate([e[0] for e in errors])
        yy = np.concatenate([e[1] for e in errors])
        mm = np.concatenate([e[2] for e in errors])
        # compress to unique (group, y, mean bin of 2.5% width): same likelihood to rounding
        mbin = np.round(np.log(mm) * 40).astype(np.int64) + 1000
        key = (g * 100_000 + np.minimum(yy, 99_999).astype(np.int64)) * 4096 + mbin
        uniq, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        inv = inv.ravel()
        mu_u = np.bincount(inv, weights=mm) / cnt
        y_u = np.bincount(inv, weights=yy) / cnt
        g_u = uniq // (100_000 * 4096)
        ll = NegBin(mu_u[None, :], _GRID[:, None]).logpmf(y_u[None, :]) * cnt[None, :]
        per_group = np.stack([np.bincount(g_u, weights=row, minlength=n_groups) for row in ll])
        counts = np.bincount(g, minlength=n_groups)
        pooled = _GRID[int(np.argmax(per_group.sum(axis=1)))]
        by_group = per_group.reshape(len(_GRID), -1, _NB)
        group_best = _GRID[np.argmax(by_group.sum(axis=2), axis=0)]
        group_n = counts.reshape(-1, _NB).sum(axis=1)
        group_alpha = np.where(group_n >= 50, group_best, pooled)
        cell = _GRID[np.argmax(per_group, axis=0)]
        self._alpha[h] = np.where(counts >= 100, cell, np.repeat(group_alpha, _NB))

    def get(self, h: int, groups: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
        key = min(h, self.max_horizon)
        if key not in self._alpha and self._errors.get(key):
            self._refit(key)
        alpha = self._alpha.get(key)
        if alpha is None:
            # nearest horizon with an estimate, else the default
            for k in [k for k, e in self._errors.items() if e and k not in self._alpha]:
                self._refit(k)
            known = sorted(self._alpha, key=lambda k: abs(k - key))
            alpha = self._alpha[known[0]] if known else None
        if alpha is None:
            return np.full(len(groups), self.default)
        mean = np.full(len(groups), 1.0) if mean is None else np.maximum(mean, 1e-6)
        cells = groups.astype(np.int64) * _NB + np.digitize(mean, LEVEL_EDGES)
        ext = np.full(max(int(cells.max(initial=-1)) + 1, len(alpha)), float(np.median(alpha)))
        ext[: len(alpha)] = alpha
        return ext[cells]


class PanelForecaster:
    """Base of every forecaster: ``learn_one(month, counts)`` then ``forecast(horizon)``."""

    #: name used in the registry, the backtest and the cache (``model@version``)
    kind = "base"

    def __setstate__(self, state: dict) -> None:
        # payloads saved before communities were indexed here get them rebuilt
        self.__dict__.update(state)
        if "_comm_index" not in state:
            self.communities_ = list(dict.fromkeys(k[0] for k in self.series_))
            self._comm_index = {c: i for i, c in enumerate(self.communities_)}
            self._community = np.array(
                [self._comm_index[k[0]] for k in self.series_], dtype=np.int64
            )

    def __init__(self, max_horizon: int = 6, dispersion_window: int = 12):
        if max_horizon < 1:
            raise ValueError("max_horizon must be >= 1")
        self.max_horizon = max_horizon
        self.dispersion_window = dispersion_window
        self.series_: list[SeriesKey] = []
        self.categories_: list[str] = []
        self.communities_: list[str] = []
        self.months_: list[str] = []
        self.history_ = np.zeros((0, 0), dtype=np.float64)
        self._index: dict[SeriesKey, int] = {}
        self._cat_index: dict[str, int] = {}
        self._comm_index: dict[str, int] = {}
        self._group = np.zeros(0, dtype=np.int32)  # series -> category index
        self._community = np.zeros(0, dtype=np.int64)  # series -> community index
        self._tracker = DispersionTracker(max_horizon, dispersion_window)
        self._pending: dict[str, np.ndarray] = {}

    # --- public API ----------------------------------------------------------------------------
    @property
    def last_month(self) -> str | None:
        return self.months_[-1] if self.months_ else None

    @property
    def n_series(self) -> int:
        return len(self.series_)

    def learn_one(self, month: str, counts: Mapping[SeriesKey, float]) -> None:
        """Learn one closed month. A series absent from ``counts`` counted 0; a new one is added.

        Months must come in order; a skipped month is learned as all zeros.
        """
        check_month(month)
        items = list(counts.items())
        for key, value in items:
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ValueError(f"series key must be (community, category), got {key!r}")
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"count for {key} must be a finite number >= 0, got {value!r}")
        self._check_next(month)
        self._add_series([k for k, _ in items if k not in self._index])
        y = np.zeros(self.n_series)
        for key, value in items:
            y[self._index[key]] += float(value)
        for gap in self._gap_months(month):
            self._step(gap, np.zeros(self.n_series))
        self._step(month, y)

    def learn_many(self, panel: pd.DataFrame) -> None:
        """Learn every month of a wide panel (index (community, category), month columns) in order."""
        if panel.shape[1] == 0:
            return
        months = [check_month(str(m)) for m in panel.columns]
        self._check_next(months[0])
        keys = [tuple(k) for k in panel.index]
        self._add_series([k for k in keys if k not in self._index])
        rows = np.array([self._index[k] for k in keys], dtype=int)
        values = panel.to_numpy(dtype=float)
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise ValueError("panel counts must be finite and >= 0")
        for gap in self._gap_months(months[0]):
            self._step(gap, np.zeros(self.n_series))
        for j, month in enumerate(months):
            if j and month_index(month) != month_index(months[j - 1]) + 1:
                raise ValueError("panel months must be consecutive")
            y = np.zeros(self.n_series)
            np.add.at(y, rows, values[:, j])
            self._step(month, y)

    def forecast(self, horizon: int = 1) -> pd.DataFrame:
        """ForecastFrame for steps 1..horizon after the last learned month."""
        return self.forecast_arrays(horizon).to_frame()

    def forecast_arrays(self, horizon: int = 1) -> ForecastArrays:
        """Forecast means and dispersions as arrays (what the frame is built from)."""
        if not 1 <= horizon <= self.max_horizon:
            raise ValueError(f"horizon must be between 1 and {self.max_horizon}")
        if not self.months_ or self.n_series == 0:
            return ForecastArrays([], [], np.zeros((0, horizon)), np.zeros((0, horizon)))
        mean = np.maximum(np.asarray(self._mean(horizon), dtype=float), 0.0)
        disp = np.stack(
            [self._tracker.get(h, self._group, mean[:, h - 1]) for h in range(1, horizon + 1)],
            axis=1,
        )
        months = [add_months(self.last_month, h) for h in range(1, horizon + 1)]
        return ForecastArrays(list(self.series_), months, mean, disp)

    def set_dispersion_window(self, window: int) -> None:
        self._tracker.window = window

    # --- internals -----------------------------------------------------------------------------
    def _check_next(self, month: str) -> None:
        if self.months_ and month_index(month) <= month_index(self.months_[-1]):
            raise ValueError(f"month {month} already learned (last learned: {self.months_[-1]})")

    def _gap_months(self, month: str) -> list[str]:
        if not self.months_:
            return []
        return month_range(add_months(self.months_[-1], 1), add_months(month, -1))

    def _add_series(self, new: Iterable[SeriesKey]) -> None:
        new = sorted(k for k in set(new) if k not in self._index)
        if not new:
            return
        for key in new:
            self._index[key] = len(self.series_)
            self.series_.append(key)
            if key[1] not in self._cat_index:
                self._cat_index[key[1]] = len(self.categories_)
                self.categories_.append(key[1])
            if key[0] not in self._comm_index:
                self._comm_index[key[0]] = len(self.communities_)
                self.communities_.append(key[0])
        self._group = np.array([self._cat_index[k[1]] for k in self.series_], dtype=np.int32)
        self._community = np.array([self._comm_index[k[0]] for k in self.series_], dtype=np.int64)
        pad = np.zeros((len(new), self.history_.shape[1]))
        self.history_ = (
            np.vstack([self.history_, pad])
            if self.history_.size or len(self.months_)
            else np.zeros((len(self.series_), 0))
        )
        self._grow(len(new))

    def _step(self, month: str, y: np.ndarray) -> None:
        for h in range(1, self.max_horizon + 1):
            origin = add_months(month, -h)
            past = self._pending.get(origin)
            if past is not None and past.shape[1] >= h:
                n = past.shape[0]
                self._tracker.update(
                    h, self._group[:n], y[:n], past[:, h - 1], len(self.categories_)
                )
        self.history_ = np.hstack([self.history_, y[:, None]])
        self.months_.append(month)
        self._update(y)
        if self._track_errors():
            self._pending[month] = np.maximum(self._mean(self.max_horizon), 0.0)
        cutoff = add_months(month, -self.max_horizon)
        self._pending = {m: v for m, v in self._pending.items() if m > cutoff}

    def _track_errors(self) -> bool:
        """Whether to keep this month's forecasts for scoring (subclasses may skip in warm-up)."""
        return True

    def after_close(self, full: bool = True) -> dict:
        """Work that may follow a month's close in a job of its own (an epoch, a refit); returns
        what was done, empty if nothing. ``full=False``: only what a month must not skip.
        Forecasters that learn everything in ``learn_one`` have nothing to do."""
        return {}

    def restate(self) -> None:
        """Recompute the forecasts kept for scoring from the newest month (after the model changed
        outside ``learn_one``, e.g. in :meth:`after_close`), so that its errors are those of what
        it now says."""
        if self.months_ and self.last_month in self._pending:
            self._pending[self.last_month] = np.maximum(self._mean(self.max_horizon), 0.0)

    # --- hooks ---------------------------------------------------------------------------------
    def _grow(self, n_new: int) -> None:
        """New series were appended to ``series_`` (state arrays must grow by ``n_new``)."""

    def _update(self, y: np.ndarray) -> None:
        """``y`` (one value per series) was appended to ``history_``; update the state."""

    def _mean(self, horizon: int) -> np.ndarray:
        raise NotImplementedError
