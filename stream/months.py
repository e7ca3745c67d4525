"""Closing months: when a month's counts are final enough to learn from.

A month is *due* once the event-time watermark (the latest incident date counted) has passed the
month's last day plus a grace period, because late reports keep arriving for a while. Closing is
idempotent: the first closer records the month and emits one ``month_closed`` event; later closers
(another worker, a re-run) change nothing.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Iterable

import redis

from core.months import check_month, month_end, month_range, month_score

from .keys import Keys
from .scripts import CLOSE_MONTH

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
