"""Top: communities (or one community's categories) ranked by their forecast.

A ranking is the answer most easily misread (a high rank follows reporting and policing as well
as crime), so its caveat links the data card (``docs/data.md``), which says what the counts are.
"""

from __future__ import annotations

import numpy as np

from core.caveats import DATA_CARD
from core.months import month_name

from bot.answering import past
from bot.answering.answer import CAVEAT, TOP_CAVEAT, Answer, Bar, ChartSpec
from bot.answering.asked import Asked as Query
from bot.language.names import Place
from bot.language.question import QueryError
from bot.answering.view import View
from bot.rendering.wording import fmt_range

CARD = f"What the counts are and are not: {DATA_CARD}"
RANKING_CAVEAT = f"{TOP_CAVEAT} {CARD}"


def answer(view: View, query: Query) -> Answer:
    """Communities ranked by forecast; for a past period, by their counts."""
    if query.period is not None:
        return _top_counted(view, query)
    view.require_forecasts()
    f_months, _, mode = view.target_months(query.horizon)
    if not f_months:
        raise QueryError(
            "Top lists are for forecast months; ask e.g. `top 5 next month`.", kind="bad_option"
        )
    scope = query.place
    if scope.kind == "community" and len(scope.communities) == 1:
        return _top_categories(view, query, scope, f_months)
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
    rate_note = ""
    score = totals
    if query.per_1000:
        if not any(i.population for i in view.info.values()):
            rate_note = (
                "Rates need population figures (the reference data, `crimecast "
                "reference load`); none are loaded, so ranked by counts instead."
            )
        else:
            pops = np.array(
                [
                    (view.info.get(c).population or 0) if c in view.info else 0
                    for c in fc.communities
                ],
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
    if rate_note:
        a.lines.append(f"ℹ {rate_note}")
    rows_out, bars = [], []
    for rank, ci in enumerate(order, 1):
        community = fc.communities[ci]
        rows = np.flatnonzero(mask & (fc.community_of == ci))
        mean, lo, hi = view.forecast_total(rows, f_months)
        item = {
            "rank": rank,
            "community": community,
            "mean": round(mean, 2),
            "lo80": lo,
            "hi80": hi,
        }
        text = f"{rank}. **{community}** — {fmt_range(mean, lo, hi)}"
        if query.per_1000 and score is not totals and score[ci] > 0:
            item["rate_per_1000"] = round(float(score[ci]), 3)
            text += f" · {score[ci]:.2f} per 1,000"
        rows_out.append(item)
        a.lines.append(text)
        bars.append(Bar(community, mean, lo, hi))
    if not order:
        a.lines.append("No forecast incidents in that scope.")
    if len(order) > 1:
        overlap = rows_out[0]["lo80"] <= rows_out[-1]["hi80"]
        if overlap:
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


def _top_counted(view: View, query: Query) -> Answer:
    """Communities ranked by what was reported in a past period (counts, not forecasts)."""
    span = past.span_of(view, query)
    scope = query.place
    hist = view.hist
    rows = view.rows(scope, query.categories, history=True)
    if span.days is not None:
        counts = view.store.day_counts(*span.days)
        per_row = np.array([counts.get(hist.series[i], 0) for i in rows], dtype=float)
    else:
        cols = [hist.col[m] for m in span.months]
        per_row = hist.take(rows)[:, cols].sum(axis=1).astype(float) if len(rows) else np.zeros(0)
    by_comm: dict[str, float] = {}
    for i, v in zip(rows, per_row):
        c = hist.series[i][0]
        by_comm[c] = by_comm.get(c, 0.0) + v
    ranked = sorted((c for c in by_comm if by_comm[c] > 0), key=lambda c: (-by_comm[c], c))
    ranked = ranked[: query.top_n]
    where = "" if scope.kind == "city" else f" in {scope.label}"
    a = view.base(
        query,
        f"Top {len(ranked)} {view.names.area_words}{where}: {query.category_label}, "
        f"{span.label} (reported counts)",
    )
    for note in span.notes:
        a.lines.append(f"ℹ {note}")
    out, bars = [], []
    for rank, c in enumerate(ranked, 1):
        n = int(by_comm[c])
        a.lines.append(f"{rank}. **{c}** — {n:,} reported")
        out.append({"rank": rank, "community": c, "observed": n})
        bars.append(Bar(c, float(n), float(n), float(n)))
    if not ranked:
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
