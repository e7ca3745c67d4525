"""A change in words: is it up or down? Each place's period against the same months a year
earlier, a word on chance, and for one place the last 3 and 12 months against a year before
(figures: :func:`bot.answering.context_past.past_context`)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import CITY, Question

from .lines import line_chart
from .past import chance_note, year_earlier
from .wording import fmt_change


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    ctx = result.context
    span = ctx["span"]
    places = list(q.where) or [CITY]
    where = " + ".join(w.label for w in places)
    what = q.crime.label if q.crime.categories else "all reported crime"
    a.title = f"Up or down? {where}, {what}: {span['label']} vs a year earlier"[:250]
    out = []
    for w, x in zip(places, ctx["items"]):
        now = x["observed"]
        text, prev = year_earlier(now, x["previous"], ctx)
        before = prev.get("previous")
        who = f"{w.label}: " if len(q.where) > 1 else ""
        direction = None
        if before is None:
            a.lines.append(
                f"{who}**{span['label']}: {now:,}** reported; {text}, so I can't say up or down."
            )
        else:
            direction = "up" if now > before else "down" if now < before else "level"
            word = {"up": "Up", "down": "Down", "level": "Level"}[direction]
            a.lines.append(
                f"{who}**{word}: {now:,}** reported in {span['label']} vs {before:,} in "
                f"{ctx['previous_label']} ({fmt_change(now, before)})."
            )
            note = chance_note(now, before)
            if note:
                a.lines.append(f"ℹ {note}")
        out.append((w, now, prev, direction))
    if "last3" in ctx:
        x = ctx["last3"]
        a.fields.append(
            (
                "Last 3 months",
                f"{x['count']:,} ({x['from']} – {x['to']}) vs {x['previous']:,} a year "
                f"earlier ({fmt_change(x['count'], x['previous'])})",
            )
        )
    if "last12" in ctx:
        x = ctx["last12"]
        a.fields.append(
            (
                "Last 12 months",
                f"{x['count']:,} vs {x['previous']:,} the 12 before "
                f"({fmt_change(x['count'], x['previous'])}), to {month_name(x['to'])}",
            )
        )
    _, now, prev, direction = out[0]
    a.data.update(
        {
            "place": place_of(places[0]).to_dict(),
            "months": span["months"],
            "period": span["label"],
            "observed": now,
            "direction": direction,
            **prev,
        }
    )
    if len(out) > 1:
        a.data["items"] = [
            {"label": w.label, "place": place_of(w).to_dict(), "observed": n, "direction": d, **pv}
            for w, n, pv, d in out
        ]
    a.caveat = CAVEAT
    if "charts" in ctx:
        a.chart = line_chart(
            a.title, a.footer, [(w.label, c) for w, c in zip(places, ctx["charts"])]
        )
    return a
