"""Count: reported incidents over where x crime x period (a row per group of ``by``)."""

from __future__ import annotations

from bot.language.question import Period, Question

from ..compose import Value, tabulate
from ..result import INCIDENTS, Result
from ..scope import Group
from ..state import DataState
from .counting import counted


def measure(state: DataState, g: Group, p: Period, q: Question) -> Value | None:
    n = counted(state, g, p)
    return None if n is None else Value(float(n))


def evaluate(q: Question, state: DataState) -> Result:
    return tabulate(q, state, measure, INCIDENTS)
