"""Coherent totals: forecasts of groups of series (a community over all categories, a sector, the
city) as the sum of the parts' means with a moment-matched negative binomial, so that totals shown
next to their parts always add up.

>>> import pandas as pd
>>> f = pd.DataFrame({"community": ["A", "A", "B"], "category": ["x", "y", "x"], "h": [1, 1, 1],
...                   "month": ["2024-01"] * 3, "mean": [1.0, 2.0, 3.0], "dispersion": [0.5, 0.0, 0.1]})
>>> t = aggregate(f, by="community")
>>> t[["community", "mean"]].values.tolist()
[['A', 3.0], ['B', 3.0]]
>>> aggregate(f, group_of=lambda c, k: "city")["mean"].tolist()
[6.0]
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from core.negbin import NegBin


def with_intervals(frame: pd.DataFrame, level: float = 0.8) -> pd.DataFrame:
    """Add integer ``lo``/``hi`` columns (shortest interval holding at least ``level``)."""
    out = frame.copy()
    lo, hi = NegBin(out["mean"].to_numpy(float), out["dispersion"].to_numpy(float)).interval(level)
    out["lo80" if level == 0.8 else "lo"] = lo
    out["hi80" if level == 0.8 else "hi"] = hi
    return out


def aggregate(
    frame: pd.DataFrame,
    by: str | None = None,
    group_of: Callable[[str, str], str | None] | None = None,
    level: float = 0.8,
    group_column: str | None = None,
) -> pd.DataFrame:
    """Totals of a ForecastFrame per group and step: ``mean`` is the sum of means, ``dispersion``
    moment-matched (variances add, series treated as independent), with an 80% interval.

    Group either ``by`` a column (``"community"`` or ``"category"``) or with ``group_of(community,
    category) -> label`` (``None`` leaves a series out), e.g. a sector lookup.
    """
    if (by is None) == (group_of is None):
        raise ValueError("give exactly one of by= or group_of=")
    df = frame.copy()
    name = by or group_column or "group"
    if group_of is not None:
        df[name] = [group_of(c, k) for c, k in zip(df["community"], df["category"])]
        df = df[df[name].notna()]
    df["var"] = df["mean"] + df["dispersion"] * df["mean"] ** 2
    g = df.groupby([name, "h", "month"], as_index=False, sort=True)[["mean", "var"]].sum()
    m, v = g["mean"].to_numpy(float), g["var"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(m > 0, np.maximum(v - m, 0) / np.maximum(m, 1e-9) ** 2, 0.0)
    g["dispersion"] = alpha
    g = g.drop(columns="var")
    lo, hi = NegBin(m, alpha).interval(level)
    g["lo80"], g["hi80"] = lo, hi
    return g
