"""The whole city's counts per category and month, for a model that holds only part of the city.

A partitioned train (docs/operations.md) fits the global pieces on a sample of whole areas and
forecasts each partition's areas apart; the GLM's city-wide features (the category's and the
city's trend, last month, season, the category's share) must still be the whole city's, whatever
part of it a model holds. :class:`CityTotals` keeps them by name (categories x months) and hands
the model an array aligned to its own categories and months; a model without totals computes them
from its own series, as before.

>>> import pandas as pd
>>> class M(CityTotals):
...     categories_, months_ = ["b", "a"], ["2023-01", "2023-02"]
>>> m = M()
>>> m.set_totals(pd.DataFrame({"2023-01": [1.0, 2.0]}, index=["a", "b"]))
>>> m._city_totals().tolist()  # rows as the model orders categories; a month not given is 0
[[2.0, 0.0], [1.0, 0.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def category_totals(panel: pd.DataFrame) -> pd.DataFrame:
    """Per category (rows) and month (columns): the sum over the panel's series (floats)."""
    if panel.empty:
        return pd.DataFrame(dtype=float)
    return panel.astype(float).groupby(level=1, sort=True).sum()


class CityTotals:
    """Mixin: ``set_totals(frame)`` / ``_city_totals()`` (None when no totals were given)."""

    def set_totals(self, totals: pd.DataFrame | None) -> None:
        """Use ``totals`` (categories x months, the whole city) for the city-wide features."""
        self.totals_ = totals
        self._totals_at = None
        cache = getattr(self, "_cache", None)
        if cache is not None:
            cache.clear()

    def _city_totals(self) -> np.ndarray | None:
        frame = getattr(self, "totals_", None)
        if frame is None:
            return None
        key = (len(self.categories_), len(self.months_))
        at = getattr(self, "_totals_at", None)
        if at is None or at[0] != key:
            arr = frame.reindex(index=self.categories_, columns=self.months_, fill_value=0.0)
            self._totals_at = at = (key, arr.to_numpy(dtype=float))
        return at[1]


def give_totals(model, totals: pd.DataFrame | None) -> None:
    """Hand ``totals`` to every member of ``model`` (or ``model`` itself) that uses them."""
    members = getattr(model, "members", None)
    for m in members.values() if members else [model]:
        if isinstance(m, CityTotals):
            m.set_totals(totals)


def totals_of(model) -> pd.DataFrame | None:
    """The totals a member of ``model`` holds (None when none was given)."""
    members = getattr(model, "members", None)
    for m in members.values() if members else [model]:
        if getattr(m, "totals_", None) is not None:
            return m.totals_
    return None
