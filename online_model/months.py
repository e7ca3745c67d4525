"""Month arithmetic on ``"YYYY-MM"`` strings, the unit every forecaster steps by.

>>> add_months("2023-11", 3)
'2024-02'
>>> month_range("2023-11", "2024-01")
['2023-11', '2023-12', '2024-01']
>>> months_between("2023-01", "2024-01")
12
"""

from __future__ import annotations

import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def check_month(month: str) -> str:
    """Return ``month`` if it is a valid ``YYYY-MM`` string, else raise ``ValueError``.

    >>> check_month("2023-13")
    Traceback (most recent call last):
    ...
    ValueError: not a month (YYYY-MM): '2023-13'
    """
    m = _MONTH.match(str(month))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {month!r}")
    return month


def month_index(month: str) -> int:
    """Months since year 0 (a total order that is easy to subtract)."""
    check_month(month)
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months(month: str, k: int) -> str:
    return from_index(month_index(month) + k)


def months_between(a: str, b: str) -> int:
    """``b - a`` in months."""
    return month_index(b) - month_index(a)


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive (empty if ``end < start``)."""
    return [from_index(i) for i in range(month_index(start), month_index(end) + 1)]


def month_of_year(month: str) -> int:
    """1..12."""
    return int(check_month(month)[5:7])
