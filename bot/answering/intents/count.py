"""Count: how many were reported in a past period ("last month", "in 2022", "since June", "last
week" where the source has days), with the same period a year earlier and, where one was made
before the period, what the archived forecast expected and whether the count fell in its range.
"""

from __future__ import annotations

import numpy as np

from stream.censored import suppressed_note

from bot.answering import past
from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import Asked
from bot.answering.result import Result
from bot.answering.view import View


def answer(view: View, query: Asked, result: Result | None = None) -> Answer:
    """The counted total for each place asked about, over the period, against a year earlier."""
    span = past.span_of(view, query)
    places = list(query.places) or [query.place]
    what = query.category_label if query.categories else "all reported crime"
    where = " + ".join(p.label for p in places)
    a = view.base(query, f"{where}, {what}: {span.label} (reported count)"[:250])
    for note in span.notes:
        a.lines.append(f"ℹ {note}")
    items, total_rows = [], []
    counted = past.evaluated(result, len(places), span)  # the evaluator's counts, when one each
    for k, place in enumerate(places):
        hrows = view.rows(place, query.categories, history=True)
        total_rows.append(hrows)
        n = int(counted[k].value) if counted else past.count(view, hrows, span) or 0
        item = {"label": place.label, "place": place.to_dict(), "observed": n}
        text, prev = past.year_earlier(view, hrows, span, n)
        item.update(prev)
        prefix = f"**{place.label}**: " if len(places) > 1 else ""
        a.lines.append(f"{prefix}**Reported: {n:,}** in {span.label} — counted, not a forecast.")
        cens = suppressed_note(
            view.client, view.keys, (view.hist.series[i] for i in hrows), span.months, n
        )  # "<5" cells: the range they allow
        if cens:
            a.lines.append(f"ℹ The source suppresses small counts (<5): {cens}.")
        a.lines.append(f"{'  ' if prefix else ''}Same period a year earlier: {text}.")
        if prev.get("previous") is not None and len(places) == 1:
            note = past.chance_note(n, prev["previous"])
            if note:
                a.lines.append(f"ℹ {note}")
        if span.days is None:
            exp, why = past.expected(view, place, query.categories, span.months)
            if exp is not None:
                a.lines.append(
                    f"{'  ' if prefix else ''}Forecast made before it: {past.expected_text(exp, n)}"
                )
                item["forecast"] = exp.to_dict(n)
            else:
                a.lines.append(f"ℹ {why}")
                item["forecast"] = None
        if query.per_1000:
            rate, note = view.rate(place, float(n))
            if rate is not None:
                a.fields.append((f"Rate, {place.label}", f"{rate:.2f} {note}"))
                item["rate_per_1000"] = round(rate, 3)
            else:
                a.lines.append(f"ℹ {note}")
        items.append(item)
    rows = np.concatenate(total_rows) if total_rows else np.zeros(0, np.int64)
    if span.days is None and 1 < len(span.months) <= 24 and len(places) == 1:
        by_month = [f"{m}: {view.observed(rows, [m]):,}" for m in span.months]
        a.fields.append(("By month", "\n".join(by_month)))
    cats = {view.hist.series[i][1] for i in rows}
    if span.days is None and len(cats) > 1 and len(places) == 1:
        a.fields.append(("By category", _by_category(view, rows, span.months)))
    total = sum(i["observed"] for i in items)
    if len(places) > 1:
        a.lines.append(f"**Together: {total:,}**.")
    first = items[0]
    a.data.update(
        {
            "place": places[0].to_dict(),
            "months": span.months,
            "period": span.label,
            "observed": total if len(places) > 1 else first["observed"],
            "items": items,
            "previous": first.get("previous") if len(places) == 1 else None,
            "forecast": first.get("forecast") if len(places) == 1 else None,
        }
    )
    if span.days is not None:
        a.data["days"] = [span.days[0].isoformat(), span.days[1].isoformat()]
    a.caveat = CAVEAT
    if query.chart and len(places) == 1:
        a.chart = view.line_chart(a.title, [(places[0].label, view.forecast_rows(query), rows)])
    return a


def _by_category(view: View, rows: np.ndarray, months: list[str]) -> str:
    groups: dict[str, list[int]] = {}
    for i in rows:
        groups.setdefault(view.hist.series[i][1], []).append(i)
    items = sorted(
        ((view.observed(np.array(idx), months) or 0, cat) for cat, idx in groups.items()),
        reverse=True,
    )
    return "\n".join(f"{' '.join(c.split())}: {n:,}" for n, c in items if n)[:1000] or "none"
