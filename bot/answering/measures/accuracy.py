"""Accuracy: how the forecasts made before each month did against what was then counted, from the
forecast archive and the counts at question time (no report needs to have been run).

Rows: per judged month (or per group of ``by`` over the judged months): ``value`` = counted,
``previous`` = the forecast made before, ``lo``/``hi`` its 80% range, ``change``/``pct`` the miss.
``extra``: the months judged, how many counts fell inside their range, the mean absolute error.
"""

from __future__ import annotations

from dataclasses import replace

from bot.language.question import Question

from ..archive import expected, judged_months
from ..result import INCIDENTS, Result, Row
from ..scope import groups
from ..state import DataState

RECENT = 12  # months looked at when no period was asked


def evaluate(q: Question, state: DataState) -> Result:
    result = Result(INCIDENTS)
    if q.period is not None:
        months = judged_months(state, q.period.months)
    else:
        months = judged_months(state, state.months[-RECENT:])
    result.extra["judged_months"] = months
    if not months:
        result.notes.append(
            "No forecast was archived before these months, so none can be judged "
            "yet: the archive fills as the workers train month by month."
        )
        return result
    by_month = q.by in (None, "month")
    for g in groups(replace(q, by=None) if by_month else q, state):
        rows = g.rows(state)
        spans = [[m] for m in months] if by_month else [months]
        for span in spans:
            exp = expected(state, rows, span)
            obs = state.count(rows, span)
            if exp is None or obs is None:
                continue
            result.rows.append(
                Row(
                    area=g.area,
                    region=g.region,
                    category=g.category,
                    month=span[0] if by_month else None,
                    period=None if by_month else f"{months[0]} – {months[-1]}",
                    value=float(obs),
                    lo=exp.lo,
                    hi=exp.hi,
                    previous=exp.mean,
                ).compared()
            )
    judged = result.rows
    if judged:
        inside = sum(1 for r in judged if r.lo <= r.value <= r.hi)
        result.extra.update(
            inside=inside,
            judged=len(judged),
            mean_abs_error=round(sum(abs(r.change) for r in judged) / len(judged), 3),
        )
    return result
