"""The figures a forecast, a comparison or a ranking ahead shows beside its evaluator's rows: the
forecast months, the total over them with its 80% range, the month to date, the same months a year
earlier, the recent trend, residents for a rate, the categories, and the chart lines; a ranking by
rate ahead and one area's categories ranked.

Pure over the frozen state: each function returns the result with its ``context`` (figures only;
:mod:`bot.rendering.forecast`, :mod:`bot.rendering.compare` and :mod:`bot.rendering.top` word them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from core.months import add_months, days_in_month, month_name, month_range
from core.negbin import total_interval as nb_total

from bot.language.question import CITY, QueryError, Question
from bot.language.resolve import NO_FORECASTS

from .result import INCIDENTS, Result
from .series import chart_line, forecast_rows, forecast_total, history_rows, monthly_totals
from .state import DataState


def _with(result: Result | None, ctx: dict) -> Result:
    out = replace(result) if result is not None else Result(INCIDENTS)
    out.context = ctx
    return out


def require_forecasts(state: DataState) -> None:
    if not state.version or not state.forecast_series:
        raise QueryError(NO_FORECASTS, kind="no_forecasts")


def rate_asked(q: Question) -> bool:
    return q.what == "rate" or (q.ranking is not None and q.ranking.measure == "rate")


def target_months(q: Question, state: DataState) -> tuple[list[str], str]:
    """The forecast months of the question and how they were named (``next``, ``this_month``,
    ``span``): "next month" is the month after the newest complete month, when the counts have
    moved past the forecasts' basis and the forecasts reach it."""
    fm = state.forecasts.months
    dt, lc = state.data_through(), state.last_closed
    start = fm.index(add_months(lc, 1)) if lc and dt and lc > dt and add_months(lc, 1) in fm else 0
    p = q.period
    if p is None or not p.future:
        return fm[start : start + 1], "next"
    if p.spec is not None and p.spec.kind == "this_month":
        return fm[start : start + 1], "this_month"
    months = month_range(p.start, add_months(p.start, p.n_months - 1))
    if not set(months) <= set(fm):
        raise QueryError(beyond(months[-1], fm, state.months), kind="bad_option")
    return months, "span"


def beyond(month: str, fm: list[str], hm: list[str]) -> str:
    """Why there is nothing for ``month``: past the forecasts, or before the data."""
    if fm and month > fm[-1]:
        return f"{month_name(month)} is beyond the forecasts, which reach {month_name(fm[-1])}."
    if hm and month < hm[0]:
        return f"{month_name(month)} is before the data, which start in {month_name(hm[0])}."
    return f"No data or forecast for {month_name(month)}."


def by_category(state: DataState, rows: np.ndarray, months) -> list[tuple[float, str, int, int]]:
    """(mean, category, lo, hi) of the rows' forecast per category over ``months``, largest first."""
    cats: dict[str, list[int]] = {}
    for i in rows:
        cats.setdefault(state.catalog.series[i][1], []).append(i)
    items = []
    for cat, idx in cats.items():
        m, lo, hi = forecast_total(state, np.array(idx, dtype=np.int64), months)
        items.append((m, cat, lo, hi))
    return sorted(items, reverse=True)


def forecast_context(q: Question, state: DataState, result: Result | None) -> Result:
    """One place's forecast over the forecast months and what is shown beside it."""
    require_forecasts(state)
    w = q.place
    hrows = history_rows(state, w, q.crime.categories)
    rows = forecast_rows(state, hrows)
    if not len(rows):
        cat = q.crime.label if q.crime.categories else "all reported crime"
        raise QueryError(
            f"No forecast for {w.label}, {cat}: none has been "
            "reported there in the data, so there is no series to forecast.",
            kind="bad_option",
        )
    months, mode = target_months(q, state)
    mean, lo, hi = forecast_total(state, rows, months)
    ctx: dict = {"months": months, "mode": mode, "total": (mean, lo, hi)}
    if mode == "this_month":
        ctx["month_to_date"] = _month_to_date(state, rows, hrows, months[0])
    ly = [add_months(m, -12) for m in months]
    ctx["last_year"] = (state.count(hrows, ly), ly)
    _, totals = monthly_totals(state, hrows)
    if len(totals) >= 15:
        ctx["trend"] = {
            "last3": int(totals[-3:].sum()),
            "last3_year_before": int(totals[-15:-12].sum()),
        }
    elif len(totals) >= 6:
        ctx["trend"] = {"last3": int(totals[-3:].sum()), "prev3": int(totals[-6:-3].sum())}
    if rate_asked(q):
        ctx["population"] = state.population(None if w.kind == "city" else w.names)
        ctx["reference"] = bool(state.reference)
        ctx["any_population"] = any(r.population for r in state.reference.values())
    if len(months) > 1:
        own = (
            result is not None and q.what == "forecast" and [r.month for r in result.rows] == months
        )
        ctx["by_month"] = (
            [(r.month, r.value, r.lo, r.hi) for r in result.rows]
            if own
            else [(m, *forecast_total(state, rows, [m])) for m in months]
        )
    if len({state.catalog.series[i][1] for i in rows}) > 1:
        ctx["by_category"] = by_category(state, rows, months)
    if q.chart:
        ctx["charts"] = [chart_line(state, rows, hrows)]
    return _with(result, ctx)


