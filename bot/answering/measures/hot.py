"""Hot: which series are running unusually high, by the weekly alert's own test.

Every series' newest count is tested against the forecast made before it (negative-binomial upper
tail) and the false-discovery rate is controlled across *all* series (Benjamini-Hochberg at 10%,
:func:`online_model.surveillance.flag_hot`, the alert's code); the place and categories asked about
only choose which flags to show. A month-only source is tested on its newest complete month
against the archived forecast made before that month; a source with days on the month to date
against the served forecast, once a week of the month has passed. The city-wide test is worked
out once per version of the data.

``extra``: the month tested and how (``label``, ``basis``), the flags in scope (``hot``), the
test's figures (``fdr``), or why nothing could be tested (``missing``).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from core.months import add_months, days_in_month, month_name

from bot.language.question import Question

from ..result import INCIDENTS, Result
from ..state import DataState

FDR_LEVEL = 0.1
METHOD = "bh"


def evaluate(q: Question, state: DataState) -> Result:
    result = Result(INCIDENTS)
    x = result.extra
    newest = state.complete_through()
    if newest is None:
        x["month"] = None
        return result
    p = q.period
    if p is not None and not p.future:  # "what ran hot in November 2023": judged in advance
        days = p.first_day or not p.months  # a span of days: the newest complete month
        month = newest if days else p.months[-1]
        if not days and len(p.months) > 1:
            x["tested_last_of"] = p.label
        test = state.memo(("hot", month, "month"), lambda: _family(state, month, live=False))
    else:
        test = state.memo(("hot", newest), lambda: _family(state, newest))
    x.update({k: test[k] for k in ("label", "month") if k in test})
    if test.get("missing"):
        x["missing"] = test["missing"]
        return result
    series, observed, res = test["series"], test["observed"], test["result"]
    cats = set(q.crime.categories)
    areas = (
        None
        if not q.where or any(w.kind == "city" for w in q.where)
        else set(a for w in q.where for a in w.names)
    )
    flagged = [
        i
        for i in np.flatnonzero(res.flagged)
        if (not cats or series[i][1] in cats) and (areas is None or series[i][0] in areas)
    ]
    flagged.sort(key=lambda i: (-(observed[i] - res.expected[i]), series[i]))
    x["hot"] = [
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
    x["basis"] = test["basis"]
    x["untested"] = int(test.get("untested", 0))
    x["made_with_data_through"] = test.get("made_with")
    x["fdr"] = {
        "method": res.method,
        "level": FDR_LEVEL,
        "tested": res.tested,
        "flagged": res.n_flagged,
        "in_scope": len(x["hot"]),
    }
    return result


def _family(state: DataState, newest: str, live: bool = True) -> dict:
    """The series tested and the city-wide test; ``live`` lets a source with days test the month
    to date."""
    from online_model.surveillance import flag_hot  # pandas via online_model: only when asked

    test = (live and _month_to_date(state, newest)) or _newest_month(state, newest)
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


def _newest_month(state: DataState, month: str) -> dict:
    """The newest complete month against the archived forecast made before it."""
    label = month_name(month) + (
        " (newest complete month)" if month == state.complete_through() else ""
    )
    found = state.archived_before(month)
    if found is None or month not in found[1].months:
        why = (
            "no forecast was archived before it"
            if found is None
            else f"the newest forecast made before it (data through {found[0]}) does not reach it"
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
    through, aset = found
    j = aset.months.index(month)
    fc = aset.all()
    keep = np.flatnonzero(np.isfinite(fc.mean[:, j]))
    cat = state.catalog
    series = [cat.series[i] for i in keep]
    col = state.counts.col.get(month)
    values = state.counts.values
    counted = values[:, col] if col is not None else np.zeros(len(cat.series))
    observed = counted[keep].astype(float)  # counts and forecasts share the catalog's rows
    tested = np.zeros(len(cat.series), dtype=bool)
    tested[keep] = True
    untested = int(counted[~tested].sum()) if col is not None else 0
    dim = days_in_month(month)
    before = " (the month before)" if add_months(through, 1) == month else ""
    return {
        "label": label,
        "month": month,
        "series": series,
        "observed": observed,
        "mean": fc.mean[keep, j],
        "alpha": fc.alpha[keep, j],
        "days": dim,
        "dim": dim,
        "made_with": through,
        "untested": untested,
        "basis": f"Tested: every series' count for {month_name(month)} against the forecast "
        f"made with data through {month_name(through)}{before}.",
    }


def _month_to_date(state: DataState, newest: str) -> dict | None:
    """A source with days, a week or more into the month after the newest: the month to date
    against the served forecast for that month."""
    wm = state.watermark
    current = add_months(newest, 1)
    fm = state.forecasts.months if state.version else []
    if (
        not state.day_level
        or wm is None
        or f"{wm.year:04d}-{wm.month:02d}" != current
        or wm.day < 7
        or current not in fm
    ):
        return None
    j = fm.index(current)
    fc = state.forecasts.all()
    keep = np.flatnonzero(np.isfinite(fc.mean[:, j]))
    series = [state.catalog.series[i] for i in keep]
    counts = state.day_counts(date(wm.year, wm.month, 1), wm)
    observed = np.array([counts.get(s, 0) for s in series], dtype=float)
    tested = set(series)
    return {
        "label": f"{month_name(current)} to {wm.isoformat()}",
        "month": current,
        "series": series,
        "observed": observed,
        "mean": fc.mean[keep, j],
        "alpha": fc.alpha[keep, j],
        "days": wm.day,
        "dim": days_in_month(current),
        "made_with": state.data_through(),
        "untested": sum(v for s, v in counts.items() if s not in tested),
        "basis": f"Tested: every series' count for days 1–{wm.day} of {month_name(current)} "
        "against its forecast pro-rated by days.",
    }
