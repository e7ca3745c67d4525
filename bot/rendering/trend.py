"""Trend in words (:mod:`bot.answering.measures.trend`'s figures)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question

from .header import describe
from .lines import line_chart
from .rates import rate_words
from .wording import fmt_change, fmt_range


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    w = q.place
    a.title = f"Trend: {describe(q)}"
    a.data.update(
        {
            "place": place_of(w).to_dict(),
            "history_months": [r.month for r in result.rows],
            "history": [int(r.value) for r in result.rows],
        }
    )
    ytd = x["ytd"]
    year, now, before = ytd["year"], ytd["count"], ytd["previous"]
    if before is not None:
        span = f"Jan–{month_name(ytd['last_month']).split()[0][:3]}"
        a.lines.append(
            f"**{year} so far ({span}): {now:,}** reported vs {before:,} in the "
            f"same months of {int(year) - 1} ({fmt_change(now, before)})."
        )
        a.data["ytd"] = {"year": year, "count": now, "previous": before}
    else:
        a.lines.append(f"**{year} so far: {now:,}** reported.")
    if "last12" in x:
        l12, p12 = x["last12"]["count"], x["last12"]["previous"]
        a.fields.append(
            ("Last 12 months", f"{l12:,} vs {p12:,} the 12 before ({fmt_change(l12, p12)})")
        )
        a.data["last12"] = dict(x["last12"])
    if "last6" in x:
        s = x["last6"]
        a.fields.append(
            (
                "Last 6 months",
                f"{s['direction']} ({s['slope']:+.1f} a month around {s['level']:.0f}/month)",
            )
        )
    b = x["busiest"]
    a.fields.append(("Busiest month (last 24)", f"{b['month']}: {b['count']:,}"))
    if "next" in x:
        n = x["next"]
        a.fields.append((f"Forecast {n['month']}", fmt_range(n["mean"], n["lo"], n["hi"])))
    if "rate" in x:
        r = x["rate"]
        rate, note = rate_words(r["per_month"], r, r["population"], w.label, names)
        a.fields.append(("Rate", f"{rate:.2f} a month {note}" if rate is not None else note))
    a.caveat = CAVEAT
    if "chart" in result.context:
        a.chart = line_chart(a.title, a.footer, [(w.label, result.context["chart"])])
    return a
