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
    if q.by == "category":  # of the place's total for the crime asked
        whole = Group(areas_of(q.where), tuple(q.crime.categories))
    else:  # of the city's total
        whole = Group(None, g.categories)
    total = counted(state, whole, p)
    if n is None or not total:
        return None
    return Value(100.0 * n / total)


def evaluate(q: Question, state: DataState) -> Result:
    return tabulate(q, state, measure, PERCENT)
