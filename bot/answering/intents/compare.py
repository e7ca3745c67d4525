"""Compare: two or more places (or one place's categories) side by side, forecast and history."""

from __future__ import annotations

from core.months import add_months, month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_range


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """Each place's forecast over the forecast months (a past period is a count: the resolver
    decides, :mod:`.count` answers)."""
    view.require_forecasts()
    places = list(query.places)
    cat_groups: list[tuple[str, tuple[str, ...]]] = []
    if len(places) == 1:  # compare the categories asked within one place
        cat_groups = [(" ".join(c.split()), (c,)) for c in query.categories]
    f_months, _, _ = view.target_months(query.horizon)
    if not f_months:
        raise QueryError("Comparisons are for forecast months.", kind="bad_option")
    span = month_name(f_months[0]) if len(f_months) == 1 else f"{f_months[0]} – {f_months[-1]}"
    items = (
        [(p.label, p, query.categories) for p in places]
        if not cat_groups
        else [(lbl, places[0], cats) for lbl, cats in cat_groups]
    )
    title = " vs ".join(lbl for lbl, _, _ in items)
    a = view.base(query, f"{title}: {query.category_label}, {span}"[:250])
    out, lines = [], []
    for label, place, cats in items:
        rows = view.rows(place, cats)
        hrows = view.rows(place, cats, history=True)
        if not len(rows):
            a.lines.append(f"**{label}**: no forecasts for {query.category_label}.")
            continue
        mean, lo, hi = view.forecast_total(rows, f_months)
        ly = view.observed(hrows, [add_months(m, -12) for m in f_months])
        months, totals = view.hist_series(hrows)
        l12 = int(totals[-12:].sum()) if len(totals) else 0
        text = f"**{label}** — {fmt_range(mean, lo, hi)}"
        item = {
            "label": label,
            "place": place.to_dict(),
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
            "last_year": ly,
            "last12": l12,
        }
        if ly is not None:
            text += f"; same period last year {ly:,}"
        text += f"; last 12 months {l12:,}"
        if query.per_1000:
            rate, note = view.rate(place, mean)
            if rate is not None:
                text += f"; {rate:.2f} per 1,000 residents"
                item["rate_per_1000"] = round(rate, 3)
            else:
                a.warnings.append(note)
        a.lines.append(text)
        out.append(item)
        lines.append((label, rows, hrows))
    if len(out) == 2:
        x, y = out
        if x["lo80"] <= y["hi80"] and y["lo80"] <= x["hi80"]:
            a.lines.append("ℹ The 80% ranges overlap: the difference may not be real.")
    if query.per_1000:
        a.lines.append(f"ℹ Rates are per 1,000 residents ({view.population_label()}).")
    a.data.update({"months": f_months, "items": out})
    a.caveat = CAVEAT
    if query.chart and lines:
        a.chart = view.line_chart(a.title, lines)
    return a
