"""Top: communities (or one community's categories) ranked by their forecast.

A ranking is the answer most easily misread (a high rank follows reporting and policing as well
as crime), so its caveat links the data card (``docs/data.md``), which says what the counts are.
"""

from __future__ import annotations

import numpy as np

from core.caveats import DATA_CARD
from core.months import month_name

from bot.answering import past
from bot.answering.result import Result
from bot.answering.answer import CAVEAT, TOP_CAVEAT, Answer, Bar, ChartSpec
from bot.answering.asked import Asked as Query
from bot.language.names import Place
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_range

CARD = f"What the counts are and are not: {DATA_CARD}"
RANKING_CAVEAT = f"{TOP_CAVEAT} {CARD}"


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """Areas ranked by forecast (for a past period, by their counts): the evaluator's ranked
    rows in words. A rate ahead, and one area's categories, are ranked here."""
    if query.period is not None:
        return _top_counted(view, query, result)
    view.require_forecasts()
    f_months, _, mode = view.target_months(query.horizon)
    if not f_months:
        raise QueryError(
            "Top lists are for forecast months; ask e.g. `top 5 next month`.", kind="bad_option"
        )
    scope = query.place
    if scope.kind == "community" and len(scope.communities) == 1:
        return _top_categories(view, query, scope, f_months)
    if query.per_1000 or result is None:
        return _top_rates(view, query, f_months)
    span = month_name(f_months[0]) if len(f_months) == 1 else f"{f_months[0]} – {f_months[-1]}"
    where = "" if scope.kind == "city" else f" in {scope.label}"
    ranked = [r for r in result.rows if r.area and (r.value or 0) > 0]
    a = view.base(
        query, f"Top {len(ranked)} {view.names.area_words}{where}: {query.category_label}, {span}"
    )
    rows_out, bars = [], []
    for rank, r in enumerate(ranked, 1):
        mean, lo, hi = (
            r.value,
            int(r.lo if r.lo is not None else r.value),
            int(r.hi if r.hi is not None else r.value),
        )
        rows_out.append(
            {"rank": rank, "community": r.area, "mean": round(mean, 2), "lo80": lo, "hi80": hi}
        )
        a.lines.append(f"{rank}. **{r.area}** — {fmt_range(mean, lo, hi)}")
        bars.append(Bar(r.area, mean, lo, hi))
    return _finish(view, query, a, scope, f_months, rows_out, bars)


def _top_rates(view: View, query: Query, f_months: list[str]) -> Answer:
    """Areas ranked by their forecast per 1,000 residents (or by forecast when no population is
    loaded, saying so)."""
    scope = query.place
    fc = view.fc
    cols = [fc.months.index(m) for m in f_months]
    mask = np.ones(len(fc.series), dtype=bool)
    if query.categories:
        wanted = {i for i, c in enumerate(fc.categories) if c in set(query.categories)}
        mask &= np.isin(fc.category_of, list(wanted))
    if scope.kind != "city":
        allowed = {i for i, c in enumerate(fc.communities) if c in set(scope.communities)}
        mask &= np.isin(fc.community_of, list(allowed))
    means = np.nan_to_num(fc.mean[:, cols]).sum(axis=1) * mask
    totals = np.bincount(fc.community_of, weights=means, minlength=len(fc.communities))
    score = totals
    if not any(i.population for i in view.info.values()):
        rate_note = (
            "Rates need population figures (the reference data, `crimecast "
            "reference load`); none are loaded, so ranked by counts instead."
        )
    else:
        pops = np.array(
            [(view.info.get(c).population or 0) if c in view.info else 0 for c in fc.communities],
            dtype=float,
        )
        score = np.where(pops >= 500, totals / np.maximum(pops, 1) * 1000, -1.0)
        rate_note = (
            f"Ranked per 1,000 residents ({view.population_label()}); areas "
            "under 500 residents (industrial, parks) left out."
        )
    order = [i for i in np.argsort(-score, kind="stable") if score[i] > 0][: query.top_n]
    span = month_name(f_months[0]) if len(f_months) == 1 else f"{f_months[0]} – {f_months[-1]}"
    where = "" if scope.kind == "city" else f" in {scope.label}"
    a = view.base(
        query, f"Top {len(order)} {view.names.area_words}{where}: {query.category_label}, {span}"
    )
    a.lines.append(f"ℹ {rate_note}")
    rows_out, bars = [], []
    for rank, ci in enumerate(order, 1):
        community = fc.communities[ci]
        mean, lo, hi = view.forecast_total(np.flatnonzero(mask & (fc.community_of == ci)), f_months)
        item = {
            "rank": rank,
            "community": community,
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
        }
        text = f"{rank}. **{community}** — {fmt_range(mean, lo, hi)}"
        if score is not totals:
            item["rate_per_1000"] = round(float(score[ci]), 3)
            text += f" · {score[ci]:.2f} per 1,000"
        rows_out.append(item)
        a.lines.append(text)
        bars.append(Bar(community, mean, lo, hi))
    return _finish(view, query, a, scope, f_months, rows_out, bars)


