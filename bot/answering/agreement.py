"""Whether the intent answer (:mod:`bot.answering.intents`) answers the same question as the
resolved :class:`~bot.language.question.Question`: then its fuller words (year-earlier lines, the
forecast made before, breakdowns by month and category, charts) are kept beside the evaluator's
rows; when it answered another question (a top 5 for "which four", the whole year for "Q2"), the
evaluator's result is put in words instead.

The comparison is on what the intent answer *did* (its months, places, categories, number of
rows), read from its data, never on what its parser guessed.
"""

from __future__ import annotations

from bot.language.question import Question

from .answer import Answer
from .result import Result
from .scope import areas_of

#: measures no intent answer gives in the same unit
NEW_MEASURES = ("rate", "average", "share", "peak", "trough", "list")


def _places(data: dict) -> frozenset[str] | None:
    items = data.get("items")
    places = [i.get("place") for i in items if isinstance(i, dict) and i.get("place")] \
        if isinstance(items, list) else []
    places = places or ([data["place"]] if data.get("place") else [])
    if not places or any(p.get("kind") == "city" for p in places):
        return None
    return frozenset(c for p in places for c in p.get("communities", ()))


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
