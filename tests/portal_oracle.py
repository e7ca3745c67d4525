"""An independent reading of portal-layout data (pandas, none of crimecast's readers): the panel,
the counts a correct ingest must give, and plainly made forecasts.

The forecasts are deliberately plain (mean of the last ``window`` months, a negative-binomial
dispersion per category fitted by moments on the same rule's one-step errors): the alert tests
need honest forecasts with honest spreads, not the project's best model. Shared by the worker and
stream tests and by ``bench/ingest.py`` and ``bench/alerts.py`` (tests/ is not a package: put its
folder on ``sys.path`` and ``import portal_oracle``).

>>> frame = pd.DataFrame({"Community": ["beltline", "BELTLINE"], "Category": ["Street Robbery"] * 2,
...                       "Crime Count": [2, 3], "Year": [2023, 2023], "Month": [5, 5]})
>>> expected_counts(frame)
{('BELTLINE', 'Street Robbery', '2023-05'): 5}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.months import add_months
from core.negbin import NegBin
from core.text import area_name
from stream.categories import CategorySet
from stream.forecast_cache import CachedForecast

__all__ = ["expected_counts", "mean_forecasts", "panel_of"]


def panel_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Wide panel (community, category) x month from a portal-shaped frame, duplicates summed."""
    cats = CategorySet.calgary()
    f = frame.assign(
        month=frame["Year"].astype(str) + "-" + frame["Month"].astype(str).str.zfill(2),
        Community=frame["Community"].map(area_name),
        Category=frame["Category"].map(cats.resolve),
    )
    p = f.pivot_table(
        index=["Community", "Category"],
        columns="month",
        values="Crime Count",
        aggfunc="sum",
        fill_value=0,
    )
    return p.sort_index(axis=1).astype(float)


def expected_counts(frame: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """``(community, category, month) -> count`` of a portal-shaped frame, names canonical."""
    panel = panel_of(frame)
    return {(c, k, m): int(v) for (c, k), row in panel.iterrows() for m, v in row.items() if v}


def mean_forecasts(
    panel: pd.DataFrame, data_through: str, horizon: int = 3, window: int = 6, model: str = "mean6"
) -> list[CachedForecast]:
    """Mean-of-last-``window``-months forecasts for every series alive by ``data_through``."""
    cols = [c for c in panel.columns if c <= data_through]
    hist = panel[cols]
    hist = hist[hist.sum(axis=1) > 0]
    values = hist.to_numpy()
    mu = np.maximum(values[:, -window:].mean(axis=1), 0.05)
    # dispersion per category from the rule's one-step errors over the last 12 months
    errs_num: dict[str, float] = {}
    errs_den: dict[str, float] = {}
    cats = hist.index.get_level_values(1)
    for t in range(max(window, values.shape[1] - 12), values.shape[1]):
        pred = np.maximum(values[:, t - window : t].mean(axis=1), 0.05)
        y = values[:, t]
        for cat in np.unique(cats):
            sel = cats == cat
            errs_num[cat] = errs_num.get(cat, 0.0) + float(
                ((y[sel] - pred[sel]) ** 2 - pred[sel]).sum()
            )
            errs_den[cat] = errs_den.get(cat, 0.0) + float((pred[sel] ** 2).sum())
    alpha_cat = {
        c: max(errs_num.get(c, 0.0) / errs_den[c], 0.01) if errs_den.get(c) else 0.1
        for c in np.unique(cats)
    }
    months = [add_months(data_through, h) for h in range(1, horizon + 1)]
    out = []
    for (community, category), m in zip(hist.index, mu):
        a = alpha_cat[category]
        lo, hi = NegBin([m] * horizon, [a] * horizon).interval(0.8)
        out.append(
            CachedForecast(
                community,
                category,
                months,
                [float(m)] * horizon,
                [float(a)] * horizon,
                lo.tolist(),
                hi.tolist(),
                model,
                data_through,
            )
        )
    return out
