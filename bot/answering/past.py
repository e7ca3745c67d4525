"""What happened in a period: counts in scope, the same period a year earlier, and what the forecast
made *before* the period expected (from the forecast archive), for the intents about the past.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.months import month_name

from bot.language.names import Place
from bot.language.question import QueryError
from bot.language.spans import Span
from bot.answering.view import View

from .asked import Asked
from .result import Result, Row

from .archive import expected_or_why
from bot.rendering.wording import fmt_change, fmt_range


def span_of(view: View, query: Asked) -> Span:
    """The question's period as resolved (months, or days), or a :class:`QueryError` when there
    are no counts to answer from."""
    span = query.span()
    if not view.hist.months or view.complete_through() is None:
        raise QueryError(
            "No counts yet: ingest data first (`crimecast ingest` or `crimecast demo`).",
            kind="no_data",
        )
    return latest(view) if span is None else span


def latest(view: View) -> Span:
    """The newest complete month of the counts."""
    newest = view.complete_through()
    return Span(month_name(newest), [newest])


def evaluated(result: Result | None, n_places: int, span: Span) -> list[Row] | None:
    """The evaluator's row for each place asked about (one each, in order), or None when its
    rows are another split (by month) or the period is days: the detailed answer then counts."""
    if result is None or span.days is not None:
        return None
    rows = result.rows
    if len(rows) != n_places or any(r.month is not None or r.value is None for r in rows):
        return None
    return rows


def count(view: View, hrows: np.ndarray, span: Span) -> int | None:
    """Reported incidents in the history rows over the span (None when outside the data)."""
    if span.days is not None:
        a, b = span.days
        wanted = {view.hist.series[i] for i in hrows}
        return sum(v for k, v in view.state.day_counts(a, b).items() if k in wanted)
    return view.observed(hrows, span.months)


@dataclass
class Expected:
    """What the forecasts made before each month of a period expected, in total."""

    mean: float
    lo: int
    hi: int
    made_with: list[str]  # data-through months of the sets used
    steps: list[int]

    def verdict(self, observed: int) -> str:
        if observed < self.lo:
            return "below its 80% range"
        if observed > self.hi:
            return "above its 80% range"
        return "inside its 80% range"

    def to_dict(self, observed: int) -> dict:
        return {
            "mean": round(self.mean, 2),
            "lo80": self.lo,
            "hi80": self.hi,
            "made_with_data_through": self.made_with,
            "steps": self.steps,
            "inside": self.lo <= observed <= self.hi,
        }


def archived_rows(view: View, aset, place: Place, categories: tuple[str, ...]) -> np.ndarray:
    """Rows in scope that the archived set forecast (read from the set on demand)."""
    return aset.has(
        view.state.rows(None if place.kind == "city" else place.communities, categories)
    )


def expected(
    view: View, place: Place, categories: tuple[str, ...], months: list[str]
) -> tuple[Expected | None, str]:
    """The archived forecast total for the months (each from the set made before it), or None and
    the reason in words ("no forecast was archived before <month>")."""
    rows = view.state.rows(None if place.kind == "city" else place.communities, categories)
    exp, why = expected_or_why(view.state, rows, months)
    if exp is None:
        return None, why
    return Expected(exp.mean, int(exp.lo), int(exp.hi), list(exp.made_with), list(exp.steps)), ""


def expected_text(exp: Expected, observed: int) -> str:
    """'about 12 (80% range 8–17) (made with data through May 2023, one month ahead); the count
    15 fell inside its 80% range.'"""
    steps = sorted(set(exp.steps))
    ahead = (
        "one month ahead"
        if steps == [1]
        else f"{steps[0]} months ahead"
        if len(steps) == 1
        else f"{steps[0]}–{steps[-1]} months ahead"
    )
    if len(exp.made_with) == 1:
        made = f"made with data through {month_name(exp.made_with[0])}, {ahead}"
    else:
        made = (
            f"each month's forecast made {ahead}, with data through "
            f"{month_name(exp.made_with[0])} – {month_name(exp.made_with[-1])}"
        )
    return (
        f"{fmt_range(exp.mean, exp.lo, exp.hi)} ({made}); the count {observed:,} fell "
        f"{exp.verdict(observed)}."
    )


def year_earlier(
    view: View, hrows: np.ndarray, span: Span, now: int, row: Row | None = None
) -> tuple[str, dict]:
    """'1,234 (November 2022): +12%' and its data, or why there is none (``row``: the
    evaluator's, when it holds the year before already)."""
    prev = span.previous_year()
    before = (
        (int(row.previous) if row.previous is not None else None)
        if row is not None
        else count(view, hrows, prev)
        if (prev.days is not None or all(m in view.hist.col for m in prev.months))
        else None
    )
    if before is None:
        return (
            f"no counts a year earlier (the data start in {month_name(view.hist.months[0])})",
            {"previous": None},
        )
    return (
        f"{before:,} ({prev.label}): {fmt_change(now, before)}",
        {
            "previous": before,
            "previous_label": prev.label,
            "change_pct": round((now - before) / before * 100, 1) if before else None,
        },
    )


def chance_note(now: int, before: int) -> str | None:
    """Say when a year-over-year difference is within what chance alone gives (Poisson, ~95%)."""
    if now + before == 0:
        return None
    if abs(now - before) <= 1.96 * np.sqrt(now + before):
        return (
            "The difference is within what chance alone gives for counts this size, so it is "
            "not clearly a real change."
        )
    return None
