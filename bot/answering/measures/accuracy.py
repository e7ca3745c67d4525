"""Accuracy: how the forecasts made before each month did against what was then counted, from the
forecast archive and the counts at question time (no report needs to have been run).

Rows: per judged month (or per group of ``by`` over the judged months): ``value`` = counted,
``previous`` = the forecast made before, ``lo``/``hi`` its 80% range, ``change``/``pct`` the miss.
``extra``: the months judged, how many counts fell inside their range, the mean absolute error.
"""

from __future__ import annotations

from dataclasses import replace

from core.months import month_name

from bot.language.question import Question

from ..archive import expected, expected_or_why, judged_months
from ..result import INCIDENTS, Result, Row
from ..scope import groups
from ..state import DataState
from .calibration import series_scores

RECENT = 12  # months looked at when no period was asked
REVIEWED = 12  # months a review goes through, the newest of the period


def evaluate(q: Question, state: DataState) -> Result:
    if q.review:
        return _review(q, state)
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


def _review(q: Question, state: DataState) -> Result:
    """Month by month for the first place asked about (the newest complete month by default):
    a row per month (``previous`` None when no forecast made before it reaches it, and why in
    ``extra["unjudged"]``), and each judged month's scores series by series."""
    result = Result(INCIDENTS)
    x = result.extra
    newest = state.complete_through()
    p = q.period
    if not state.months or newest is None:
        x.update(judged_months=[], review_months=[], period=None)
        return result
    if p is None or p.first_day or not p.months:
        months, label = [newest], month_name(newest)
    else:
        months, label = list(p.months), p.label
    x["shown_of"] = len(months)
    months = months[-REVIEWED:]
    x.update(review_months=months, period=label, unjudged={}, series={})
    g = groups(replace(q, by=None), state)[0]
    rows = g.rows(state)
    for m in months:
        observed = state.count(rows, [m]) or 0
        exp, why = expected_or_why(state, rows, [m])
        row = Row(area=g.area, region=g.region, category=g.category, month=m, value=observed)
        if exp is None:
            x["unjudged"][m] = why
            result.rows.append(row)
            continue
        lo, hi = int(exp.lo), int(exp.hi)
        result.rows.append(replace(row, lo=lo, hi=hi, previous=exp.mean).compared())
        x.setdefault("made", {})[m] = {"made_with": list(exp.made_with), "steps": list(exp.steps)}
        x["series"][m] = series_scores(state, rows, m, misses=len(months) == 1)
    judged = [r for r in result.rows if r.previous is not None]
    x["judged_months"] = [r.month for r in judged]
    if judged:
        x.update(
            inside=sum(1 for r in judged if r.lo <= r.value <= r.hi),
            judged=len(judged),
            mean_abs_error=round(sum(abs(r.change) for r in judged) / len(judged), 3),
        )
    return result
