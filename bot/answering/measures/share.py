"""Share: a place's percent of the city's count (same crime, same period); by category, each
category's percent of the place's total."""

from __future__ import annotations

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import PERCENT, Result
from ..scope import Group, areas_of
from ..state import DataState
from .counting import counted


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    n = counted(state, g, p)
    return None if n is None else from_count(state, g, n, p, q)


def from_count(state: DataState, g: Group, n: int, p: Period, q: Question) -> Value | None:
    if q.by == "category":  # of the place's total for the crime asked
        whole = Group(areas_of(q.where), tuple(q.crime.categories))
    else:  # of the city's total
        whole = Group(None, g.categories)
    total = state.memo(
        ("total", whole, p.start, p.end, p.first_day, p.last_day), lambda: counted(state, whole, p)
    )
    return Value(100.0 * n / total) if total else None


measure.from_count = from_count


def evaluate(q: Question, state: DataState) -> Result:
    return tabulate(q, state, measure, PERCENT)
