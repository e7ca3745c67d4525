"""Comparisons named without two periods: "month over month", "compared to 2019" (with what?),
"above normal" (a norm we do not compute).

Each either fills in the periods the words imply (month over month: the newest complete month
against the one before) or asks back; never a broader answer.
"""

from __future__ import annotations

import re

from . import measures as M
from .period_spec import Period
from .question import Clarify

#: What to offer instead of a comparison with a norm.
NORM_OPTIONS = [
    "the change against the same months a year earlier (`vs last year`)",
    "two periods (`2023 vs 2019`)",
    "the average per month over a span (`average per month 2019-2022`)",
    "what is running hot against the forecast (`what's running hot`)",
]
MONTH_OVER_MONTH = re.compile(r"\bmonth (?:over|on|to) month\b|\bm o m\b")
QUARTER_OVER_QUARTER = re.compile(r"\bquarter (?:over|on|to) quarter\b|\bq o q\b|\bqoq\b")
_LAST_QUARTER = re.compile(r"\b(?:last|previous|prior) quarter\b")
_LONE = re.compile(r"\b(?:compared (?:to|with)|vs|versus|against|relative to|than)(?: in| to)? *$")


def check_norm(text: str) -> None:
    """Ask back for a comparison with a norm ("above normal", "vs the 2019-2022 average").

    >>> check_norm("thefts in beltline in 2023")
    >>> check_norm("are thefts above normal")
    Traceback (most recent call last):
    ...
    bot.language.question.Clarify: I can't compare with 'above normal': I have no normal level to measure against. I can give: the change against the same months a year earlier (`vs last year`); two periods (`2023 vs 2019`); the average per month over a span (`average per month 2019-2022`); what is running hot against the forecast (`what's running hot`).
    """
    hit = M.NORM.search(text)
    if hit:
        raise Clarify(
            hit.group(0),
            options=NORM_OPTIONS,
            message=f"I can't compare with '{hit.group(0)}': I have no normal level to "
            "measure against. I can give: " + "; ".join(NORM_OPTIONS) + ".",
        )


def month_over_month(
    text: str, specs: list[Period], whole: str = ""
) -> tuple[list[Period], tuple | None]:
    """ "month over month" / "quarter over quarter" with no period: the newest complete month
    (quarter) against the one before (``(specs, span used)``; ``text`` with the words already read
    masked, ``whole`` without); with periods named, they stand. "this quarter vs last quarter":
    the last is the calendar quarter before this one.

    >>> [p.label for p in month_over_month("month over month change in thefts", [])[0]]
    ['the month before', 'last month']
    >>> [p.label for p in month_over_month("qoq change in thefts", [])[0]]
    ['the quarter before', 'the last quarter']
    """
    if any(s.kind == "qtd" for s in specs) and _LAST_QUARTER.search(whole or text):
        specs = [
            Period("prev_quarter", "last quarter") if s.kind == "recent" and s.n == 3 else s
            for s in specs
        ]
    for pattern, pair in (
        (
            MONTH_OVER_MONTH,
            (Period("ago", "the month before", n=2), Period("recent", "last month")),
        ),
        (
            QUARTER_OVER_QUARTER,
            (
                Period("quarters", "the quarter before", n=1, back=1),
                Period("quarters", "the last quarter", n=1),
            ),
        ),
    ):
        hit = pattern.search(text)
        if hit is not None:
            return (specs or list(pair)), hit.span()
    return specs, None


def check_lone_comparison(text: str, found: list) -> None:
    """One period right after "compared to" / "vs" ("compared to 2019, how are assaults"): with
    what? Asked back rather than answered for that one period."""
    if len(found) != 1:
        return
    spec, (start, _) = found[0]
    if _LONE.search(text[:start]):
        raise Clarify(
            spec.label,
            options=[f"this year vs {spec.label}", f"last year vs {spec.label}"],
            message=f"Compared with {spec.label}, which period do you mean: this year, last "
            f"year, or another one (`2023 vs {spec.label}`)?",
        )
