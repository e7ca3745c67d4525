"""Peak and trough: the busiest / quietest month(s) of the period (``n`` of them when ranked;
ties broken by the earlier month)."""

from __future__ import annotations

from dataclasses import replace

from bot.language.question import MAX_RANK, Question

from ..result import INCIDENTS, Result, Row
from ..scope import groups
from ..state import DataState


def _months(q: Question, state: DataState, order: str) -> Result:
    result = Result(INCIDENTS)
    if q.period is None:
        return result
    n = min(q.ranking.n, MAX_RANK) if q.ranking else 1
    for g in groups(replace(q, by=None) if q.by == "month" else q, state):
        rows = g.rows(state)
        values = state.counts.take(rows) if len(rows) else None
        per = []
        for m in q.period.months:
            j = state.counts.col.get(m)
            if j is None:
                continue
            per.append((int(values[:, j].sum()) if values is not None else 0, m))
        sign = -1 if order == "peak" else 1
        per.sort(key=lambda x: (sign * x[0], x[1]))
        result.rows.extend(
            Row(area=g.area, region=g.region, category=g.category, month=m, value=float(v))
            for v, m in per[:n]
        )
    return result


def evaluate_peak(q: Question, state: DataState) -> Result:
    return _months(q, state, "peak")


def evaluate_trough(q: Question, state: DataState) -> Result:
    return _months(q, state, "trough")
