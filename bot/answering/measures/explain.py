"""Explain: what drives the next month's forecast of a place: its level against the 12-month
average, the recent level and trend, the season, months that ran hot, and the categories that move
it most. ``extra`` holds the figures; no rows. Needs served forecasts and a year of counts."""

from __future__ import annotations

import numpy as np

from bot.language.question import QueryError, Question
from bot.language.resolve import NO_FORECASTS

from ..result import INCIDENTS, Result
from ..series import chart_line, forecast_rows, forecast_total, history_rows, monthly_totals
from ..state import DataState


def evaluate(q: Question, state: DataState) -> Result:
    if not state.version or not state.forecast_series:
        raise QueryError(NO_FORECASTS, kind="no_forecasts")
    w = q.place
    hrows = history_rows(state, w, q.crime.categories)
    rows = forecast_rows(state, hrows)
    months, totals = monthly_totals(state, hrows)
    if not len(rows) or len(totals) < 12:
        cat = q.crime.label if q.crime.categories else "all reported crime"
        raise QueryError(
            f"Not enough history for {w.label}, {cat} to explain: there is nothing "
            "to compare with (a year of counts is needed).",
            kind="nothing_to_compare",
        )
    target = state.forecasts.months[0]
    mean, lo, hi = forecast_total(state, rows, [target])
    avg12, avg3 = float(totals[-12:].mean()), float(totals[-3:].mean())
    result = Result(INCIDENTS)
    x = result.extra
    x.update(
        target=target,
        mean=mean,
        lo=lo,
        hi=hi,
        avg12=avg12,
        avg3=avg3,
        direction="up" if mean > avg12 * 1.05 else ("down" if mean < avg12 * 0.95 else "level"),
        last6=float(totals[-6:].mean()),
        prior6=float(totals[-12:-6].mean()),
    )
    same = [i for i, m in enumerate(months) if m[5:] == target[5:]]
    if len(same) >= 2 and len(totals) >= 24:
        years = {m[:4] for m in months}
        annual = np.mean(
            [totals[[i for i, m in enumerate(months) if m[:4] == y]].mean() for y in years]
        )
        x["season"] = {
            "index": float(totals[same].mean()) / annual if annual else 1.0,
            "years": len(same),
        }
    sd = float(totals[-13:-1].std()) or 1.0
    x["hot"] = [
        (months[i], int(totals[i]))
        for i in range(max(0, len(totals) - 6), len(totals))
        if totals[i] > float(totals[-13:-1].mean()) + 2 * sd
    ]
    # which categories move the forecast most against their own 12-month average
    cats: dict[str, list[int]] = {}
    for i in rows:
        cats.setdefault(state.catalog.series[i][1], []).append(i)
    moves = []
    for cat, idx in cats.items():
        r = np.array(idx, dtype=np.int64)
        m = float(np.nansum(state.forecasts.take(r)[0][:, 0]))
        _, t = monthly_totals(state, r)  # counts share the forecasts' rows
        base = float(t[-12:].mean()) if len(t) else 0.0
        moves.append((m - base, cat, m, base))
    moves.sort(key=lambda v: -abs(v[0]))
    x["moves"] = moves[:3] if len(moves) > 1 else []
    model = state.meta.get("model") or ""
    x["model"] = f"{model} (forecast set v{state.version})" if model else f"v{state.version}"
    if q.chart:
        result.context["chart"] = chart_line(state, rows, hrows)
    return result
