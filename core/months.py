"""Month arithmetic on ``"YYYY-MM"`` strings, the unit every count, forecast and alert steps by.

>>> add_months("2023-11", 3)
'2024-02'
>>> month_range("2023-11", "2024-01")
['2023-11', '2023-12', '2024-01']
>>> months_between("2023-01", "2024-01")
12
"""

from __future__ import annotations

import calendar
import re
from datetime import date

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


def month_index(month: str) -> int:
    """Months since year 0: a total order that is easy to subtract.

    >>> month_index("2024-03") - month_index("2023-12")
    3
    """
    check_month(month)
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def from_index(index: int) -> str:
    """Inverse of :func:`month_index`.

    >>> from_index(month_index("2023-12") + 1)
    '2024-01'
    """
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months(month: str, k: int) -> str:
    """``month`` shifted by ``k`` months (``k`` may be negative)."""
    return from_index(month_index(month) + k)


def next_month(month: str) -> str:
    """The month after ``month``.

    >>> next_month("2023-12")
    '2024-01'
    """
    return add_months(month, 1)


def months_between(a: str, b: str) -> int:
    """``b - a`` in months."""
    return month_index(b) - month_index(a)


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive (empty if ``end < start``)."""
    return [from_index(i) for i in range(month_index(start), month_index(end) + 1)]


def month_of_year(month: str) -> int:
    """1..12."""
    return int(check_month(month)[5:7])


def month_of(day: date) -> str:
    """The month a day falls in.

    >>> month_of(date(2023, 5, 17))
    '2023-05'
    """
    return f"{day.year:04d}-{day.month:02d}"


def days_in_month(month: str) -> int:
    """Number of days in ``month``.

    >>> days_in_month("2024-02"), days_in_month("2023-02"), days_in_month("2023-12")
    (29, 28, 31)
    """
    check_month(month)
    return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]


def month_start(month: str) -> date:
    """First day of ``month``."""
    check_month(month)
    return date(int(month[:4]), int(month[5:7]), 1)


def month_end(month: str) -> date:
    """Last day of ``month``.

    >>> month_end("2024-02")
    datetime.date(2024, 2, 29)
    """
    return month_start(month).replace(day=days_in_month(month))


def month_score(month: str) -> int:
    """``"2023-05"`` -> ``202305``: a sortable number (the sorted-set score of a month)."""
    check_month(month)
    return int(month[:4]) * 100 + int(month[5:7])


def month_name(month: str) -> str:
    """``"2024-03"`` -> ``"March 2024"``."""
    return f"{calendar.month_name[month_of_year(month)]} {month[:4]}"
