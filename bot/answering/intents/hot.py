"""Hot: which series are running unusually high, by the weekly alert's own test.

Every series' newest count is tested against the forecast made before it (negative-binomial upper
tail) and the false-discovery rate is controlled across *all* series (Benjamini-Hochberg at 10%,
:func:`online_model.surveillance.flag_hot`, the alert's code); the place and categories asked about
only choose which flags to show. A month-only source is tested on its newest complete month
against the archived forecast made before that month; a source with days on the month to date
against the served forecast, once a week of the month has passed.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from core.months import add_months, days_in_month, month_name

from bot.answering import past
from bot.answering.answer import Answer
from bot.language.names import Place
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.answering.view import View

FDR_LEVEL = 0.1
METHOD = "bh"
SHOWN = 10
HOT_CAVEAT = (
    "Flagged = improbably high against the forecast, with the false-discovery rate held "
    "at 10% across every series tested. Reported crime follows reporting and police "
    "activity as well as crime: a flag is a reason to look, not a finding."
)


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    """The flags in scope, the family tested and the month (or month to date) tested."""
    place = query.place
    where = "" if place.kind == "city" else f" in {place.label}"
    what = f", {query.category_label}" if query.categories else ""
    newest = view.complete_through()
    if newest is None:
        a = view.base(query, "Running hot")
        a.lines.append("No counts yet, so nothing can be tested.")
        return a
    notes = []
    if query.period is not None:  # "what ran hot in November 2023": that month, judged in advance
        span = past.span_of(view, query)
        if span.days is not None or not span.months:
            span = past.latest(view)
        if len(span.months) > 1:
            notes.append(
                f"Tested month by month: this is {month_name(span.months[-1])}, the last "
                f"month of {span.label}."
            )
        month = span.months[-1]
        test = view.memo(("hot", month, "month"), lambda: _family(view, month, live=False))
    else:
        test = view.memo(("hot", newest), lambda: _family(view, newest))
    a = view.base(query, f"Running hot{where}{what}: {test['label']}")
    a.lines.extend(f"ℹ {n}" for n in notes)
    if test.get("missing"):
        a.lines.append(test["missing"])
        a.data.update({"month": test["month"], "hot": [], "fdr": None})
        a.caveat = HOT_CAVEAT
        return a
    series, observed, res = test["series"], test["observed"], test["result"]
    flagged = [i for i in np.flatnonzero(res.flagged) if _in_scope(series[i], place, query)]
    flagged.sort(key=lambda i: (-(observed[i] - res.expected[i]), series[i]))
    hot = [
        {
            "community": series[i][0],
            "category": series[i][1],
            "observed": int(observed[i]),
            "expected": round(float(res.expected[i]), 2),
            "p_value": float(f"{res.p_value[i]:.3g}"),
            "q_value": float(f"{res.q_value[i]:.3g}"),
        }
        for i in flagged
    ]
    a.lines.append(f"{test['basis']}")
    if hot:
        a.lines.append(
            f"**{len(hot)} series{where} ran improbably high** ({res.n_flagged} of "
            f"{res.tested:,} city-wide, {res.method} at {FDR_LEVEL:.0%}):"
        )
        for h in hot[:SHOWN]:
            a.lines.append(
                f"• **{h['community']}** · {' '.join(h['category'].split())}: "
                f"{h['observed']:,} vs {_expected(h['expected'])} expected (q={h['q_value']:.3f})"
            )
        if len(hot) > SHOWN:
            a.lines.append(f"… and {len(hot) - SHOWN} more.")
    else:
        a.lines.append(
            f"**Nothing{where} ran improbably high** ({res.n_flagged} of {res.tested:,} "
            f"series flagged city-wide, {res.method} at {FDR_LEVEL:.0%})."
        )
    if test.get("untested"):
        a.lines.append(
            f"ℹ {test['untested']} incident(s) in series without a forecast (e.g. a new "
            f"{view.names.area_word}) were not tested."
        )
    a.data.update(
        {
            "month": test["month"],
            "hot": hot,
            "fdr": {
                "method": res.method,
                "level": FDR_LEVEL,
                "tested": res.tested,
                "flagged": res.n_flagged,
                "in_scope": len(hot),
            },
            "made_with_data_through": test.get("made_with"),
        }
    )
    a.caveat = HOT_CAVEAT
    return a


def _family(view: View, newest: str, live: bool = True) -> dict:
    """The series tested and the city-wide test (computed once per state of the data); ``live``
    lets a source with days test the month to date."""
    from online_model.surveillance import flag_hot  # pandas via online_model: only when asked

    test = (live and _month_to_date(view, newest)) or _newest_month(view, newest)
    if not test.get("missing"):
        test["result"] = flag_hot(
            test["observed"],
            test["mean"],
            test["alpha"],
            test["days"],
            test["dim"],
            level=FDR_LEVEL,
            method=METHOD,
        )
    return test


def _expected(x: float) -> str:
    """An expectation in words: ``0.4`` -> ``"0.4"``, ``23.6`` -> ``"~24"``."""
    return f"{x:.1f}" if x < 10 else f"~{x:.0f}"


def _in_scope(series: tuple[str, str], place: Place, query: Query) -> bool:
    community, category = series
    if query.categories and category not in query.categories:
        return False
    return place.kind == "city" or community in place.communities


def _newest_month(view: View, month: str) -> dict:
    """The newest complete month against the archived forecast made before it."""
    label = month_name(month) + (
        " (newest complete month)" if month == view.complete_through() else ""
    )
    aset = view.archived_before(month)
    if aset is None or month not in aset.months:
        why = (
            "no forecast was archived before it"
            if aset is None
            else f"the newest forecast made before it (data through {aset.data_through}) does not "
            "reach it"
        )
        return {
            "label": label,
            "month": month,
            "missing": (
                f"Nothing can be tested for {month_name(month)}: {why}, so there is no expectation "
                "made in advance to test its counts against. Flags appear once the workers have "
                "archived a forecast before the month they judge."
            ),
        }
    j = aset.months.index(month)
    keep = np.flatnonzero(np.isfinite(aset.mean[:, j]))
    series = [aset.series[i] for i in keep]
    col = view.hist.col.get(month)
    observed = np.array(
        [
            view.hist.values[view.hist.index[s], col]
            if col is not None and s in view.hist.index
            else 0
            for s in series
        ],
        dtype=float,
    )
    counted = view.hist.values[:, col] if col is not None else np.zeros(0)
    tested = set(series)
    untested = int(sum(counted[i] for i, s in enumerate(view.hist.series) if s not in tested))
    dim = days_in_month(month)
    return {
        "label": label,
        "month": month,
        "series": series,
        "observed": observed,
        "mean": aset.mean[keep, j],
        "alpha": aset.alpha[keep, j],
        "days": dim,
        "dim": dim,
        "made_with": aset.data_through,
        "untested": untested,
        "basis": f"Tested: every series' count for {month_name(month)} against the forecast "
        f"made with data through {month_name(aset.data_through)} (the month before)."
        if add_months(aset.data_through, 1) == month
        else f"Tested: every series' count for {month_name(month)} against the forecast "
        f"made with data through {month_name(aset.data_through)}.",
    }


def _month_to_date(view: View, newest: str) -> dict | None:
    """A source with days, a week or more into the month after the newest: the month to date
    against the served forecast for that month."""
    wm = view.hist.watermark
    current = add_months(newest, 1)
    if (
        not view.hist.day_level
        or wm is None
        or f"{wm.year:04d}-{wm.month:02d}" != current
        or wm.day < 7
        or current not in view.fc.months
    ):
        return None
    j = view.fc.months.index(current)
    keep = np.flatnonzero(np.isfinite(view.fc.mean[:, j]))
    series = [view.fc.series[i] for i in keep]
    counts = view.store.day_counts(date(wm.year, wm.month, 1), wm)
    observed = np.array([counts.get(s, 0) for s in series], dtype=float)
    tested = set(series)
    return {
        "label": f"{month_name(current)} to {wm.isoformat()}",
        "month": current,
        "series": series,
        "observed": observed,
        "mean": view.fc.mean[keep, j],
        "alpha": view.fc.alpha[keep, j],
        "days": wm.day,
        "dim": days_in_month(current),
        "made_with": view.data_through(),
        "untested": sum(v for s, v in counts.items() if s not in tested),
        "basis": f"Tested: every series' count for days 1–{wm.day} of {month_name(current)} "
        "against its forecast pro-rated by days.",
    }
