"""What the source's resolution lets the week's alert say (:class:`Plan`).

A source that publishes whole months has no week and no month to date: the alert leads with the
newest complete month, tested whole. A day-level source keeps the week just ended and the month to
date. Either way the plan says whether the data are stale, which window the running-hot test
covers and which month "highest forecast" ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from core.months import add_months, month_end, month_name, month_of, month_range, month_start
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast
from stream.store import CountStore

from .as_of import Forecasts, Series

__all__ = [
    "STALE_DAYS",
    "STALE_MONTHS",
    "Plan",
    "daily_plan",
    "hot_window",
    "monthly_plan",
    "newest_complete",
    "target_month",
]

STALE_DAYS = 14  # day-level data older than two weeks at alert time is called stale
STALE_MONTHS = 2  # a monthly source whose newest complete month is older than this is stale


def newest_complete(watermark: date | None, as_of: date) -> str | None:
    """The newest month whose every day is on or before both the watermark and the day before
    ``as_of`` (a month the data covers to its end).

    >>> newest_complete(date(2023, 12, 31), date(2024, 1, 22))
    '2023-12'
    >>> newest_complete(date(2024, 1, 20), date(2024, 1, 22))
    '2023-12'
    """
    if watermark is None:
        return None
    last = min(watermark, as_of - timedelta(days=1))
    month = month_of(last)
    return month if last == month_end(month) else add_months(month, -1)


def hot_window(week_end: date, covered: set[str]) -> tuple[str, date, date]:
    """``(month, first day, last day)`` a day-level source's running-hot test covers: the month to
    date, or, when fewer than seven days of the month have passed, the whole month just ended if
    it is forecast.

    >>> hot_window(date(2023, 6, 18), set())
    ('2023-06', datetime.date(2023, 6, 1), datetime.date(2023, 6, 18))
    >>> hot_window(date(2023, 7, 2), {"2023-06"})
    ('2023-06', datetime.date(2023, 6, 1), datetime.date(2023, 6, 30))
    """
    if week_end.day < 7:
        prev = add_months(month_of(week_end), -1)
        if prev in covered:
            return prev, month_start(prev), month_end(prev)
    return month_of(week_end), week_end.replace(day=1), week_end


def target_month(forecasts: Mapping[Series, CachedForecast], after: str) -> str | None:
    """The month after ``after`` when forecast, else the first forecast month after it, else the
    earliest forecast month."""
    months = sorted({m for f in forecasts.values() for m in f.months})
    if not months:
        return None
    nxt = add_months(after, 1)
    later = [m for m in months if m > after]
    return nxt if nxt in months else (later[0] if later else months[0])


@dataclass
class Plan:
    """What the source's resolution lets the alert say: staleness, the running-hot test's window,
    the week's counts (day-level only), the month "highest forecast" ranks, and notes."""

    stale: bool
    month: str | None
    first: date | None
    last: date | None
    week_counts: dict[Series, int]
    target: str | None
    lead: list[str]
    notes: list[str]


def monthly_plan(newest: str | None, as_of: date, fc: Forecasts, week_end: date) -> Plan:
    """A monthly source: the newest complete month, tested whole; no week, no month to date."""
    if newest is None:
        return Plan(
            True, None, None, None, {}, target_month(fc.current, month_of(week_end)), [], []
        )
    gap = month_range(add_months(newest, 1), month_of(as_of))
    stale = len(gap) > STALE_MONTHS
    missing = (
        month_name(gap[0]) if len(gap) == 1 else f"{month_name(gap[0])} to {month_name(gap[-1])}"
    )
    lead = [
        f"The source publishes whole months: {missing} {'has' if len(gap) == 1 else 'have'} no "
        f"data yet, so this alert covers {month_name(newest)}, the newest complete month. There "
        f"are no week or month-to-date figures."
    ]
    notes = (
        [
            f"The newest complete month is {month_name(newest)}: the source is {len(gap)} months "
            f"behind."
        ]
        if stale
        else []
    )
    return Plan(
        stale,
        newest,
        month_start(newest),
        month_end(newest),
        {},
        add_months(newest, 1),
        lead,
        notes,
    )


def daily_plan(
    store: CountStore, archive: ForecastArchive, fc: Forecasts, watermark: date | None, as_of: date
) -> Plan:
    """A day-level source: the week just ended and the month to date."""
    week_end, week_start = as_of - timedelta(days=1), as_of - timedelta(days=7)
    notes = []
    age = (as_of - watermark).days if watermark is not None else None
    stale = watermark is None or age > STALE_DAYS
    if watermark is not None and stale:
        notes.append(
            f"Data run only to {watermark.isoformat()} ({age} days before this alert): "
            f"recent weeks are incomplete."
        )
    covered = {m for f in fc.current.values() for m in f.months}
    prev = add_months(month_of(week_end), -1)
    if archive.made_before(prev) is not None:
        covered.add(prev)
    month, first, last = hot_window(week_end, covered)
    if month != month_of(week_end):
        notes.append(
            f"Only {week_end.day} day(s) of {month_of(week_end)} have passed, so the "
            f"running-hot test covers all of {month}."
        )
    return Plan(
        stale,
        month,
        first,
        last,
        store.day_counts(week_start, week_end),
        target_month(fc.current, month_of(week_end)),
        [],
        notes,
    )
