"""Trend in words (:mod:`bot.answering.measures.trend`'s figures)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import CAVEAT, Answer
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import CITY, Question

from .header import describe
from .lines import line_chart
from .wording import fmt_change, fmt_range


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    w = q.where[0] if q.where else CITY
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
        rate, note = rate_words(x["rate"], w.label, w.kind == "city", names)
        a.fields.append(("Rate", f"{rate:.2f} a month {note}" if rate is not None else note))
    a.caveat = CAVEAT
    if "chart" in x:
        a.chart = line_chart(a.title, a.footer, [(w.label, x["chart"])])
    return a


def rate_words(r: dict, label: str, city: bool, names: Names) -> tuple[float | None, str]:
    """A monthly figure per 1,000 residents and a note saying on what population (or why none)."""
    profile = names.profile
    if not r["reference"]:
        return None, (
            "Rates per 1,000 residents need the census reference data "
            "(`crimecast reference load`); not loaded."
        )
    if not r["any_population"]:
        why = (
            "its profile names none"
            if profile.reference.population is None
            else "an admin loads them with `crimecast reference load --population FILE`"
        )
        return None, (
            f"No population figures are loaded for {profile.name} ({why}), so "
            "no rate per 1,000 residents."
        )
    pop = r["population"]
    if not pop:
        return None, (
            f"No census population for {label} (industrial, park or new area), "
            "so no rate per 1,000 residents."
        )
    population = profile.reference.population
    what = population.label if population else "census population"
    return r["per_month"] / pop * 1000.0, f"per 1,000 residents ({what} {pop:,})"
