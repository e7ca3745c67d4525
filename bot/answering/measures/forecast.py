"""Forecast: the served forecasts' mean and 80% range, per forecast month of the period (or per
group over the months when broken down or ranked), resting on the data month it names."""

from __future__ import annotations

import numpy as np

from core.negbin import total_interval as nb_total

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import INCIDENTS, Result
from ..scope import Group
from ..state import DataState


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    panel = state.forecasts
    cols = [panel.col.get(m) for m in p.months]
    if not cols or any(c is None for c in cols):
        return None
    mean, alpha, lo, hi = panel.take(g.rows(state))
    ok = np.isfinite(mean[:, cols]).all(axis=1) if len(mean) else np.zeros(0, dtype=bool)
    if not ok.any():
        return None
    if ok.sum() == 1 and len(cols) == 1:  # one series, one month: the interval that was served
        k = int(np.flatnonzero(ok)[0])
        return Value(float(mean[k, cols[0]]), float(lo[k, cols[0]]), float(hi[k, cols[0]]))
    m, l, h = nb_total(mean[ok][:, cols].ravel(), alpha[ok][:, cols].ravel())
    return Value(float(m), float(l), float(h))


def evaluate(q: Question, state: DataState) -> Result:
    result = tabulate(q, state, measure, INCIDENTS, default_by="month")
    result.extra["data_through"] = state.data_through()
    result.extra["model"] = state.meta.get("model", "")
    return result
