"""The single-period patterns: "last month", "in 2022", "since June", "from March to May 2023".

Shared regex fragments (month names, years, small numbers) and the one-period patterns with the
:class:`Period` each names (:func:`_build`); the full grammar (:mod:`bot.language.period_grammar`)
reuses these patterns after its own.
"""

from __future__ import annotations

import re

from core.months import month_name

from .horizon import MONTHS, word_number
from .period_spec import Period

_MON = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_YEAR = r"((?:19|20)\d\d)"
_N = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple|few)"
_RECENT = r"(?:last|past|previous|recent)"

_n = word_number


def _m(name: str) -> int:
    return MONTHS[name]


_PATTERNS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(
            rf"\b(?:from|between) {_MON}(?: {_YEAR})? (?:to|and|until|till|through|thru) "
            rf"{_MON}(?: {_YEAR})?\b"
        ),
        "range",
    ),
    (
        re.compile(rf"\b{_MON}(?: {_YEAR})? (?:to|through|thru|until) {_MON}(?: {_YEAR})?\b"),
        "range",
    ),
    (
        re.compile(
            rf"\b(?:from|between) {_YEAR} (0?[1-9]|1[0-2]) (?:to|and|until|through) "
            rf"{_YEAR} (0?[1-9]|1[0-2])\b"
        ),
        "iso_range",
    ),
    (re.compile(rf"\bsince {_MON}(?: {_YEAR})?\b"), "since_month"),
    (re.compile(rf"\bsince {_YEAR}\b"), "since_year"),
    (re.compile(r"\byesterday\b"), "yesterday"),
    (re.compile(rf"\b(?:the )?{_RECENT} week\b"), "last_week"),
    (re.compile(rf"\b(?:the |in the )?{_RECENT} {_N} days\b"), "last_days"),
    (re.compile(rf"\b(?:the |in the |over the )?{_RECENT} {_N} months\b"), "recent"),
    (re.compile(r"\b(?:the )?(?:last|past|previous) (?:quarter|three months)\b"), "quarter"),
    (re.compile(rf"\b{_N} months ago\b"), "ago"),
    (re.compile(r"\b(?:last|previous|past) months?\b|\ba month ago\b"), "last_month"),
    (
        re.compile(r"\b(?:this year|year to date|ytd|so far this year|this year so far)\b"),
        "this_year",
    ),
    (re.compile(r"\b(?:last|previous|past) year\b|\ba year ago\b"), "last_year"),
    (re.compile(rf"\b{_YEAR} (0?[1-9]|1[0-2])\b"), "iso_month"),
    (re.compile(rf"\b{_MON} {_YEAR}\b"), "month_year"),
    (re.compile(rf"\b(?:in |during |for |of )?{_YEAR}\b"), "year"),
]


def _build(kind: str, g: tuple) -> Period:
    """The :class:`Period` a legacy pattern's groups name."""
    if kind == "range":
        m1, y1, m2, y2 = _m(g[0]), g[1], _m(g[2]), g[3]
        if y1 is None and y2 is not None:  # "from March to May 2023"; "Nov to Feb 2023" wraps
            y1 = str(int(y2) - (1 if m1 > m2 else 0))
        if y1 and y2:
            start, end = f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"
            return Period("range", f"{month_name(start)} – {month_name(end)}", start, end)
        if y1 and not y2:
            y2 = str(int(y1) + (1 if m2 < m1 else 0))
            start, end = f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"
            return Period("range", f"{month_name(start)} – {month_name(end)}", start, end)
        return Period("range", f"{g[0].title()} – {g[2].title()}", month_number=m1, end_number=m2)
    if kind == "iso_range":
        start, end = f"{g[0]}-{int(g[1]):02d}", f"{g[2]}-{int(g[3]):02d}"
        return Period("range", f"{month_name(start)} – {month_name(end)}", start, end)
    if kind == "since_month":
        if g[1]:
            start = f"{g[1]}-{_m(g[0]):02d}"
            return Period("since", f"since {month_name(start)}", start)
        return Period("since", f"since {g[0].title()}", month_number=_m(g[0]))
    if kind == "since_year":
        return Period("since", f"since {g[0]}", f"{g[0]}-01")
    if kind == "yesterday":
        return Period("days", "yesterday", n=1)
    if kind == "last_week":
        return Period("last_week", "last week", n=7)
    if kind == "last_days":
        n = _n(g[0])
        return Period("days", f"the last {n} days", n=n)
    if kind == "recent":
        n = _n(g[0])
        return Period("recent", f"the last {n} months" if n > 1 else "last month", n=n)
    if kind == "quarter":
        return Period("recent", "the last 3 months", n=3)
    if kind == "ago":
        n = _n(g[0])
        return Period("ago", f"{n} months ago", n=n)
    if kind == "last_month":
        return Period("recent", "last month", n=1)
    if kind == "this_year":
        return Period("this_year", "this year")
    if kind == "last_year":
        return Period("last_year", "last year")
    if kind == "iso_month":
        start = f"{g[0]}-{int(g[1]):02d}"
        return Period("month", month_name(start), start, start)
    if kind == "month_year":
        start = f"{g[1]}-{_m(g[0]):02d}"
        return Period("month", month_name(start), start, start)
    if kind == "year":
        return Period("year", g[0], year=int(g[0]))
    raise ValueError(kind)
