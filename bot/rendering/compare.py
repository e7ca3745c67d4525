"""A comparison in words: two or more places (or one place's categories) side by side, each one's
forecast, the same months a year earlier and the last 12 months (figures:
:func:`bot.answering.context_ahead.compare_context`)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question

from .lines import line_chart
from .rates import population_label, rate_words
from .wording import fmt_range


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    ctx = result.context
    months = ctx["months"]
    span = month_name(months[0]) if len(months) == 1 else f"{months[0]} – {months[-1]}"
    title = " vs ".join(item["label"] for item in ctx["items"])
    a.title = f"{title}: {q.crime.label}, {span}"[:250]
    rate = q.what == "rate" or (q.ranking is not None and q.ranking.measure == "rate")
    out, lines = [], []
    for x in ctx["items"]:
        label, w = x["label"], x["where"]
        if "total" not in x:
            a.lines.append(f"**{label}**: no forecasts for {q.crime.label}.")
            continue
        mean, lo, hi = x["total"]
        ly, l12 = x["last_year"], x["last12"]
        text = f"**{label}** — {fmt_range(mean, lo, hi)}"
        item = {
            "label": label,
            "place": place_of(w).to_dict(),
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
            "last_year": ly,
            "last12": l12,
        }
        if ly is not None:
            text += f"; same period last year {ly:,}"
        text += f"; last 12 months {l12:,}"
        if rate:
            value, note = rate_words(mean, ctx, x["population"], w.label, names)
            if value is not None:
                text += f"; {value:.2f} per 1,000 residents"
                item["rate_per_1000"] = round(value, 3)
            else:
                a.warnings.append(note)
        a.lines.append(text)
        out.append(item)
        if "chart" in x:
            lines.append((label, x["chart"]))
    if len(out) == 2:
        x, y = out
        if x["lo80"] <= y["hi80"] and y["lo80"] <= x["hi80"]:
            a.lines.append("ℹ The 80% ranges overlap: the difference may not be real.")
    if rate:
        a.lines.append(f"ℹ Rates are per 1,000 residents ({population_label(names)}).")
    a.data.update({"months": months, "items": out})
    a.caveat = CAVEAT
    if lines:
        a.chart = line_chart(a.title, a.footer, lines)
    return a
