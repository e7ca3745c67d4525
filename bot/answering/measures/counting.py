"""Reported counts of a group over a period: months from the count panel, days (day-level
sources) from the state's day counts (read on first use, kept for the version). The one place a
count is taken."""

from __future__ import annotations

from datetime import date

from bot.language.question import Period

from ..scope import Group
from ..state import DataState


def counted(state: DataState, g: Group, p: Period) -> int | None:
    """Reported incidents of the group in the period (None when it lies outside the counts)."""
    rows = g.rows(state)
    if p.first_day and p.last_day and state.day_level:
        wanted = {state.catalog.series[i] for i in rows}
        days = state.day_counts(date.fromisoformat(p.first_day), date.fromisoformat(p.last_day))
        return sum(v for k, v in days.items() if k in wanted)
    return state.count(rows, p.months)
