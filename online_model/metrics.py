"""Accuracy of count forecasts: point errors, Poisson deviance, log score, interval coverage and
hotspot capture. All take flat arrays (one element per series-month) and ignore nothing silently.

>>> y = np.array([0, 2, 5]); mu = np.array([0.5, 2.0, 4.0])
>>> round(mae(y, mu), 4), round(rmse(y, mu), 4)
(0.5, 0.6455)
>>> round(poisson_deviance(y, mu), 4)
0.4105
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.negbin import NegBin

_FLOOR = 1e-6


def mae(y, mu) -> float:
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(mu, float))))


def rmse(y, mu) -> float:
    return float(np.sqrt(np.mean((np.asarray(y, float) - np.asarray(mu, float)) ** 2)))


def poisson_deviance_terms(y, mu) -> np.ndarray:
    y = np.asarray(y, float)
    mu = np.maximum(np.asarray(mu, float), _FLOOR)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2.0 * (term - (y - mu))


def poisson_deviance(y, mu) -> float:
    """Mean Poisson deviance (lower is better; the proper score for count means)."""
    return float(np.mean(poisson_deviance_terms(y, mu)))


def log_score(y, mu, dispersion) -> float:
    """Mean negative log probability of the outcomes under NB(mu, dispersion)."""
    return float(np.mean(-NegBin(np.maximum(mu, _FLOOR), dispersion).logpmf(y)))


def coverage(y, lo, hi) -> float:
    y = np.asarray(y)
    return float(np.mean((y >= np.asarray(lo)) & (y <= np.asarray(hi))))


def mean_width(lo, hi) -> float:
    return float(np.mean(np.asarray(hi) - np.asarray(lo)))


def hotspot_capture(
    frame: pd.DataFrame,
    k: int = 10,
    pred: str = "mean",
    actual: str = "actual",
    by: tuple[str, ...] = ("category", "month"),
) -> float:
    """Share of actual crimes in the ``k`` communities forecast highest, over the share the best
    possible ``k`` would have caught; averaged over each (category, month) with any crime."""
    ratios = []
    for _, g in frame.groupby(list(by), sort=False):
        a = g[actual].to_numpy(float)
        best = np.sort(a)[::-1][:k].sum()
        if best <= 0:
            continue
        top = np.argsort(-g[pred].to_numpy(float), kind="stable")[:k]
        ratios.append(a[top].sum() / best)
    return float(np.mean(ratios)) if ratios else float("nan")


def summarise(frame: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """Every figure of the accuracy table for one model's rows (columns ``actual, mean,
    dispersion`` and optionally ``lo80, hi80``)."""
    y = frame["actual"].to_numpy(float)
    mu = frame["mean"].to_numpy(float)
    if "lo80" in frame:
        lo, hi = frame["lo80"].to_numpy(), frame["hi80"].to_numpy()
    else:
        lo, hi = NegBin(np.maximum(mu, _FLOOR), frame["dispersion"].to_numpy(float)).interval(0.8)
    return {
        "MAE": mae(y, mu),
        "RMSE": rmse(y, mu),
        "deviance": poisson_deviance(y, mu),
        "NLL": log_score(y, mu, frame["dispersion"].to_numpy(float)),
        "cover80": coverage(y, lo, hi),
        "width80": mean_width(lo, hi),
        "hotspot": hotspot_capture(frame, k),
    }
