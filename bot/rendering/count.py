"""A count in words: how many were reported in a past period for each place, the same period a
year earlier, what the forecast made before it expected, and for one place its months and
categories (figures: :func:`bot.answering.context_past.past_context`)."""

from __future__ import annotations

from datetime import date

from core.censored import note as suppressed_note

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import CITY, Question

from .lines import line_chart
from .past import chance_note, forecast_before, year_earlier
from .rates import rate_words


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    ctx = result.context
    span = ctx["span"]
    places = list(q.where) or [CITY]
    what = q.crime.label if q.crime.categories else "all reported crime"
    where = " + ".join(w.label for w in places)
    a.title = f"{where}, {what}: {span['label']} (reported count)"[:250]
    rate = q.what == "rate" or (q.ranking is not None and q.ranking.measure == "rate")
    items = []
    for w, x in zip(places, ctx["items"]):
        n = x["observed"]
        item = {"label": w.label, "place": place_of(w).to_dict(), "observed": n}
        text, prev = year_earlier(n, x["previous"], ctx)
        item.update(prev)
        prefix = f"**{w.label}**: " if len(places) > 1 else ""
        a.lines.append(f"{prefix}**Reported: {n:,}** in {span['label']} — counted, not a forecast.")
        cens = suppressed_note(n, x["suppressed"]) if x["suppressed"] else ""
        if cens:
            a.lines.append(f"ℹ The source suppresses small counts (<5): {cens}.")
        a.lines.append(f"{'  ' if prefix else ''}Same period a year earlier: {text}.")
        if prev.get("previous") is not None and len(places) == 1:
            note = chance_note(n, prev["previous"])
            if note:
                a.lines.append(f"ℹ {note}")
        if span["days"] is None:
            if x["forecast"] is not None:
                text, item["forecast"] = forecast_before(x["forecast"], n)
                a.lines.append(f"{'  ' if prefix else ''}Forecast made before it: {text}")
            else:
                a.lines.append(f"ℹ {x['why']}")
                item["forecast"] = None
        if rate:
            value, note = rate_words(float(n), ctx, x["population"], w.label, names)
            if value is not None:
                a.fields.append((f"Rate, {w.label}", f"{value:.2f} {note}"))
                item["rate_per_1000"] = round(value, 3)
            else:
                a.lines.append(f"ℹ {note}")
        items.append(item)
    if "by_month" in ctx:
        a.fields.append(("By month", "\n".join(f"{m}: {n:,}" for m, n in ctx["by_month"])))
    if "by_category" in ctx:
        text = "\n".join(f"{' '.join(c.split())}: {n:,}" for n, c in ctx["by_category"] if n)
        a.fields.append(("By category", text[:1000] or "none"))
    total = sum(i["observed"] for i in items)
    if len(places) > 1:
        a.lines.append(f"**Together: {total:,}**.")
    first = items[0]
    a.data.update(
        {
            "place": first["place"],
            "months": span["months"],
            "period": span["label"],
            "observed": total if len(places) > 1 else first["observed"],
            "items": items,
            "previous": first.get("previous") if len(places) == 1 else None,
            "forecast": first.get("forecast") if len(places) == 1 else None,
        }
    )
    if span["days"] is not None:
        a.data["days"] = span["days"]
    a.caveat = CAVEAT
    if "charts" in ctx:
        a.chart = line_chart(a.title, a.footer, [(places[0].label, ctx["charts"][0])])
    return a
