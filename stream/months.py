"""Closing months: when a month's counts are final enough to learn from.

A month is *due* once the event-time watermark (the latest incident date counted) has passed the
month's last day plus a grace period, because late reports keep arriving for a while. Closing is
idempotent: the first closer records the month and emits one ``month_closed`` event; later closers
(another worker, a re-run) change nothing.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import date, timedelta
from typing import Iterable

import redis

from .keys import Keys
from .scripts import CLOSE_MONTH

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(month: str) -> str:
    """Return ``month`` if it is ``YYYY-MM``, else raise ``ValueError``.

    >>> check_month("2023-12")
    '2023-12'
    >>> check_month("2023-13")
    Traceback (most recent call last):
    ...
    ValueError: month must look like YYYY-MM, got '2023-13'
    """
    if not isinstance(month, str) or not _MONTH.match(month):
        raise ValueError(f"month must look like YYYY-MM, got {month!r}")
    return month


def month_end(month: str) -> date:
    """Last day of ``month``.

    >>> month_end("2024-02")
    datetime.date(2024, 2, 29)
    """
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, calendar.monthrange(y, m)[1])


def month_score(month: str) -> int:
    """``"2023-05"`` -> ``202305`` (the sorted-set score of a month)."""
    return int(month[:4]) * 100 + int(month[5:7])


def next_month(month: str) -> str:
    """The month after ``month``.

    >>> next_month("2023-12")
    '2024-01'
    """
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive.

    >>> month_range("2023-11", "2024-02")
    ['2023-11', '2023-12', '2024-01', '2024-02']
    """
    out, m = [], check_month(start)
    check_month(end)
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def due_months(watermark: date | None, grace_days: int, closed: Iterable[str],
               known_months: Iterable[str]) -> list[str]:
    """Months not yet closed whose end plus ``grace_days`` the watermark has passed, oldest first.

    Months without any count between the first known month and the last due one are due too (a
    month with no reported incident at all is a real zero, not a gap to skip).

    >>> due_months(date(2024, 1, 20), 14, closed=["2023-10"], known_months=["2023-10", "2023-12"])
    ['2023-11', '2023-12']
    >>> due_months(date(2024, 1, 10), 14, closed=[], known_months=["2023-12"])
    []
    >>> due_months(None, 14, [], ["2023-12"])
    []
    """
    if watermark is None:
        return []
    known = sorted(set(known_months))
    if not known:
        return []
    closed_set = set(closed)
    cutoff = watermark - timedelta(days=grace_days)
    due: list[str] = []
    for m in month_range(known[0], known[-1]):
        if month_end(m) < cutoff and m not in closed_set:
            due.append(m)
    return due


def close_month(client: redis.Redis, keys: Keys, month: str, reason: str = "watermark") -> bool:
    """Mark ``month`` closed; True only for the first closer, which also emits the
    ``{type: month_closed, month, reason}`` event on ``keys.events``."""
    check_month(month)
    added = client.eval(CLOSE_MONTH, 2, keys.closed_months, keys.events, month,
                        month_score(month), reason, f"{time.time():.3f}")
    return bool(int(added))
