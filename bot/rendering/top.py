"""A ranking in words: areas ranked by forecast (or by their counts in a past period, or by rate
ahead), or one area's categories ranked; the most easily misread answer, so its caveat links the
data card (figures: the evaluator's ranked rows, :func:`bot.answering.context_ahead.top_context`)."""

from __future__ import annotations

from datetime import date

from core.caveats import DATA_CARD
from core.months import month_name

from bot.answering.answer import CAVEAT, TOP_CAVEAT, Answer, Bar, ChartSpec
from bot.answering.asked import place_of
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question

from .rates import population_label
from .wording import fmt_range

CARD = f"What the counts are and are not: {DATA_CARD}"
RANKING_CAVEAT = f"{TOP_CAVEAT} {CARD}"


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    ctx = result.context
    w = q.place
    where = "" if w.kind == "city" else f" in {w.label}"
    if ctx.get("past"):
        return _counted(q, result, a, names, where)
    months = ctx["months"]
    span = month_name(months[0]) if len(months) == 1 else f"{months[0]} – {months[-1]}"
    if "categories" in ctx:
        return _categories(q, ctx, a, w, months)
    rows_out, bars = [], []
    if "rates" in ctx:
        r = ctx["rates"]
        ranked = r["ranked"]
        a.lines.append(
            "ℹ "
            + (
                f"Ranked per 1,000 residents ({population_label(names)}); areas "
                "under 500 residents (industrial, parks) left out."
                if r["by_rate"]
                else "Rates need population figures (the reference data, `crimecast "
                "reference load`); none are loaded, so ranked by counts instead."
            )
        )
    else:
        ranked = [
            (
                x.area,
                x.value,
                int(x.lo if x.lo is not None else x.value),
                int(x.hi if x.hi is not None else x.value),
                None,
            )
            for x in result.rows
            if x.area and (x.value or 0) > 0
        ]
    a.title = f"Top {len(ranked)} {names.area_words}{where}: {q.crime.label}, {span}"
    for rank, (area, mean, lo, hi, rate) in enumerate(ranked, 1):
        item = {"rank": rank, "community": area, "mean": round(mean, 2), "lo80": lo, "hi80": hi}
        text = f"{rank}. **{area}** — {fmt_range(mean, lo, hi)}"
        if rate is not None:
            item["rate_per_1000"] = round(rate, 3)
            text += f" · {rate:.2f} per 1,000"
        rows_out.append(item)
        a.lines.append(text)
        bars.append(Bar(area, mean, lo, hi))
    if not rows_out:
        a.lines.append("No forecast incidents in that scope.")
    if len(rows_out) > 1 and rows_out[0]["lo80"] <= rows_out[-1]["hi80"]:
        a.lines.append("ℹ The ranges overlap: the order among these is not certain.")
    a.data.update(
        {"place": place_of(w).to_dict(), "months": months, "top": rows_out, "data_card": DATA_CARD}
    )
    a.caveat = RANKING_CAVEAT
    if q.chart and bars:
        a.chart = ChartSpec(
            "bars",
            a.title,
            ylabel="expected reported incidents",
            bars=bars,
            note=f"{a.footer} · whiskers: 80% range",
        )
    return a


def _categories(q: Question, ctx: dict, a: Answer, w, months: list[str]) -> Answer:
    """One area's categories ranked by their forecast."""
    a.title = f"{w.label}: categories ranked, {month_name(months[0])}"
    out, bars = [], []
    for rank, (m, cat, lo, hi) in enumerate(ctx["categories"], 1):
        a.lines.append(f"{rank}. **{' '.join(cat.split())}** — {fmt_range(m, lo, hi)}")
        out.append({"rank": rank, "category": cat, "mean": round(m, 2), "lo80": lo, "hi80": hi})
        bars.append(Bar(" ".join(cat.split()), m, lo, hi))
    a.data.update(
        {"place": place_of(w).to_dict(), "months": months, "top": out, "data_card": DATA_CARD}
    )
    a.caveat = f"{CAVEAT} {CARD}"
    if q.chart and bars:
        a.chart = ChartSpec(
            "bars", a.title, ylabel="expected reported incidents", bars=bars, note=a.footer
        )
    return a


def _counted(q: Question, result: Result, a: Answer, names: Names, where: str) -> Answer:
    """Areas ranked by what was reported in a past period (counts, not forecasts)."""
    p = q.period
    rows = [r for r in (result.rows if result is not None else []) if r.area and r.value]
    a.title = (
        f"Top {len(rows)} {names.area_words}{where}: {q.crime.label}, {p.label} (reported counts)"
    )
    out, bars = [], []
    for rank, r in enumerate(rows, 1):
        n = int(r.value)
        a.lines.append(f"{rank}. **{r.area}** — {n:,} reported")
        out.append({"rank": rank, "community": r.area, "observed": n})
        bars.append(Bar(r.area, float(n), float(n), float(n)))
    if not rows:
        a.lines.append("Nothing reported in that scope and period.")
    a.data.update(
        {
            "place": place_of(q.place).to_dict(),
            "months": [] if p.first_day else list(p.months),
            "period": p.label,
            "top": out,
            "data_card": DATA_CARD,
        }
    )
    a.caveat = RANKING_CAVEAT
    if q.chart and bars:
        a.chart = ChartSpec("bars", a.title, ylabel="reported incidents", bars=bars, note=a.footer)
    return a
