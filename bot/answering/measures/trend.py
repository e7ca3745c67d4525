"""Trend: a place's year to date against the same months a year before, the last 12 months against
the 12 before, the slope of the last 6, the busiest of the last 24 and the next month's forecast.

Rows: the last 24 complete months' totals (``month``, ``value``); ``extra``: the figures above.
"""

from __future__ import annotations

import numpy as np

from core.months import add_months

from bot.language.question import QueryError, Question

from ..result import INCIDENTS, Result, Row
from ..series import (
    chart_line,
    forecast_rows,
    forecast_total,
    history_rows,
    monthly_totals,
)
from ..state import DataState

SHOWN = 24


def evaluate(q: Question, state: DataState) -> Result:
    w = q.place
    hrows = history_rows(state, w, q.crime.categories)
    months, totals = monthly_totals(state, hrows)
    if not len(hrows) or not months:
        cat = q.crime.label if q.crime.categories else "all reported crime"
        raise QueryError(f"No counts for {w.label}, {cat} yet.", kind="bad_option")
    result = Result(INCIDENTS)
    result.rows = [Row(month=m, value=float(v)) for m, v in zip(months[-SHOWN:], totals[-SHOWN:])]
    x = result.extra
    last = months[-1]
    year = last[:4]
    ytd = [i for i, m in enumerate(months) if m[:4] == year]
    prev = [
        months.index(add_months(months[i], -12))
        for i in ytd
        if add_months(months[i], -12) in months
    ]
    x["ytd"] = {
        "year": year,
        "last_month": last,
        "count": int(totals[ytd].sum()),
        "previous": int(totals[prev].sum()) if len(prev) == len(ytd) else None,
    }
    if len(totals) >= 24:
        x["last12"] = {"count": int(totals[-12:].sum()), "previous": int(totals[-24:-12].sum())}
    if len(totals) >= 6:
        slope = float(np.polyfit(np.arange(6), totals[-6:].astype(float), 1)[0])
        level = float(totals[-6:].mean())
        word = (
            "flat"
            if abs(slope) < max(0.05 * level, 0.2)
            else ("rising" if slope > 0 else "falling")
        )
        x["last6"] = {"slope": slope, "level": level, "direction": word}
    peak = int(np.argmax(totals[-SHOWN:]))
    x["busiest"] = {"month": months[-SHOWN:][peak], "count": int(totals[-SHOWN:][peak])}
    fm = state.forecasts.months if state.version else []
    rows = forecast_rows(state, hrows)
    if fm and len(rows):
        mean, lo, hi = forecast_total(state, rows, fm[:1])
        x["next"] = {"month": fm[0], "mean": mean, "lo": lo, "hi": hi}
    if q.ranking is not None and q.ranking.measure == "rate":
        names = None if w.kind == "city" else tuple(w.names)
        x["rate"] = {
            "per_month": float(totals[-12:].sum()) / min(12, len(totals)),
            "population": state.population(names),
            "reference": bool(state.reference),
            "any_population": any(r.population for r in state.reference.values()),
        }
    if q.chart:
        result.context["chart"] = chart_line(state, rows, hrows)
    return result
