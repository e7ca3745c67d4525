"""Rate: reported incidents per 1,000 residents (areas without a population figure are left out,
and the result says so)."""

from __future__ import annotations

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import PER_1000, Result
from ..scope import Group
from ..state import DataState
from .counting import counted


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    pop = state.population(g.communities)
    if not pop:
        return None
    n = counted(state, g, p)
    return None if n is None else Value(n / pop * 1000.0)


def evaluate(q: Question, state: DataState) -> Result:
    result = tabulate(q, state, measure, PER_1000)
    if not state.population():
        result.notes.append("No population figures are loaded (`crimecast reference load`), so "
                            "there is no rate per 1,000 residents.")
    result.extra["population"] = state.profile.reference.population.label \
        if state.profile.reference.population else "census population"
    return result
