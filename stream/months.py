"""Closing months: when a month's counts are final enough to learn from.

A month is *due* once the event-time watermark (the latest incident date counted) has passed the
month's last day plus a grace period, because late reports keep arriving for a while. Closing is
idempotent: the first closer records the month and emits one ``month_closed`` event; later closers
(another worker, a re-run) change nothing.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Iterable, Mapping

import redis

from core.months import add_months, check_month, month_end, month_range, month_score

from .keys import Keys
from .scripts import CLOSE_MONTH


def series_start(totals: Mapping[str, int], share: float = 0.2) -> str | None:
    """The month a city's series begin: the first month holding at least ``share`` of the
    busiest month's incidents. Leading months below it hold only stragglers (incidents reported
    in the data's span that occurred years before it) and would be learned as empty months.

    >>> series_start({"2010-09": 1, "2018-12": 102, "2019-01": 2012, "2019-02": 1644})
    '2019-01'
    >>> series_start({"2023-01": 1, "2023-02": 0, "2023-03": 2}), series_start({})
    ('2023-01', None)
    """
    if not totals:
        return None
    peak = max(totals.values())
    return next((m for m in sorted(totals) if totals[m] >= share * peak), None)


def due_months(
    watermark: date | None,
    grace_days: int,
    closed: Iterable[str],
    known_months: Iterable[str],
    start: str | None = None,
) -> list[str]:
    """Months not yet closed whose end plus ``grace_days`` the watermark has passed, oldest first.

    Months without any count between the series' first month and the last due one are due too (a
    month with no reported incident at all is a real zero, not a gap to skip). The series begin
    at ``start`` (see :func:`series_start`), else at the first known month; once a month has
    closed, only months after the last closed one can become due: a late incident dated years
    back neither reopens closed months nor invents the empty years before them.

    >>> due_months(date(2024, 1, 20), 14, closed=["2023-10"], known_months=["2023-10", "2023-12"])
    ['2023-11', '2023-12']
    >>> due_months(date(2024, 1, 10), 14, closed=[], known_months=["2023-12"])
    []
    >>> due_months(None, 14, [], ["2023-12"])
    []
    >>> due_months(date(2024, 3, 1), 14, [], ["2010-09", "2023-12", "2024-01"], start="2023-12")
    ['2023-12', '2024-01']
    >>> due_months(date(2024, 3, 1), 14, ["2024-01"], ["2010-09", "2023-12", "2024-01"])
    []
    """
    if watermark is None:
        return []
    known = sorted(set(known_months))
    if not known:
        return []
    closed_set = set(closed)
    first = known[0]
    if closed_set:
        first = add_months(max(closed_set), 1)
    elif start is not None:
        first = max(first, check_month(start))
    cutoff = watermark - timedelta(days=grace_days)
    due: list[str] = []
    for m in month_range(first, known[-1]) if first <= known[-1] else []:
        if month_end(m) < cutoff and m not in closed_set:
            due.append(m)
    return due


def close_month(client: redis.Redis, keys: Keys, month: str, reason: str = "watermark") -> bool:
    """Mark ``month`` closed; True only for the first closer, which also emits the
    ``{type: month_closed, month, reason}`` event on ``keys.events``."""
    check_month(month)
    added = client.eval(
        CLOSE_MONTH,
        2,
        keys.closed_months,
        keys.events,
        month,
        month_score(month),
        reason,
        f"{time.time():.3f}",
    )
    return bool(int(added))
