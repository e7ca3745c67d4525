"""Rate: reported incidents per 1,000 residents (areas without a population figure are left out,
and the result says so)."""

from __future__ import annotations

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import PER_1000, Result
from ..scope import Group
from ..state import DataState
from .counting import counted


SMALL = 1000  # residents under which a rate says little


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    if not state.population(g.communities):
        return None
    n = counted(state, g, p)
    return None if n is None else from_count(state, g, n, p, q)


def from_count(state: DataState, g: Group, n: int, p: Period, q: Question) -> Value | None:
    pop = state.population(g.communities)
    return Value(n / pop * 1000.0) if pop else None


measure.from_count = from_count


def evaluate(q: Question, state: DataState) -> Result:
    result = tabulate(q, state, measure, PER_1000, why_left_out="no population figure")
    small = [r.area for r in result.rows if r.area and 0 < state.population((r.area,)) < SMALL]
    if small:
        result.notes.append(
            f"Few residents (under {SMALL:,}) in {', '.join(small[:5])}: their rates "
            "swing widely with a handful of incidents, and visitors' incidents "
            "count against residents."
        )
    if not state.population():
        result.notes.append(
            "No population figures are loaded (`crimecast reference load`), so "
            "there is no rate per 1,000 residents."
        )
    result.extra["population"] = (
        state.profile.reference.population.label
        if state.profile.reference.population
        else "census population"
    )
    return result
