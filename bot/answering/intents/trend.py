"""Trend: year to date, the last 12 months and the last 6 months of a place's counts."""

from __future__ import annotations

import numpy as np

from core.months import add_months, month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_change, fmt_range


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    place = query.place
    hrows = view.rows(place, query.categories, history=True)
    months, totals = view.hist_series(hrows)
    if not len(hrows) or not months:
        raise QueryError(f"No counts for {view.describe(place, query)} yet.", kind="bad_option")
    a = view.base(query, f"Trend: {view.describe(place, query)}")
    last = months[-1]
    year = last[:4]
    ytd = [i for i, m in enumerate(months) if m[:4] == year]
    ytd_now = int(totals[ytd].sum())
    prev_idx = [
        months.index(add_months(months[i], -12))
        for i in ytd
        if add_months(months[i], -12) in months
    ]
    a.data.update(
        {
            "place": place.to_dict(),
            "history_months": months[-24:],
            "history": [int(x) for x in totals[-24:]],
        }
    )
    if len(prev_idx) == len(ytd):
        ytd_prev = int(totals[prev_idx].sum())
        span = f"Jan–{month_name(last).split()[0][:3]}"
        a.lines.append(
            f"**{year} so far ({span}): {ytd_now:,}** reported vs {ytd_prev:,} in the "
            f"same months of {int(year) - 1} ({fmt_change(ytd_now, ytd_prev)})."
        )
        a.data["ytd"] = {"year": year, "count": ytd_now, "previous": ytd_prev}
    else:
        a.lines.append(f"**{year} so far: {ytd_now:,}** reported.")
    if len(totals) >= 24:
        l12, p12 = int(totals[-12:].sum()), int(totals[-24:-12].sum())
        a.fields.append(
            ("Last 12 months", f"{l12:,} vs {p12:,} the 12 before ({fmt_change(l12, p12)})")
        )
        a.data["last12"] = {"count": l12, "previous": p12}
    if len(totals) >= 6:
        x = np.arange(6)
        slope = float(np.polyfit(x, totals[-6:].astype(float), 1)[0])
        level = float(totals[-6:].mean())
        word = (
            "flat"
            if abs(slope) < max(0.05 * level, 0.2)
            else ("rising" if slope > 0 else "falling")
        )
        a.fields.append(
            ("Last 6 months", f"{word} ({slope:+.1f} a month around {level:.0f}/month)")
        )
    peak = int(np.argmax(totals[-24:]))
    recent = months[-24:]
    a.fields.append(("Busiest month (last 24)", f"{recent[peak]}: {int(totals[-24:][peak]):,}"))
    if view.fc.version and view.fc.months:
        rows = view.rows(place, query.categories)
        if len(rows):
            m, lo, hi = view.forecast_total(rows, view.fc.months[:1])
            a.fields.append((f"Forecast {view.fc.months[0]}", fmt_range(m, lo, hi)))
    if query.per_1000:
        rate, note = view.rate(place, float(totals[-12:].sum()) / min(12, len(totals)))
        a.fields.append(("Rate", f"{rate:.2f} a month {note}" if rate is not None else note))
    a.caveat = CAVEAT
    if query.chart:
        rows = view.rows(place, query.categories) if view.fc.version else np.zeros(0, np.int64)
        a.chart = view.line_chart(a.title, [(place.label, rows, hrows)])
    return a
