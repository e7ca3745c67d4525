"""The counts and forecasts of a :class:`~bot.answering.state.DataState` as the intents index them.

Counts and forecasts share one catalog of series, so a row means the same series in both. Reading
``values`` / ``mean`` reads every row (for city-wide questions); the per-place helpers of
:class:`~bot.answering.view.View` read only the rows in scope (``take``).
"""

from __future__ import annotations

import numpy as np

from core.months import months_between

from .panels import ForecastPanel
from .state import DataState


class Counts:
    """The reported counts: rows = the catalog's series, columns = months."""

    def __init__(self, state: DataState):
        self._state = state
        self._panel = state.counts
        cat = state.catalog
        self.series, self.index, self.by_community = cat.series, cat.index, cat.by_community
        self.categories, self.category_of = cat.categories, cat.category_of
        self.months, self.col = state.months, self._panel.col
        self.last_closed, self.watermark, self.synthetic = (
            state.last_closed,
            state.watermark,
            state.synthetic,
        )

    @property
    def day_level(self) -> bool:
        return self._state.day_level

    @property
    def values(self) -> np.ndarray:
        return self._panel.values

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self._panel.take(rows)


class Forecasts:
    """One forecast set (served or archived): rows = the catalog's series, NaN without one."""

    def __init__(
        self,
        panel: ForecastPanel,
        state: DataState,
        *,
        version: int = 0,
        meta: dict | None = None,
        data_through: str = "",
        n_series: int | None = None,
    ):
        self._panel = panel
        cat = state.catalog
        self.series, self.index, self.by_community = cat.series, cat.index, cat.by_community
        self.categories, self.category_of = cat.categories, cat.category_of
        self.communities, self.community_of = cat.communities, cat.community_of
        self.months, self.version, self.meta = panel.months, version, meta or {}
        self.data_through = data_through
        self.n_series = n_series

    @property
    def models(self) -> list[str]:
        return [m for m in self._panel.all().model if m]

    @property
    def mean(self) -> np.ndarray:
        return self._panel.all().mean

    @property
    def alpha(self) -> np.ndarray:
        return self._panel.all().alpha

    @property
    def lo(self) -> np.ndarray:
        return self._panel.all().lo

    @property
    def hi(self) -> np.ndarray:
        return self._panel.all().hi

    def take(self, rows: np.ndarray):
        """mean, alpha, lo, hi of the rows (rows x months), reading only those."""
        return self._panel.take(rows)

    def has(self, rows: np.ndarray) -> np.ndarray:
        """The rows with a forecast."""
        return self._panel.has(rows)

    def step(self, month: str) -> int | None:
        """How many months ahead of its data ``month`` stood in this set (1 = the next month)."""
        if month not in self.months or not self.data_through:
            return None
        return months_between(self.data_through, month)
