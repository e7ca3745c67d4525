"""The figures a count or a change shows beside its evaluator's rows, for each place asked about:
the same period a year earlier, what the forecast made before the period expected (the archive),
cells the source suppressed, residents for a rate; for one place, the period month by month and
category by category, the last 3 and 12 months against a year before, and its chart.

Pure over the frozen state: :func:`past_context` returns the result with its ``context``
(figures only; :mod:`bot.rendering.count` and :mod:`bot.rendering.change` word them). A figure the
evaluator already has (its count, its year-earlier count) is taken from its rows, not counted again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from core.months import month_name

from bot.language.question import CITY, QueryError, Question
from bot.language.spans import Span

from .archive import expected_or_why
from .result import INCIDENTS, Result, Row
from .series import chart_line, forecast_rows, history_rows, monthly_totals
from .state import DataState

BY_MONTH_MAX = 24


def span_of(q: Question, state: DataState) -> Span:
    """The resolved period as a :class:`Span` (months, or days on a day-level source); the newest
    complete month when none applies; a :class:`QueryError` when there are no counts."""
    if not state.months or state.complete_through() is None:
        raise QueryError(
            "No counts yet: ingest data first (`crimecast ingest` or `crimecast demo`).",
            kind="no_data",
        )
    p = q.period
    if p is None or p.future:
        newest = state.complete_through()
        return Span(month_name(newest), [newest])
    if p.first_day:
        return Span(p.label, days=(date.fromisoformat(p.first_day), date.fromisoformat(p.last_day)))
    return Span(p.label, list(p.months))


def count(state: DataState, rows: np.ndarray, span: Span) -> int | None:
    """Reported incidents in the rows over the span (None when outside the data)."""
    if span.days is not None:
        wanted = {state.catalog.series[i] for i in rows}
        return sum(v for k, v in state.day_counts(*span.days).items() if k in wanted)
    return state.count(rows, span.months)


def evaluated(result: Result | None, n_places: int, span: Span) -> list[Row] | None:
    """The evaluator's row for each place (one each, in order), or None when its rows are another
    split (by month) or the period is days."""
    if result is None or span.days is not None:
        return None
    rows = result.rows
    if len(rows) != n_places or any(r.month is not None or r.value is None for r in rows):
        return None
    return rows


def past_context(q: Question, state: DataState, result: Result | None, intent: str) -> Result:
    """``result`` with its ``context``: the period, one item per place, and for one place
    the breakdowns (``intent``: ``count`` or ``change``, which figures it shows)."""
    span = span_of(q, state)
    places = list(q.where) or [CITY]
    prev_span = span.previous_year()
    rows_of = evaluated(result, len(places), span)
    items, all_rows = [], []
    for k, w in enumerate(places):
        hrows = history_rows(state, w, q.crime.categories)
        all_rows.append(hrows)
        row = rows_of[k] if rows_of else None
        n = int(row.value) if row is not None else count(state, hrows, span) or 0
        if intent == "change" and row is not None:
            before = int(row.previous) if row.previous is not None else None
        elif prev_span.days is not None or all(m in state.counts.col for m in prev_span.months):
            before = count(state, hrows, prev_span)
        else:
            before = None
        item = {"observed": n, "previous": before}
        if intent == "count":
            item["suppressed"] = state.suppressed_cells(hrows, span.months)
            if span.days is None:
                exp, why = expected_or_why(state, hrows, span.months)
                item["forecast"] = None
                if exp is not None:
                    item["forecast"] = {
                        "mean": exp.mean,
                        "lo": int(exp.lo),
                        "hi": int(exp.hi),
                        "made_with": list(exp.made_with),
                        "steps": list(exp.steps),
                    }
                else:
                    item["why"] = why
            if q.what == "rate" or (q.ranking is not None and q.ranking.measure == "rate"):
                item["population"] = state.population(None if w.kind == "city" else w.names)
        items.append(item)
    ctx = {
        "span": {
            "label": span.label,
            "months": list(span.months),
            "days": [d.isoformat() for d in span.days] if span.days else None,
        },
        "previous_label": prev_span.label,
        "first_month": state.months[0],
        "items": items,
        "reference": bool(state.reference),
        "any_population": any(r.population for r in state.reference.values()),
    }
    if len(places) == 1:
        _one_place(q, state, ctx, all_rows[0], span, intent)
    elif intent == "change" and q.chart:
        ctx["charts"] = [chart_line(state, forecast_rows(state, r), r) for r in all_rows]
    out = replace(result) if result is not None else Result(INCIDENTS)
    out.context = ctx
    return out


def _one_place(q: Question, state: DataState, ctx: dict, hrows, span: Span, intent: str) -> None:
    """The breakdowns of one place's period (count) or its recent months (change), and its chart."""
    if intent == "count" and span.days is None:
        if 1 < len(span.months) <= BY_MONTH_MAX:
            ctx["by_month"] = [(m, state.count(hrows, [m])) for m in span.months]
        cats: dict[str, list[int]] = {}
        for i in hrows:
            cats.setdefault(state.catalog.series[i][1], []).append(i)
        if len(cats) > 1:
            ctx["by_category"] = sorted(
                (
                    (state.count(np.array(idx, dtype=np.int64), span.months) or 0, cat)
                    for cat, idx in cats.items()
                ),
                reverse=True,
            )
    if intent == "change":
        months, totals = monthly_totals(state, hrows)
        if len(totals) >= 15:
            ctx["last3"] = {
                "from": months[-3],
                "to": months[-1],
                "count": int(totals[-3:].sum()),
                "previous": int(totals[-15:-12].sum()),
            }
        if len(totals) >= 24:
            ctx["last12"] = {
                "to": months[-1],
                "count": int(totals[-12:].sum()),
                "previous": int(totals[-24:-12].sum()),
            }
    if q.chart:
        ctx["charts"] = [chart_line(state, forecast_rows(state, hrows), hrows)]