def _finish(view: View, query: Query, a: Answer, scope: Place, f_months, rows_out, bars) -> Answer:
    """The ranked list's closing words, data, caveat and chart."""
    if not rows_out:
        a.lines.append("No forecast incidents in that scope.")
    if len(rows_out) > 1 and rows_out[0]["lo80"] <= rows_out[-1]["hi80"]:
        a.lines.append("ℹ The ranges overlap: the order among these is not certain.")
    a.data.update(
        {"place": scope.to_dict(), "months": f_months, "top": rows_out, "data_card": DATA_CARD}
    )
    a.caveat = RANKING_CAVEAT
    if query.chart and bars:
        a.chart = ChartSpec(
            "bars",
            a.title,
            ylabel="expected reported incidents",
            bars=bars,
            note=f"{view.footer()} · whiskers: 80% range",
        )
    return a


def _top_categories(view: View, query: Query, place: Place, f_months: list[str]) -> Answer:
    rows = view.rows(place, query.categories)
    a = view.base(query, f"{place.label}: categories ranked, {month_name(f_months[0])}")
    items, bars = [], []
    groups: dict[str, list[int]] = {}
    for i in rows:
        groups.setdefault(view.fc.series[i][1], []).append(i)
    for cat, idx in groups.items():
        m, lo, hi = view.forecast_total(np.array(idx), f_months)
        items.append((m, cat, lo, hi))
    items.sort(reverse=True)
    out = []
    for rank, (m, cat, lo, hi) in enumerate(items[: query.top_n], 1):
        a.lines.append(f"{rank}. **{' '.join(cat.split())}** — {fmt_range(m, lo, hi)}")
        out.append({"rank": rank, "category": cat, "mean": round(m, 2), "lo80": lo, "hi80": hi})
        bars.append(Bar(" ".join(cat.split()), m, lo, hi))
    a.data.update(
        {"place": place.to_dict(), "months": f_months, "top": out, "data_card": DATA_CARD}
    )
    a.caveat = f"{CAVEAT} {CARD}"
    if query.chart and bars:
        a.chart = ChartSpec(
            "bars", a.title, ylabel="expected reported incidents", bars=bars, note=view.footer()
        )
    return a


def _top_counted(view: View, query: Query, result: Result | None) -> Answer:
    """Areas ranked by what was reported in a past period (counts, not forecasts): the
    evaluator's ranked rows in words."""
    span = past.span_of(view, query)
    scope = query.place
    rows = [r for r in (result.rows if result is not None else []) if r.area and r.value]
    where = "" if scope.kind == "city" else f" in {scope.label}"
    a = view.base(
        query,
        f"Top {len(rows)} {view.names.area_words}{where}: {query.category_label}, "
        f"{span.label} (reported counts)",
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
            "place": scope.to_dict(),
            "months": span.months,
            "period": span.label,
            "top": out,
            "data_card": DATA_CARD,
        }
    )
    a.caveat = RANKING_CAVEAT
    if query.chart and bars:
        a.chart = ChartSpec(
            "bars", a.title, ylabel="reported incidents", bars=bars, note=view.footer()
        )
    return a
