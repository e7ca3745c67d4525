"""Explain: what drives a forecast (recent level, trend, season, hot months, categories)."""

from __future__ import annotations

import numpy as np

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.language.names import normalise
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_change, fmt_range


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    view.require_forecasts()
    place = query.place
    rows = view.rows(place, query.categories)
    hrows = view.rows(place, query.categories, history=True)
    months, totals = view.hist_series(hrows)
    if not len(rows) or len(totals) < 12:
        raise QueryError(
            f"Not enough history for {view.describe(place, query)} to explain: there is nothing "
            "to compare with (a year of counts is needed).",
            kind="nothing_to_compare",
        )
    target = view.fc.months[0]
    mean, lo, hi = view.forecast_total(rows, [target])
    a = view.base(query, f"Why: {view.describe(place, query)}, {month_name(target)}")
    avg12 = float(totals[-12:].mean())
    avg3 = float(totals[-3:].mean())
    direction = "up" if mean > avg12 * 1.05 else ("down" if mean < avg12 * 0.95 else "level")
    a.lines.append(
        f"**Forecast {fmt_range(mean, lo, hi)}**, {direction} against the 12-month "
        f"average of {avg12:.0f}/month ({fmt_change(mean, avg12)})."
    )
    if direction != "up" and "up" in normalise(query.text).split():
        a.lines.append(
            f"ℹ {place.label} is not forecast up: the expected count is "
            f"{'close to' if direction == 'level' else 'below'} its recent average."
        )
    drivers = []
    drivers.append(
        (
            "Recent level",
            f"last 3 months averaged {avg3:.0f}/month vs {avg12:.0f} over "
            f"12 ({fmt_change(avg3, avg12)})",
        )
    )
    if len(totals) >= 12:
        l6, p6 = float(totals[-6:].mean()), float(totals[-12:-6].mean())
        drivers.append(
            (
                "Trend",
                f"last 6 months {l6:.0f}/month vs {p6:.0f} the 6 before ({fmt_change(l6, p6)})",
            )
        )
    same = [i for i, m in enumerate(months) if m[5:] == target[5:]]
    if len(same) >= 2 and len(totals) >= 24:
        years = {m[:4] for m in months}
        annual = np.mean(
            [totals[[i for i, m in enumerate(months) if m[:4] == y]].mean() for y in years]
        )
        season = float(totals[same].mean()) / annual if annual else 1.0
        drivers.append(
            (
                "Season",
                f"{month_name(target).split()[0]} has run {fmt_change(season, 1.0)}"
                f" against an average month over {len(same)} years",
            )
        )
        a.data["season_index"] = round(season, 3)
    sd = float(totals[-13:-1].std()) or 1.0
    hot = [
        (months[i], int(totals[i]))
        for i in range(max(0, len(totals) - 6), len(totals))
        if totals[i] > float(totals[-13:-1].mean()) + 2 * sd
    ]
    if hot:
        drivers.append(
            (
                "Ran hot",
                ", ".join(f"{m} ({v})" for m, v in hot)
                + " — above 2 standard deviations of the prior year",
            )
        )
    else:
        drivers.append(("Ran hot", "no month in the last 6 stood out"))
    # which categories move the forecast most against their own 12-month average
    contrib = []
    cats: dict[str, list[int]] = {}
    for i in rows:
        cats.setdefault(view.fc.series[i][1], []).append(i)
    for cat, idx in cats.items():
        m = float(np.nansum(view.fc.take(np.array(idx, dtype=np.int64))[0][:, 0]))
        _, t = view.hist_series(np.array(idx, dtype=np.int64))  # counts share the forecasts' rows
        base = float(t[-12:].mean()) if len(t) else 0.0
        contrib.append((m - base, cat, m, base))
    contrib.sort(key=lambda x: -abs(x[0]))
    if len(contrib) > 1:
        drivers.append(
            (
                "Largest moves",
                "; ".join(
                    f"{' '.join(c.split())} {d:+.1f} ({base:.1f} → {m:.1f})"
                    for d, c, m, base in contrib[:3]
                ),
            )
        )
    a.fields.extend(drivers)
    a.fields.append(("Model", view.model_label()))
    a.data.update(
        {
            "place": place.to_dict(),
            "months": [target],
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
            "avg12": round(avg12, 2),
            "avg3": round(avg3, 2),
            "direction": direction,
            "drivers": dict(drivers),
        }
    )
    a.caveat = CAVEAT
    if query.chart:
        a.chart = view.line_chart(a.title, [(place.label, rows, hrows)])
    return a
