"""Forecast: the expected count for a place and categories over future months, with its 80% range.

A month already in the data is a past question: the resolver makes it a count.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from core.months import add_months, month_name
from core.negbin import total_interval as nb_total

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_change, fmt_range


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """The forecast total and 80% range for the query's place, categories and months (a month
    already in the data is a count: the resolver decides, :mod:`.count` answers)."""
    view.require_forecasts()
    place = query.place
    rows = view.rows(place, query.categories)
    if not len(rows):
        raise QueryError(
            f"No forecast for {view.describe(place, query)}: none has been "
            "reported there in the data, so there is no series to forecast.",
            kind="bad_option",
        )
    hrows = view.rows(place, query.categories, history=True)
    f_months, _, mode = view.target_months(query.horizon)
    mean, lo, hi = view.forecast_total(rows, f_months)
    span = (
        month_name(f_months[0])
        if len(f_months) == 1
        else f"{month_name(f_months[0])} – {month_name(f_months[-1])}"
    )
    a = view.base(query, f"{view.describe(place, query)}: {span}")
    if query.horizon.kind == "next" and query.horizon.n > len(f_months):
        a.lines.append(f"ℹ The forecasts reach {len(f_months)} month(s) ahead; showing those.")
    total_label = "Expected" if len(f_months) == 1 else f"Expected over {len(f_months)} months"
    if mode == "this_month":
        a = _this_month(view, query, place, rows, hrows, f_months[0], a)
    else:
        a.lines.insert(0, f"**{total_label}: {fmt_range(mean, lo, hi)}** reported incidents.")
    a.data.update(
        {
            "place": place.to_dict(),
            "months": f_months,
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
        }
    )
    # same months last year
    ly = [add_months(m, -12) for m in f_months]
    last_year = view.observed(hrows, ly)
    if last_year is not None:
        label = month_name(ly[0]) if len(ly) == 1 else f"{ly[0]} – {ly[-1]}"
        a.fields.append(("Same period last year", f"{last_year:,} ({label})"))
        a.data["last_year"] = last_year
    _trend_fields(view, a, hrows)
    if query.per_1000:
        rate, note = view.rate(place, mean)
        if rate is None:
            a.lines.append(f"ℹ {note}")
        else:
            period = "" if len(f_months) == 1 else f" over {len(f_months)} months"
            a.fields.append(("Rate", f"{rate:.2f} {note}{period}"))
            a.data["rate_per_1000"] = round(rate, 3)
    if len(f_months) > 1:
        m_mean, m_lo, m_hi = view.forecast_line(rows, f_months)
        a.fields.append(
            (
                "By month",
                "\n".join(
                    f"{m}: {fmt_range(x, l, h)}" for m, x, l, h in zip(f_months, m_mean, m_lo, m_hi)
                ),
            )
        )
    if len({view.fc.series[i][1] for i in rows}) > 1:
        a.fields.append(("By category", _by_category(view, rows, f_months)))
    a.fields.append(("Model", view.model_label()))
    a.caveat = CAVEAT
    if query.chart:
        a.chart = view.line_chart(f"{view.describe(place, query)}", [(place.label, rows, hrows)])
    return a


def _this_month(view: View, query, place, rows, hrows, month, a: Answer) -> Answer:
    """Month to date (observed days) plus the forecast pro-rated over the days left."""
    from calendar import monthrange

    y, m = int(month[:4]), int(month[5:])
    dim = monthrange(y, m)[1]
    wm = view.hist.watermark
    if wm is None or (wm.year, wm.month) != (y, m):
        a.lines.insert(
            0,
            f"**Expected: {fmt_range(*view.forecast_total(rows, [month]))}** "
            f"reported incidents in {month_name(month)}.",
        )
        a.lines.append(
            f"ℹ No days of {month_name(month)} have been counted yet, so this is the "
            "whole-month forecast."
        )
        return a
    days = wm.day
    counts = view.state.day_counts(date(y, m, 1), wm)
    wanted = {view.hist.series[i] for i in hrows}
    observed = sum(v for k, v in counts.items() if k in wanted)
    frac = (dim - days) / dim
    j = view.fc.months.index(month)
    mean, alpha, _, _ = view.fc.take(rows)
    rest, lo, hi = nb_total(mean[:, j] * frac, alpha[:, j])
    a.lines.insert(
        0,
        f"**{month_name(month)} so far: {observed:,}** (days 1–{days} of {dim}); "
        f"expected for the rest: {fmt_range(rest, lo, hi)}; month total "
        f"{fmt_range(observed + rest, observed + lo, observed + hi)}.",
    )
    a.data.update({"month_to_date": observed, "days": days, "days_in_month": dim})
    return a


def _trend_fields(view: View, a: Answer, hrows: np.ndarray) -> None:
    months, totals = view.hist_series(hrows)
    if len(totals) >= 15:
        last3, ly3 = int(totals[-3:].sum()), int(totals[-15:-12].sum())
        a.fields.append(
            (
                "Recent trend",
                f"last 3 months {last3:,} vs {ly3:,} a year earlier ({fmt_change(last3, ly3)})",
            )
        )
        a.data["trend"] = {"last3": last3, "last3_year_before": ly3}
    elif len(totals) >= 6:
        last3, prev3 = int(totals[-3:].sum()), int(totals[-6:-3].sum())
        a.fields.append(
            (
                "Recent trend",
                f"last 3 months {last3:,} vs {prev3:,} the 3 before ({fmt_change(last3, prev3)})",
            )
        )
        a.data["trend"] = {"last3": last3, "prev3": prev3}


def _by_category(view: View, rows: np.ndarray, months: list[str]) -> str:
    groups: dict[str, list[int]] = {}
    for i in rows:
        groups.setdefault(view.fc.series[i][1], []).append(i)
    items = []
    for cat, idx in groups.items():
        m, lo, hi = view.forecast_total(np.array(idx), months)
        items.append((m, cat, lo, hi))
    items.sort(reverse=True)
    text = "\n".join(f"{' '.join(c.split())}: {fmt_range(m, lo, hi)}" for m, c, lo, hi in items)
    return text[:1000]
