"""How well the forecasts did: every series-month forecast before it, set against what was counted.

One row per (month, series) whose forecast was made before the month (the archive's newest set
before it), with the forecast mean and dispersion, its shortest 80% interval
(:class:`core.negbin.NegBin`, as every answer shows), the count, and the simple-exponential-
smoothing forecast made from the counts through the month before (the baseline every model must
beat). Aggregates by any grouping: 80% coverage, bias (mean forecast minus actual), mean absolute
error and Poisson deviance against SES.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from core.months import add_months
from core.negbin import NegBin
from online_model.baselines import SES
from stream.forecast_archive import ForecastArchive
from stream.store import CountStore

__all__ = ["ROW_COLUMNS", "poisson_deviance", "series_months", "summarise"]

ROW_COLUMNS = [
    "month",
    "community",
    "category",
    "region",
    "mean",
    "dispersion",
    "lo80",
    "hi80",
    "actual",
    "ses",
    "step",
    "data_through",
]
SES_ALPHA = 0.2


def poisson_deviance(y, mu) -> np.ndarray:
    """Unit Poisson deviance ``2 (y log(y/mu) - (y - mu))`` (0 where y = mu; mu floored at 1e-6).

    >>> poisson_deviance([0, 2], [1.0, 2.0]).tolist()
    [2.0, 0.0]
    """
    y = np.asarray(y, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * (term - (y - mu))


def _ses_forecasts(panel: pd.DataFrame, months: list[str]) -> dict[str, dict]:
    """``month -> {series: SES one-month-ahead mean}`` from counts through the month before."""
    model = SES(alpha=SES_ALPHA, max_horizon=1)
    out: dict[str, dict] = {}
    wanted = set(months)
    for m in panel.columns:
        if m in wanted and model.n_series:
            f = model.forecast_arrays(1)
            out[m] = dict(zip(f.series, f.mean[:, 0]))
        if m >= months[-1]:
            break
        model.learn_one(m, {s: float(v) for s, v in panel[m].items() if v})
    return out


def series_months(
    store: CountStore, archive: ForecastArchive, months: list[str], regions: Mapping[str, str]
) -> pd.DataFrame:
    """The rows described above for ``months`` (oldest first); series without a region get
    ``"(no region)"``."""
    if not months:
        return pd.DataFrame(columns=ROW_COLUMNS)
    panel = store.panel(end=months[-1])
    ses = _ses_forecasts(panel, months)
    rows: list[tuple] = []
    for m in months:
        made = archive.forecasts_for(m)
        counts = panel[m] if m in panel.columns else pd.Series(dtype=float)
        ses_m = ses.get(m, {})
        for (community, category), (f, step) in made.items():
            i = f.months.index(m)
            actual = counts.get((community, category), 0)
            rows.append(
                (
                    m,
                    community,
                    category,
                    regions.get(community, "(no region)"),
                    float(f.mean[i]),
                    float(f.dispersion[i]),
                    0,
                    0,
                    int(actual),
                    ses_m.get((community, category), np.nan),
                    step,
                    f.data_through,
                )
            )
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    if len(frame):
        lo, hi = NegBin(frame["mean"].to_numpy(), frame["dispersion"].to_numpy()).interval(0.8)
        frame["lo80"], frame["hi80"] = lo, hi
    return frame


def summarise(frame: pd.DataFrame, by: str | None) -> dict[str, dict]:
    """Accuracy figures per value of column ``by`` (or ``{"all": ...}`` when ``by`` is None).

    ``deviance_ratio`` is the model's mean Poisson deviance over SES's on the rows where both
    forecast (below 1: better than SES).
    """
    groups: Iterable = [("all", frame)] if by is None else frame.groupby(by, sort=True)
    out: dict[str, dict] = {}
    for key, g in groups:
        if not len(g):
            continue
        y, mu = g["actual"].to_numpy(float), g["mean"].to_numpy(float)
        both = g["ses"].notna().to_numpy()
        dev_m = poisson_deviance(y[both], mu[both]).mean() if both.any() else np.nan
        dev_s = (
            poisson_deviance(y[both], g["ses"].to_numpy(float)[both]).mean()
            if both.any()
            else np.nan
        )
        out[str(key)] = {
            "series_months": int(len(g)),
            "actual": int(y.sum()),
            "forecast": round(float(mu.sum()), 1),
            "coverage80": round(
                float(((g["lo80"] <= g["actual"]) & (g["actual"] <= g["hi80"])).mean()), 3
            ),
            "bias": round(float((mu - y).mean()), 4),
            "bias_pct": round(float((mu.sum() - y.sum()) / y.sum() * 100), 1) if y.sum() else None,
            "mae": round(float(np.abs(mu - y).mean()), 4),
            "deviance": None if np.isnan(dev_m) else round(float(dev_m), 4),
            "deviance_ses": None if np.isnan(dev_s) else round(float(dev_s), 4),
            "deviance_ratio": None
            if np.isnan(dev_m) or not dev_s
            else round(float(dev_m / dev_s), 3),
        }
    return out


def months_ending(end: str, n: int) -> list[str]:
    """The ``n`` months ending with ``end``.

    >>> months_ending("2023-12", 3)
    ['2023-10', '2023-11', '2023-12']
    """
    return [add_months(end, k) for k in range(-n + 1, 1)]