def _month_to_date(state: DataState, rows, hrows, month: str) -> dict:
    """Month to date (observed days) plus the forecast pro-rated over the days left."""
    wm = state.watermark
    y, m = int(month[:4]), int(month[5:])
    if wm is None or (wm.year, wm.month) != (y, m):
        return {}
    dim = days_in_month(month)
    counts = state.day_counts(date(y, m, 1), wm)
    wanted = {state.catalog.series[i] for i in hrows}
    observed = sum(v for k, v in counts.items() if k in wanted)
    j = state.forecasts.months.index(month)
    mean, alpha, _, _ = state.forecasts.take(rows)
    rest, lo, hi = nb_total(mean[:, j] * (dim - wm.day) / dim, alpha[:, j])
    return {
        "observed": observed,
        "days": wm.day,
        "dim": dim,
        "rest": (float(rest), int(lo), int(hi)),
    }


def compare_context(q: Question, state: DataState, result: Result | None) -> Result:
    """Each place's (or one place's categories') forecast over the forecast months, the same
    months a year earlier and the last 12 months."""
    require_forecasts(state)
    months, _ = target_months(q, state)
    if not months:
        raise QueryError("Comparisons are for forecast months.", kind="bad_option")
    places = list(q.where) or [CITY]
    if len(places) == 1 and q.crime.categories:  # the categories asked within one place
        groups = [(" ".join(c.split()), places[0], (c,)) for c in q.crime.categories]
    else:
        groups = [(w.label, w, q.crime.categories) for w in places]
    items = []
    for label, w, cats in groups:
        hrows = history_rows(state, w, cats)
        rows = forecast_rows(state, hrows)
        item = {"label": label, "where": w}
        if len(rows):
            _, totals = monthly_totals(state, hrows)
            item.update(
                total=forecast_total(state, rows, months),
                last_year=state.count(hrows, [add_months(m, -12) for m in months]),
                last12=int(totals[-12:].sum()) if len(totals) else 0,
            )
            if rate_asked(q):
                item["population"] = state.population(None if w.kind == "city" else w.names)
            if q.chart:
                item["chart"] = chart_line(state, rows, hrows)
        items.append(item)
    ctx = {
        "months": months,
        "items": items,
        "reference": bool(state.reference),
        "any_population": any(r.population for r in state.reference.values()),
    }
    return _with(result, ctx)


def top_context(q: Question, state: DataState, result: Result | None) -> Result:
    """A ranking ahead: the forecast months, and, where the evaluator's rows are not the ranking
    asked, one area's categories ranked or the areas ranked by rate (or by forecast when no
    population is loaded)."""
    if q.period is not None and not q.period.future:  # a past period: the evaluator's rows
        return _with(result, {"past": True})
    require_forecasts(state)
    months, _ = target_months(q, state)
    if not months:
        raise QueryError(
            "Top lists are for forecast months; ask e.g. `top 5 next month`.", kind="bad_option"
        )
    n = q.ranking.n if q.ranking else 5
    w = q.place
    ctx: dict = {"months": months, "n": n}
    if w.kind == "area" and len(w.names) == 1:
        rows = forecast_rows(state, history_rows(state, w, q.crime.categories))
        ctx["categories"] = by_category(state, rows, months)[:n]
    elif rate_asked(q) or result is None:
        ctx["rates"] = _rates(q, state, w, months, n)
    return _with(result, ctx)


def _rates(q: Question, state: DataState, w, months: list[str], n: int) -> dict:
    """Areas ranked by their forecast per 1,000 residents (areas under 500 residents left out),
    or by forecast when no population is loaded."""
    fc, cat = state.forecasts.all(), state.catalog
    cols = [fc.months.index(m) for m in months]
    mask = np.ones(len(cat.series), dtype=bool)
    if q.crime.categories:
        wanted = [i for i, c in enumerate(cat.categories) if c in set(q.crime.categories)]
        mask &= np.isin(cat.category_of, wanted)
    if w.kind != "city":
        allowed = [i for i, c in enumerate(cat.communities) if c in set(w.names)]
        mask &= np.isin(cat.community_of, allowed)
    means = np.nan_to_num(fc.mean[:, cols]).sum(axis=1) * mask
    totals = np.bincount(cat.community_of, weights=means, minlength=len(cat.communities))
    by_rate = any(r.population for r in state.reference.values())
    score = totals
    if by_rate:
        pops = np.array(
            [state.population((c,)) for c in cat.communities],
            dtype=float,
        )
        score = np.where(pops >= 500, totals / np.maximum(pops, 1) * 1000, -1.0)
    order = [i for i in np.argsort(-score, kind="stable") if score[i] > 0][:n]
    ranked = []
    for ci in order:
        rows = np.flatnonzero(mask & (cat.community_of == ci))
        ranked.append(
            (
                cat.communities[ci],
                *forecast_total(state, rows, months),
                float(score[ci]) if by_rate else None,
            )
        )
    return {"by_rate": by_rate, "ranked": ranked}
