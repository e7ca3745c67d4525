"""Change: is it up or down? A period's count against the same months a year earlier (year over
year), with the last 3 and 12 months beside it, and a word on whether chance alone could explain it.
"""

from __future__ import annotations

from core.months import month_name

from bot.answering import past
from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import Asked
from bot.answering.result import Result
from bot.answering.view import View
from bot.rendering.wording import fmt_change


def answer(view: View, query: Asked, result: Result | None = None) -> Answer:
    """Year over year for the period asked (the resolver's default when none was named)."""
    span = past.span_of(view, query)
    place = query.place
    where = " + ".join(p.label for p in query.places) or place.label
    what = query.category_label if query.categories else "all reported crime"
    a = view.base(query, f"Up or down? {where}, {what}: {span.label} vs a year earlier"[:250])
    for note in span.notes:
        a.lines.append(f"ℹ {note}")
    prev_span = span.previous_year()
    results = []
    places = list(query.places) or [place]
    rows = past.evaluated(result, len(places), span)  # the evaluator's, when one per place
    for k, p in enumerate(places):
        hrows_p = view.rows(p, query.categories, history=True)
        label = p.label if len(query.places) > 1 else ""
        results.append(
            (p, hrows_p)
            + _verdict(view, hrows_p, span, prev_span, label, rows[k] if rows else None)
        )
        a.lines.extend(results[-1][3])
    _, hrows, now, _, prev, direction = results[0]
    months, totals = view.hist_series(hrows) if len(results) == 1 else ([], [])
    if len(totals) >= 15:
        l3, p3 = int(totals[-3:].sum()), int(totals[-15:-12].sum())
        a.fields.append(
            (
                "Last 3 months",
                f"{l3:,} ({months[-3]} – {months[-1]}) vs {p3:,} a year "
                f"earlier ({fmt_change(l3, p3)})",
            )
        )
    if len(totals) >= 24:
        l12, p12 = int(totals[-12:].sum()), int(totals[-24:-12].sum())
        a.fields.append(
            (
                "Last 12 months",
                f"{l12:,} vs {p12:,} the 12 before "
                f"({fmt_change(l12, p12)}), to {month_name(months[-1])}",
            )
        )
    a.data.update(
        {
            "place": place.to_dict(),
            "months": span.months,
            "period": span.label,
            "observed": now,
            "direction": direction,
            **prev,
        }
    )
    if len(results) > 1:
        a.data["items"] = [
            {"label": p.label, "place": p.to_dict(), "observed": n, "direction": d, **pv}
            for p, _, n, _, pv, d in results
        ]
    a.caveat = CAVEAT
    if query.chart:
        a.chart = view.line_chart(
            a.title,
            [
                (p.label, view.rows(p, query.categories) if view.fc.version else hr[:0], hr)
                for p, hr, *_ in results
            ],
        )
    return a


def _verdict(view: View, hrows, span, prev_span, label: str, row=None):
    """(count, lines, year-earlier data, direction) for one place (``row``: the evaluator's)."""
    now = int(row.value) if row is not None else past.count(view, hrows, span) or 0
    text, prev = past.year_earlier(view, hrows, span, now, row)
    before = prev.get("previous")
    who = f"{label}: " if label else ""
    lines = []
    if before is None:
        lines.append(f"{who}**{span.label}: {now:,}** reported; {text}, so I can't say up or down.")
        return now, lines, prev, None
    direction = "up" if now > before else "down" if now < before else "level"
    word = {"up": "Up", "down": "Down", "level": "Level"}[direction]
    lines.append(
        f"{who}**{word}: {now:,}** reported in {span.label} vs {before:,} in "
        f"{prev_span.label} ({fmt_change(now, before)})."
    )
    note = past.chance_note(now, before)
    if note:
        lines.append(f"ℹ {note}")
    return now, lines, prev, direction
