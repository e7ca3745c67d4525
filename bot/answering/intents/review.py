"""Review: how did the forecast do? Each month's counts against the forecast made *before* it
(the forecast archive): the total against its 80% range, how many series fell inside their own
ranges (about 80% should), the mean absolute error beside the seasonal naive's, the biggest misses.
"""

from __future__ import annotations

import numpy as np

from core.months import month_name, month_range

from bot.answering import past
from bot.answering.answer import CAVEAT, Answer
from bot.language.spans import months_label
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.answering.view import View
from bot.rendering.wording import fmt_range

MAX_MONTHS = 12


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """Forecast against outcome for the period asked (the newest complete month by default)."""
    span = past.span_of(view, query)
    if span.days is not None:
        span = past.latest(view)
    place = query.place
    what = query.category_label if query.categories else "all reported crime"
    a = view.base(query, f"How the forecast did: {place.label}, {what}, {span.label}"[:250])
    for note in [n for n in span.notes if not n.startswith("No period named")]:
        a.lines.append(f"ℹ {note}")
    months = span.months[-MAX_MONTHS:]
    if len(span.months) > MAX_MONTHS:
        a.lines.append(f"ℹ Showing the last {MAX_MONTHS} months of {span.label}.")
    hrows = view.rows(place, query.categories, history=True)
    out, unjudged = [], []
    for m in months:
        observed = view.observed(hrows, [m]) or 0
        exp, why = past.expected(view, place, query.categories, [m])
        if exp is None:
            unjudged.append((m, observed, why))
            out.append({"month": m, "observed": observed, "forecast": None})
            continue
        item = {"month": m, "observed": observed, "forecast": exp.to_dict(observed)}
        a.lines.append(
            f"**{month_name(m)}**: counted **{observed:,}**; forecast "
            f"{past.expected_text(exp, observed)}"
        )
        item.update(_series_scores(view, place, query.categories, m, a, len(months) == 1))
        out.append(item)
    if len(unjudged) == 1:
        m, observed, why = unjudged[0]
        a.lines.append(f"**{month_name(m)}**: counted {observed:,}. {why}")
    elif unjudged:
        ms = [m for m, _, _ in unjudged]
        which = months_label(ms) if ms == month_range(ms[0], ms[-1]) else ", ".join(ms)
        a.lines.append(
            f"No forecast made before {which} reaches them, so they cannot be judged; "
            "counted: " + ", ".join(f"{m} {n:,}" for m, n, _ in unjudged) + "."
        )
    judged = [o for o in out if o["forecast"]]
    if len(judged) > 1:
        inside = sum(o["forecast"]["inside"] for o in judged)
        a.fields.append(("Totals inside their 80% range", f"{inside} of {len(judged)} months"))
    a.data.update({"place": place.to_dict(), "months": months, "period": span.label, "review": out})
    a.caveat = CAVEAT
    return a


def _series_scores(view: View, place, categories, month: str, a: Answer, detail: bool) -> dict:
    """Per-series calibration and error for one month; the biggest misses when ``detail``."""
    aset = view.archived_before(month)
    rows = past.archived_rows(view, aset, place, categories)
    j = aset.months.index(month)
    rows = rows[np.isfinite(aset.take(rows)[0][:, j])] if len(rows) else rows
    if len(rows) < 2:
        return {}
    col = view.hist.col.get(month)
    back = view.hist.col.get(f"{int(month[:4]) - 1:04d}{month[4:]}")
    values = view.hist.take(rows)  # counts and forecasts share the catalog's rows

    def counts(c: int | None) -> np.ndarray:
        return values[:, c].astype(float) if c is not None else np.zeros(len(rows))

    obs = counts(col)
    mean, _, lo, hi = aset.take(rows)
    mean, lo, hi = mean[:, j], lo[:, j], hi[:, j]
    inside = float(np.mean((obs >= lo) & (obs <= hi)))
    mae = float(np.mean(np.abs(obs - mean)))
    scores = {"series": int(len(rows)), "inside_share": round(inside, 3), "mae": round(mae, 3)}
    text = (
        f"{len(rows):,} series: {inside:.0%} fell inside their own 80% range (about 80% "
        f"should); mean absolute error {mae:.2f}"
    )
    if back is not None:
        naive = counts(back)
        snaive = float(np.mean(np.abs(obs - naive)))
        scores["mae_snaive"] = round(snaive, 3)
        text += f" vs {snaive:.2f} for the seasonal naive (same month a year earlier)"
    a.fields.append((f"Series, {month_name(month)}", text + "."))
    if detail:
        miss = np.argsort(-np.abs(obs - mean), kind="stable")[:5]
        a.fields.append(
            (
                "Biggest misses",
                "\n".join(
                    f"{aset.series[rows[i]][0]} · {' '.join(aset.series[rows[i]][1].split())}: "
                    f"{int(obs[i]):,} vs {fmt_range(float(mean[i]), int(lo[i]), int(hi[i]))}"
                    for i in miss
                ),
            )
        )
    return scores
