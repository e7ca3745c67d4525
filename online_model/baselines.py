"""Strong simple baselines: exponential smoothing, seasonal naive and the mean of the last n months.

Simple smoothing is hard to beat on these small counts; every model is measured against these.

>>> m = SES(alpha=0.5)
>>> m.learn_one("2023-01", {("BELTLINE", "Street Robbery"): 4})
>>> m.learn_one("2023-02", {("BELTLINE", "Street Robbery"): 2})
>>> m.forecast(2)[["month", "mean"]].values.tolist()
[['2023-03', 3.0], ['2023-04', 3.0]]
"""

from __future__ import annotations

import numpy as np

from .base import PanelForecaster


class SES(PanelForecaster):
    """Simple exponential smoothing with a fixed ``alpha`` (flat forecast over the horizon).

    A series' level starts at its first learned value.
    """

    kind = "ses"

    def __init__(self, alpha: float = 0.2, max_horizon: int = 6):
        if not 0 < alpha <= 1:
            raise ValueError("alpha must be in (0, 1]")
        super().__init__(max_horizon)
        self.alpha = alpha
        self._level = np.zeros(0)
        self._started = np.zeros(0, dtype=bool)

    def _grow(self, n_new):
        self._level = np.concatenate([self._level, np.zeros(n_new)])
        self._started = np.concatenate([self._started, np.zeros(n_new, dtype=bool)])

    def _update(self, y):
        self._level = np.where(self._started, self._level + self.alpha * (y - self._level), y)
        self._started[:] = True

    def _mean(self, horizon):
        return np.repeat(self._level[:, None], horizon, axis=1)


class SeasonalNaive(PanelForecaster):
    """The value of the same month one season earlier (the mean so far while history is short)."""

    kind = "snaive"

    def __init__(self, season: int = 12, max_horizon: int = 6):
        if season < 1:
            raise ValueError("season must be >= 1")
        super().__init__(max_horizon)
        self.season = season

    def _mean(self, horizon):
        hist = self.history_
        t = hist.shape[1]
        out = np.empty((hist.shape[0], horizon))
        for h in range(1, horizon + 1):
            j = t - self.season + ((h - 1) % self.season)
            out[:, h - 1] = hist[:, j] if j >= 0 else hist.mean(axis=1)
        return out


class MeanLastN(PanelForecaster):
    """Mean of the last ``n`` months (flat)."""

    kind = "mean_last_n"

    def __init__(self, n: int = 6, max_horizon: int = 6):
        if n < 1:
            raise ValueError("n must be >= 1")
        super().__init__(max_horizon)
        self.n = n

    def _mean(self, horizon):
        last = self.history_[:, -self.n :].mean(axis=1)
        return np.repeat(last[:, None], horizon, axis=1)


class TSB(PanelForecaster):
    """Teunter-Syntetos-Babai: smoothed demand probability times smoothed demand size, for
    intermittent counts (most series here have many zero months).

    >>> m = TSB(alpha_d=0.5, alpha_p=0.5)
    >>> for month, y in [("2023-01", 4), ("2023-02", 0)]:
    ...     m.learn_one(month, {("A", "x"): y})
    >>> float(m.forecast(1)["mean"].iloc[0])  # p = 0.5, size = 4
    2.0
    """

    kind = "tsb"

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1, max_horizon: int = 6):
        if not (0 < alpha_d <= 1 and 0 < alpha_p <= 1):
            raise ValueError("alpha_d and alpha_p must be in (0, 1]")
        super().__init__(max_horizon)
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self._size = np.zeros(0)
        self._prob = np.zeros(0)
        self._started = np.zeros(0, dtype=bool)
        self._has_size = np.zeros(0, dtype=bool)

    def _grow(self, n_new):
        self._size = np.concatenate([self._size, np.zeros(n_new)])
        self._prob = np.concatenate([self._prob, np.zeros(n_new)])
        self._started = np.concatenate([self._started, np.zeros(n_new, dtype=bool)])
        self._has_size = np.concatenate([self._has_size, np.zeros(n_new, dtype=bool)])

    def _update(self, y):
        demand = y > 0
        self._prob = np.where(
            self._started, self._prob + self.alpha_p * (demand - self._prob), demand.astype(float)
        )
        new_size = np.where(self._has_size, self._size + self.alpha_d * (y - self._size), y)
        self._size = np.where(demand, new_size, self._size)
        self._has_size |= demand
        self._started[:] = True

    def _mean(self, horizon):
        return np.repeat((self._prob * self._size)[:, None], horizon, axis=1)
