"""Change: is it up or down? A period's count against the same months a year earlier (year over
year), with the last 3 and 12 months beside it, and a word on whether chance alone could explain it.
"""

from __future__ import annotations

from core.months import month_name

from .. import past
from ..answer import CAVEAT, Answer
from ..periods import Period
from ..query import Query
from ..view import View
from ..wording import fmt_change

THIS_YEAR = Period("this_year", "this year")


def answer(view: View, query: Query) -> Answer:
    """Year over year for the period asked (this year to date when none was named)."""
    span = past.span_of(view, query.period, THIS_YEAR)
    place = query.place
    what = query.category_label if query.categories else "all reported crime"
    a = view.base(query, f"Up or down? {place.label}, {what}: {span.label} vs a year earlier"[:250])
    if query.period is None:
        a.lines.append(f"ℹ No period named: comparing {span.label} with the same months a year "
                       "earlier.")
    for note in span.notes:
        a.lines.append(f"ℹ {note}")
    hrows = view.rows(place, query.categories, history=True)
    now = past.count(view, hrows, span) or 0
    prev_span = span.previous_year()
    text, prev = past.year_earlier(view, hrows, span, now)
    before = prev.get("previous")
    if before is None:
        a.lines.append(f"**{span.label}: {now:,}** reported; {text}, so I can't say up or down.")
        direction = None
    else:
        direction = "up" if now > before else "down" if now < before else "level"
        word = {"up": "Up", "down": "Down", "level": "Level"}[direction]
        a.lines.append(f"**{word}: {now:,}** reported in {span.label} vs {before:,} in "
                       f"{prev_span.label} ({fmt_change(now, before)}).")
        note = past.chance_note(now, before)
        if note:
            a.lines.append(f"ℹ {note}")
    months, totals = view.hist_series(hrows)
    if len(totals) >= 15:
        l3, p3 = int(totals[-3:].sum()), int(totals[-15:-12].sum())
        a.fields.append(("Last 3 months", f"{l3:,} ({months[-3]} – {months[-1]}) vs {p3:,} a year "
                                          f"earlier ({fmt_change(l3, p3)})"))
    if len(totals) >= 24:
        l12, p12 = int(totals[-12:].sum()), int(totals[-24:-12].sum())
        a.fields.append(("Last 12 months", f"{l12:,} vs {p12:,} the 12 before "
                                           f"({fmt_change(l12, p12)}), to {month_name(months[-1])}"))
    a.data.update({"place": place.to_dict(), "months": span.months, "period": span.label,
                   "observed": now, "direction": direction, **prev})
    a.caveat = CAVEAT
    if query.chart:
        a.chart = view.line_chart(a.title, [(place.label, view.forecast_rows(query), hrows)])
    return a
