"""Change: the later period's count against the earlier one (two periods asked, or the same span
a year before): value, previous, change and percent change per row."""

from __future__ import annotations

from dataclasses import replace

from bot.language.question import Question

from ..compose import tabulate
from ..result import INCIDENTS, Result
from ..state import DataState
from .count import measure


def evaluate(q: Question, state: DataState) -> Result:
    if q.previous is None and q.compared_with not in ("year_before", "forecast"):
        q = replace(q, compared_with="year_before")
    return tabulate(q, state, measure, INCIDENTS)
