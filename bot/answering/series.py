"""A place's series over the frozen data state: its rows, its monthly totals of complete months, and
the served forecasts summed over rows and months (negative-binomial totals).

Shared by the evaluators that read a place's history as a whole (trend, explain, the chart): pure
over a :class:`~bot.answering.state.DataState`, no client call.
"""

from __future__ import annotations

import numpy as np

from core.negbin import total_interval as nb_total

from bot.language.question import Where

from .state import DataState


def history_rows(state: DataState, w: Where, categories: tuple[str, ...]) -> np.ndarray:
    """Every series of the place and categories (the counts' rows)."""
    return state.rows(None if w.kind == "city" else tuple(w.names), categories)


def forecast_rows(state: DataState, rows: np.ndarray) -> np.ndarray:
    """Those of ``rows`` with a served forecast (none before the first forecast)."""
    return state.forecasts.has(rows) if state.version else rows[:0]


def monthly_totals(state: DataState, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The complete months of the counts and the rows' total in each."""
    last = state.complete_through()
    months = [m for m in state.months if last is None or m <= last]
    n = len(months)
    totals = state.counts.take(rows)[:, :n].sum(axis=0) if len(rows) else np.zeros(n, np.int64)
    return months, totals


def forecast_total(state: DataState, rows: np.ndarray, months) -> tuple[float, int, int]:
    """Mean and 80% range of the served forecasts summed over rows and months."""
    fm = state.forecasts.months
    cols = [fm.index(m) for m in months]
    mean, alpha, lo, hi = state.forecasts.take(rows)
    if len(rows) == 1 and len(cols) == 1:  # one series, one month: the served interval
        j = cols[0]
        return float(mean[0, j]), int(lo[0, j]), int(hi[0, j])
    m, a, b = nb_total(mean[:, cols].ravel(), alpha[:, cols].ravel())
    return float(m), int(a), int(b)


def chart_line(state: DataState, rows: np.ndarray, hrows: np.ndarray, shown: int = 24) -> dict:
    """What a chart of the place draws: the last ``shown`` complete months' totals (of ``hrows``)
    and the served forecast of ``rows`` month by month with its 80% range."""
    months, totals = monthly_totals(state, hrows)
    out = {"months": months[-shown:], "values": [float(v) for v in totals[-shown:]]}
    fm = state.forecasts.months if state.version else []
    if len(rows) and fm:
        band = [forecast_total(state, rows, [m]) for m in fm]
        out.update(
            f_months=list(fm),
            f_mean=[round(b[0], 2) for b in band],
            f_lo=[b[1] for b in band],
            f_hi=[b[2] for b in band],
        )
    return out
