"""Running hot in words (:mod:`bot.answering.measures.hot`'s flags and test)."""

from __future__ import annotations

from datetime import date

from core.months import month_name

from bot.answering.answer import Answer
from bot.answering.result import Result
from bot.language.names import Names
from bot.language.question import Question

SHOWN = 10
HOT_CAVEAT = (
    "Flagged = improbably high against the forecast, with the false-discovery rate held "
    "at 10% across every series tested. Reported crime follows reporting and police "
    "activity as well as crime: a flag is a reason to look, not a finding."
)


def _expected(x: float) -> str:
    """An expectation in words: ``0.4`` -> ``"0.4"``, ``23.6`` -> ``"~24"``.

    >>> _expected(0.4), _expected(23.6)
    ('0.4', '~24')
    """
    return f"{x:.1f}" if x < 10 else f"~{x:.0f}"


def render(q: Question, result: Result, a: Answer, names: Names, today: date) -> Answer:
    x = result.extra
    city = not q.where or any(w.kind == "city" for w in q.where)
    where = "" if city else f" in {q.where[0].label}"
    what = f", {q.crime.label}" if q.crime.categories else ""
    if x.get("month") is None:
        a.title = "Running hot"
        a.lines.append("No counts yet, so nothing can be tested.")
        return a
    a.title = f"Running hot{where}{what}: {x['label']}"
    if x.get("tested_last_of"):
        a.lines.append(
            f"ℹ Tested month by month: this is {month_name(x['month'])}, the last "
            f"month of {x['tested_last_of']}."
        )
    if x.get("missing"):
        a.lines.append(x["missing"])
        a.data.update({"month": x["month"], "hot": [], "fdr": None})
        a.caveat = HOT_CAVEAT
        return a
    hot, fdr = x["hot"], x["fdr"]
    test = f"{fdr['method']} at {fdr['level']:.0%}"
    a.lines.append(x["basis"])
    if hot:
        a.lines.append(
            f"**{len(hot)} series{where} ran improbably high** ({fdr['flagged']} of "
            f"{fdr['tested']:,} city-wide, {test}):"
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
            f"**Nothing{where} ran improbably high** ({fdr['flagged']} of {fdr['tested']:,} "
            f"series flagged city-wide, {test})."
        )
    if x.get("untested"):
        a.lines.append(
            f"ℹ {x['untested']} incident(s) in series without a forecast (e.g. a new "
            f"{names.area_word}) were not tested."
        )
    a.data.update(
        {
            "month": x["month"],
            "hot": hot,
            "fdr": dict(fdr),
            "made_with_data_through": x.get("made_with_data_through"),
        }
    )
    a.caveat = HOT_CAVEAT
    return a
