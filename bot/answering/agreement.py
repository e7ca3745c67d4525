"""Which reading answers, and in whose words.

:func:`prefer_intent`: when the intent parser's reading is kept over the question value's (it is
more specific, or no period was named and the question has no shape the intents lack).
:func:`agrees`: whether the intent answer (:mod:`bot.answering.intents`) answers the same question
as the resolved :class:`~bot.language.question.Question`: then its fuller words (year-earlier lines, the
forecast made before, breakdowns by month and category, charts) are kept beside the evaluator's
rows; when it answered another question (a top 5 for "which four", the whole year for "Q2"), the
evaluator's result is put in words instead.

The comparison is on what the intent answer *did* (its months, places, categories, number of
rows), read from its data, never on what its parser guessed.
"""

from __future__ import annotations

from bot.language.parse import Query
from bot.language.question import Question

from .answer import Answer
from .result import Result
from .scope import areas_of

#: measures no intent answer gives in the same unit
NEW_MEASURES = ("rate", "average", "share", "peak", "trough", "list")


def _places(data: dict) -> frozenset[str] | None:
    items = data.get("items")
    places = (
        [i.get("place") for i in items if isinstance(i, dict) and i.get("place")]
        if isinstance(items, list)
        else []
    )
    places = places or ([data["place"]] if data.get("place") else [])
    if not places or any(p.get("kind") == "city" for p in places):
        return None
    return frozenset(c for p in places for c in p.get("communities", ()))


def could_agree(q: Question) -> bool:
    """Whether any intent answer could answer this question (else none is computed)."""
    return q.what not in NEW_MEASURES and len(q.when) < 2 and q.by != "region"


def agrees(q: Question, answer: Answer, result: Result) -> bool:
    """True when the intent answer covers the question's places, crime and months with the same
    number of rows: a ranking of the same length, or one figure per place."""
    if not answer.ok or q.what in NEW_MEASURES or len(q.when) == 2:
        return False
    data = answer.data
    if q.period is not None and q.period.first_day:  # a span of days (day-level sources)
        if data.get("days") != [q.period.first_day, q.period.last_day]:
            return False
    elif tuple(data.get("months") or ()) != (q.period.months if q.period is not None else ()):
        return False
    if set(data.get("categories") or ()) != set(q.crime.categories):
        return False
    where = areas_of(q.where)
    places = _places(data)
    if places is not None and where is not None and not places <= frozenset(where) | places:
        return False
    if (places is None) != (where is None) or (places is not None and places != frozenset(where)):
        return False
    if q.ranking is not None:
        top = data.get("top")
        return isinstance(top, list) and len(top) == len(result.rows) and q.ranking.order == "top"
    return q.by in (None, "month") or (q.by == "category" and answer.intent == "top")


#: intents whose answers may answer a question value in the same shape (see :mod:`.agreement`)
LEGACY_MEASURES = ("count", "forecast", "change", "top", "compare", "review")


#: intents more specific than a plain count or forecast: kept when the question value reads only
#: a count or forecast, or cannot place a word
SPECIFIC = (
    "change",
    "hot",
    "review",
    "trend",
    "explain",
    "coverage",
    "status",
    "subscribe",
    "unsubscribe",
    "help",
    "accuracy",
)


def prefer_intent(q: Question, legacy: Query | None) -> bool:
    """Keep the intent reading when it is more specific than the question value's (an "is it up"
    read as a plain count), or when no period was named and the question has no shape the intent
    answers lack (a number of places, a breakdown, two periods, a new measure)."""
    if legacy is None:
        return False
    unnamed = any(a.startswith("No period named") for a in q.assumptions)
    if (
        legacy.intent in SPECIFIC
        and legacy.intent != q.what
        and (q.what in ("count", "forecast") or (unnamed and q.what == "change"))
    ):
        return True
    plain = (
        len(q.when) <= 1
        and q.by in (None, "area")
        and q.what in ("count", "forecast", "rate")
        and (
            q.ranking is None
            or (legacy.intent == "top" and q.ranking.n == legacy.top_n and q.ranking.order == "top")
        )
    )
    return unnamed and plain and legacy.intent in ("forecast", "top", "compare", "count")
