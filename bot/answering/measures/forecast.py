"""Forecast: the served forecasts' mean and 80% range, per forecast month of the period (or per
group over the months when broken down or ranked), resting on the data month it names."""

from __future__ import annotations

import numpy as np

from core.negbin import total_interval as nb_total

from dataclasses import replace

from bot.language.question import Period, Question

from ..compose import Value, group_sums, tabulate
from ..result import INCIDENTS, Result
from ..scope import Group, groups
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


def means(state: DataState, gs: list[Group], p: Period) -> dict[Group, Value]:
    """Each group's summed forecast mean over the period, in one pass over the rows: enough to
    rank; the 80% ranges are added for the rows kept."""
    panel = state.forecasts
    cols = [panel.col.get(m) for m in p.months]
    if not cols or any(c is None for c in cols):
        return {}
    total = group_sums(
        state, gs, lambda rows: np.nan_to_num(panel.take(rows)[0][:, cols]).sum(axis=1)
    )
    have = group_sums(state, gs, lambda rows: np.isfinite(panel.take(rows)[0][:, cols]).all(axis=1))
    return {g: Value(total[g]) for g in gs if have[g] > 0}


def evaluate(q: Question, state: DataState) -> Result:
    if q.ranking is None:
        result = tabulate(q, state, measure, INCIDENTS, default_by="month")
    else:  # rank by the means, then the 80% ranges of the rows kept only
        gs = groups(replace(q, by=q.by or "area"), state)
        table = means(state, gs, q.period) if q.by != "month" and q.period is not None else {}
        quick = (lambda st, g, p, qq: table.get(g)) if table else measure  # noqa: E731
        result = tabulate(q, state, quick, INCIDENTS, default_by="month")
        by_key = {(g.area, g.region, g.category): g for g in gs}
        for i, row in enumerate(result.rows):
            g = by_key.get((row.area, row.region, row.category))
            p = q.period if row.month is None else Period(row.month, row.month, row.month)
            v = measure(state, g, p, q) if g is not None else None
            if v is not None:
                result.rows[i] = replace(row, value=v.value, lo=v.lo, hi=v.hi)
    result.extra["data_through"] = state.data_through()
    result.extra["model"] = state.meta.get("model", "")
    return result
