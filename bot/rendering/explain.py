"""Explain in words (:mod:`bot.answering.measures.explain`'s figures)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.names import normalise
from bot.language.question import Question

from .header import describe
from .lines import line_chart
from .wording import fmt_change, fmt_range


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    w = q.place
    target, mean, lo, hi = x["target"], x["mean"], x["lo"], x["hi"]
    avg12, avg3, direction = x["avg12"], x["avg3"], x["direction"]
    a.title = f"Why: {describe(q)}, {month_name(target)}"
    a.lines.append(
        f"**Forecast {fmt_range(mean, lo, hi)}**, {direction} against the 12-month "
        f"average of {avg12:.0f}/month ({fmt_change(mean, avg12)})."
    )
    if direction != "up" and "up" in normalise(q.text).split():
        a.lines.append(
            f"ℹ {w.label} is not forecast up: the expected count is "
            f"{'close to' if direction == 'level' else 'below'} its recent average."
        )
    drivers = [
        (
            "Recent level",
            f"last 3 months averaged {avg3:.0f}/month vs {avg12:.0f} over "
            f"12 ({fmt_change(avg3, avg12)})",
        ),
        (
            "Trend",
            f"last 6 months {x['last6']:.0f}/month vs {x['prior6']:.0f} the 6 before "
            f"({fmt_change(x['last6'], x['prior6'])})",
        ),
    ]
    if "season" in x:
        s = x["season"]
        drivers.append(
            (
                "Season",
                f"{month_name(target).split()[0]} has run {fmt_change(s['index'], 1.0)}"
                f" against an average month over {s['years']} years",
            )
        )
        a.data["season_index"] = round(s["index"], 3)
    if x["hot"]:
        drivers.append(
            (
                "Ran hot",
                ", ".join(f"{m} ({v})" for m, v in x["hot"])
                + " — above 2 standard deviations of the prior year",
            )
        )
    else:
        drivers.append(("Ran hot", "no month in the last 6 stood out"))
    if x["moves"]:
        drivers.append(
            (
                "Largest moves",
                "; ".join(
                    f"{' '.join(c.split())} {d:+.1f} ({base:.1f} → {m:.1f})"
                    for d, c, m, base in x["moves"]
                ),
            )
        )
    a.fields.extend(drivers)
    a.fields.append(("Model", x["model"]))
    a.data.update(
        {
            "place": place_of(w).to_dict(),
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
    if "chart" in result.context:
        a.chart = line_chart(a.title, a.footer, [(w.label, result.context["chart"])])
    return a
