"""A forecast in words: the expected count for a place over the forecast months with its 80% range,
the month to date, the same months a year earlier, the recent trend, a rate, and the months and
categories (figures: :func:`bot.answering.context_ahead.forecast_context`)."""

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
    ctx = result.context
    w = q.place
    months, (mean, lo, hi) = ctx["months"], ctx["total"]
    span = (
        month_name(months[0])
        if len(months) == 1
        else f"{month_name(months[0])} – {month_name(months[-1])}"
    )
    a.title = f"{describe(q)}: {span}"
    if ctx["mode"] == "this_month":
        _this_month(a, months[0], ctx["month_to_date"], ctx["total"])
    else:
        label = "Expected" if len(months) == 1 else f"Expected over {len(months)} months"
        a.lines.insert(0, f"**{label}: {fmt_range(mean, lo, hi)}** reported incidents.")
    a.data.update(
        {
            "place": place_of(w).to_dict(),
            "months": months,
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
        }
    )
    last_year, ly = ctx["last_year"]
    if last_year is not None:
        label = month_name(ly[0]) if len(ly) == 1 else f"{ly[0]} – {ly[-1]}"
        a.fields.append(("Same period last year", f"{last_year:,} ({label})"))
        a.data["last_year"] = last_year
    if "trend" in ctx:
        t = ctx["trend"]
        if "last3_year_before" in t:
            now, then, words = t["last3"], t["last3_year_before"], "a year earlier"
        else:
            now, then, words = t["last3"], t["prev3"], "the 3 before"
        a.fields.append(
            ("Recent trend", f"last 3 months {now:,} vs {then:,} {words} ({fmt_change(now, then)})")
        )
        a.data["trend"] = dict(t)
    if "population" in ctx:
        rate, note = rate_words(mean, ctx, ctx["population"], w.label, names)
        if rate is None:
            a.lines.append(f"ℹ {note}")
        else:
            period = "" if len(months) == 1 else f" over {len(months)} months"
            a.fields.append(("Rate", f"{rate:.2f} {note}{period}"))
            a.data["rate_per_1000"] = round(rate, 3)
    if "by_month" in ctx:
        a.fields.append(
            (
                "By month",
                "\n".join(f"{m}: {fmt_range(x, lo_, hi_)}" for m, x, lo_, hi_ in ctx["by_month"]),
            )
        )
    if "by_category" in ctx:
        text = "\n".join(
            f"{' '.join(c.split())}: {fmt_range(m, lo_, hi_)}"
            for m, c, lo_, hi_ in ctx["by_category"]
        )
        a.fields.append(("By category", text[:1000]))
    model = a.data.get("model") or ""
    version = a.data.get("model_version")
    a.fields.append(("Model", f"{model} (forecast set v{version})" if model else f"v{version}"))
    a.caveat = CAVEAT
    if "charts" in ctx:
        a.chart = line_chart(describe(q), a.footer, [(w.label, ctx["charts"][0])])
    return a


def _this_month(a: Answer, month: str, mtd: dict, total) -> None:
    """Month to date (observed days) plus the forecast pro-rated over the days left."""
    if not mtd:
        a.lines.insert(
            0, f"**Expected: {fmt_range(*total)}** reported incidents in {month_name(month)}."
        )
        a.lines.append(
            f"ℹ No days of {month_name(month)} have been counted yet, so this is the "
            "whole-month forecast."
        )
        return
    observed, days, dim = mtd["observed"], mtd["days"], mtd["dim"]
    rest, lo, hi = mtd["rest"]
    a.lines.insert(
        0,
        f"**{month_name(month)} so far: {observed:,}** (days 1–{days} of {dim}); "
        f"expected for the rest: {fmt_range(rest, lo, hi)}; month total "
        f"{fmt_range(observed + rest, observed + lo, observed + hi)}.",
    )
    a.data.update({"month_to_date": observed, "days": days, "days_in_month": dim})
