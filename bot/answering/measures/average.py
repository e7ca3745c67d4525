"""Average: reported incidents per month over the period."""

from __future__ import annotations

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import PER_MONTH, Result
from ..scope import Group
from ..state import DataState
from .counting import counted


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    n = counted(state, g, p)
    return None if n is None else from_count(state, g, n, p, q)


def from_count(state: DataState, g: Group, n: int, p: Period, q: Question) -> Value | None:
    return Value(n / p.n_months) if p.n_months else None


measure.from_count = from_count


def evaluate(q: Question, state: DataState) -> Result:
    return tabulate(q, state, measure, PER_MONTH)
