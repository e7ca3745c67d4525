"""Periods people name when they ask about the past: "last month", "in 2022", "since June", ...

Two steps, both pure. :func:`parse_period` finds a period phrase in normalised text without knowing
the data (a :class:`Period`); :func:`resolve` turns it into the months (or days) it covers, given
the newest complete month of the counts, which is what "last month" and "this year" are relative
to (as "next month" is for forecasts), and says in words what it chose (:class:`Span`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.months import add_months, month_name, month_range

from .horizon import MONTHS, word_number

_MON = (r"(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_YEAR = r"((?:19|20)\d\d)"
_N = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple|few)"
_RECENT = r"(?:last|past|previous|recent)"

#: Words that make a question about the past when no period is named ("how many were there").
PAST_TENSE = frozenset("was were did had happened occurred reported recorded saw seen ago".split())
#: Words that can change a question's meaning when the parser did not use them in a period.
MEANINGFUL = frozenset("last previous past ago since yesterday week weeks day days".split())

# "compared to last year" and its kin: a year-over-year comparison, not a period
YOY = re.compile(r"\b(?:(?:compared|comparison|relative) (?:to|with)|vs|versus|than|from|over|on|"
                 r"against) (?:the same (?:time|period|months?) )?(?:a year (?:ago|earlier|before)|"
                 r"last year|the (?:year|previous year|prior year) before|the previous year|"
                 r"the prior year)\b|\byear (?:over|on) year\b|\byoy\b|\bsame time last year\b")


@dataclass(frozen=True)
class Period:
    """A period as named, before the data say which months it is.

    ``kind``: ``month`` (``start`` ``YYYY-MM``), ``month_of_year`` (``month_number``: the latest
    complete one), ``recent`` (the newest ``n`` complete months: "last month", "the last 3
    months"), ``ago`` (the month ``n`` before the newest), ``year`` (``year``), ``this_year``,
    ``last_year``, ``since`` (``start`` or ``month_number`` or ``year``, through the newest),
    ``range`` (``start``..``end``, years possibly inferred), ``days`` (``n`` days ending
    ``offset`` days before today: "yesterday", "the last 7 days"), ``last_week`` (the previous
    Monday-Sunday), ``latest`` (no period named: the newest complete month).
    """

    kind: str
    label: str
    start: str | None = None
    end: str | None = None
    n: int = 1
    month_number: int | None = None
    end_number: int | None = None
    year: int | None = None

    @property
    def is_days(self) -> bool:
        return self.kind in ("days", "last_week")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "start": self.start, "end": self.end,
                "n": self.n, "month_number": self.month_number, "year": self.year}


_n = word_number


def _m(name: str) -> int:
    return MONTHS[name]


_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"\b(?:from|between) {_MON}(?: {_YEAR})? (?:to|and|until|till|through|thru) "
                rf"{_MON}(?: {_YEAR})?\b"), "range"),
    (re.compile(rf"\b{_MON}(?: {_YEAR})? (?:to|through|thru|until) {_MON}(?: {_YEAR})?\b"), "range"),
    (re.compile(rf"\b(?:from|between) {_YEAR} (0?[1-9]|1[0-2]) (?:to|and|until|through) "
                rf"{_YEAR} (0?[1-9]|1[0-2])\b"), "iso_range"),
    (re.compile(rf"\bsince {_MON}(?: {_YEAR})?\b"), "since_month"),
    (re.compile(rf"\bsince {_YEAR}\b"), "since_year"),
    (re.compile(r"\byesterday\b"), "yesterday"),
    (re.compile(rf"\b(?:the )?{_RECENT} week\b"), "last_week"),
    (re.compile(rf"\b(?:the |in the )?{_RECENT} {_N} days\b"), "last_days"),
    (re.compile(rf"\b(?:the |in the |over the )?{_RECENT} {_N} months\b"), "recent"),
    (re.compile(r"\b(?:the )?(?:last|past|previous) (?:quarter|three months)\b"), "quarter"),
    (re.compile(rf"\b{_N} months ago\b"), "ago"),
    (re.compile(r"\b(?:last|previous|past) months?\b|\ba month ago\b"), "last_month"),
    (re.compile(r"\b(?:this year|year to date|ytd|so far this year|this year so far)\b"), "this_year"),
    (re.compile(r"\b(?:last|previous|past) year\b|\ba year ago\b"), "last_year"),
    (re.compile(rf"\b{_YEAR} (0?[1-9]|1[0-2])\b"), "iso_month"),
    (re.compile(rf"\b{_MON} {_YEAR}\b"), "month_year"),
    (re.compile(rf"\b(?:in |during |for |of )?{_YEAR}\b"), "year"),
]


def parse_period(text: str) -> tuple[Period | None, list[tuple[int, int]]]:
    """The first period named in normalised text, and the character spans it used.

    >>> parse_period("car thefts in beltline last month")[0].kind
    'recent'
    >>> p, _ = parse_period("break ins in dover in 2022"); p.kind, p.year
    ('year', 2022)
    >>> p, _ = parse_period("from march to may 2023"); p.kind, p.start, p.end
    ('range', '2023-03', '2023-05')
    >>> parse_period("since june")[0].month_number
    6
    >>> parse_period("forecast beltline next month")[0] is None
    True
    """
    for pattern, kind in _PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groups()
        span = [m.span()]
        if kind == "range":
            m1, y1, m2, y2 = _m(g[0]), g[1], _m(g[2]), g[3]
            if y1 is None and y2 is not None:  # "from March to May 2023"; "Nov to Feb 2023" wraps
                y1 = str(int(y2) - (1 if m1 > m2 else 0))
            if y1 and y2:
                start, end = f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"
                return Period("range", f"{month_name(start)} – {month_name(end)}", start, end), span
            if y1 and not y2:
                y2 = str(int(y1) + (1 if m2 < m1 else 0))
                start, end = f"{y1}-{m1:02d}", f"{y2}-{m2:02d}"
                return Period("range", f"{month_name(start)} – {month_name(end)}", start, end), span
            return Period("range", f"{g[0].title()} – {g[2].title()}", month_number=m1,
                          end_number=m2), span
        if kind == "iso_range":
            start, end = f"{g[0]}-{int(g[1]):02d}", f"{g[2]}-{int(g[3]):02d}"
            return Period("range", f"{month_name(start)} – {month_name(end)}", start, end), span
        if kind == "since_month":
            if g[1]:
                start = f"{g[1]}-{_m(g[0]):02d}"
                return Period("since", f"since {month_name(start)}", start), span
            return Period("since", f"since {g[0].title()}", month_number=_m(g[0])), span
        if kind == "since_year":
            return Period("since", f"since {g[0]}", f"{g[0]}-01"), span
        if kind == "yesterday":
            return Period("days", "yesterday", n=1), span
        if kind == "last_week":
            return Period("last_week", "last week", n=7), span
        if kind == "last_days":
            n = _n(g[0])
            return Period("days", f"the last {n} days", n=n), span
        if kind == "recent":
            n = _n(g[0])
            return Period("recent", f"the last {n} months" if n > 1 else "last month", n=n), span
        if kind == "quarter":
            return Period("recent", "the last 3 months", n=3), span
        if kind == "ago":
            n = _n(g[0])
            return Period("ago", f"{n} months ago", n=n), span
        if kind == "last_month":
            return Period("recent", "last month", n=1), span
        if kind == "this_year":
            return Period("this_year", "this year"), span
        if kind == "last_year":
            return Period("last_year", "last year"), span
        if kind == "iso_month":
            start = f"{g[0]}-{int(g[1]):02d}"
            return Period("month", month_name(start), start, start), span
        if kind == "month_year":
            start = f"{g[1]}-{_m(g[0]):02d}"
            return Period("month", month_name(start), start, start), span
        if kind == "year":
            return Period("year", g[0], year=int(g[0])), span
    return None, []


@dataclass
class Span:
    """A resolved period: the complete months it covers (or days), in words, with notes."""

    label: str
    months: list[str] = field(default_factory=list)
    days: tuple[date, date] | None = None
    notes: list[str] = field(default_factory=list)

    def previous_year(self) -> "Span":
        """The same months (or weekdays) a year earlier."""
        if self.days is not None:
            a, b = self.days
            return Span("a year earlier", days=(a - timedelta(days=364), b - timedelta(days=364)))
        months = [add_months(m, -12) for m in self.months]
        return Span(months_label(months), months)


class PeriodError(ValueError):
    """A period outside what the data can answer; the message says why, naming the data's span.

    ``future`` holds the months asked about when all of them come after the counts.
    """

    def __init__(self, message: str, future: list[str] | None = None):
        super().__init__(message)
        self.future = future or []


def months_label(months: list[str]) -> str:
    """``["2023-03", "2023-04"]`` -> ``"March – April 2023"``; one month -> its name.

    >>> months_label(["2023-01", "2023-02", "2023-03"]), months_label(["2022-11", "2023-02"])
    ('January – March 2023', 'November 2022 – February 2023')
    >>> months_label([f"2022-{m:02d}" for m in range(1, 13)])
    '2022'
    """
    if not months:
        return "no months"
    a, b = months[0], months[-1]
    if a == b:
        return month_name(a)
    if a[:4] == b[:4] and a[5:] == "01" and b[5:] == "12":
        return a[:4]
    if a[:4] == b[:4]:
        return f"{month_name(a).split()[0]} – {month_name(b)}"
    return f"{month_name(a)} – {month_name(b)}"


_months = month_range


def resolve(period: Period, newest: str, first: str, today: date) -> Span:
    """The complete months ``period`` covers, given the newest complete month and the first month
    of the counts; raises :class:`PeriodError` when nothing of it is in the data.

    >>> resolve(Period("recent", "last month"), "2023-12", "2018-01", date(2024, 1, 20)).months
    ['2023-12']
    >>> s = resolve(Period("this_year", "this year"), "2023-12", "2018-01", date(2024, 1, 20))
    >>> s.months[0], s.months[-1], s.label
    ('2023-01', '2023-12', '2023')
    >>> resolve(Period("since", "since June", month_number=6), "2023-12", "2018-01", date(2024, 1, 2)).label
    'June – December 2023'
    """
    notes: list[str] = []
    current_year = int(add_months(newest, 1)[:4])
    k = period.kind
    if k in ("recent", "latest"):
        start, end = add_months(newest, -(period.n - 1)), newest
        calendar_last = add_months(f"{today.year:04d}-{today.month:02d}", -1)
        if k == "latest":
            notes.append(f"No period named: this is the newest complete month in the data, "
                         f"{month_name(newest)}.")
        elif calendar_last != newest:
            notes.append(f"'{period.label}' read as the newest complete month"
                         f"{'s' if period.n > 1 else ''} in the data, ending {month_name(newest)} "
                         f"(today is {today.isoformat()}).")
    elif k == "ago":
        start = end = add_months(newest, -period.n)
        notes.append(f"'{period.label}' counted back from {month_name(newest)}, the newest "
                     "complete month in the data.")
    elif k == "month":
        start = end = period.start
    elif k == "month_of_year":
        end = f"{newest[:4]}-{period.month_number:02d}"
        if end > newest:
            end = add_months(end, -12)
        start = end
    elif k in ("this_year", "year", "last_year"):
        year = {"this_year": current_year, "last_year": current_year - 1}.get(k, period.year)
        if k != "year" and today.year != current_year:
            notes.append(f"'{period.label}' read as {year}, relative to the data, which run "
                         f"through {month_name(newest)} (today is {today.isoformat()}).")
        start, end = f"{year:04d}-01", f"{year:04d}-12"
        if k == "this_year" and newest < start:
            year = int(newest[:4])
            notes.append(f"No month of {current_year} is complete in the data yet: this is "
                         f"{year}, the newest year.")
            start, end = f"{year:04d}-01", f"{year:04d}-12"
        if start <= newest < end:
            notes.append(f"{year} so far: the data run through {month_name(newest)}.")
            end = newest
    elif k == "since":
        if period.start:
            start = period.start
        else:
            start = f"{newest[:4]}-{period.month_number:02d}"
            if start > newest:
                start = add_months(start, -12)
        end = newest
    elif k == "range":
        if period.start:
            start, end = period.start, period.end
        else:
            end = f"{newest[:4]}-{period.end_number:02d}"
            if end > newest:
                end = add_months(end, -12)
            start = f"{end[:4]}-{period.month_number:02d}"
            if start > end:
                start = add_months(start, -12)
        if start > end:
            raise PeriodError(f"The period {month_name(start)} – {month_name(end)} ends before it "
                              "starts.")
    else:
        raise PeriodError(f"'{period.label}' is not a period of months.")
    span = f"{month_name(first)} – {month_name(newest)}"
    if start > newest:
        raise PeriodError(f"{months_label(_months(start, end))} is not in the data yet: the counts "
                          f"run {span}.", future=_months(start, end))
    if end < first:
        raise PeriodError(f"{months_label(_months(start, end))} is before the data: the counts run "
                          f"{span}.")
    if start < first:
        notes.append(f"The counts start in {month_name(first)}: counted from there.")
        start = first
    if end > newest:
        notes.append(f"The counts run through {month_name(newest)}: counted to there.")
        end = newest
    months = _months(start, end)
    return Span(months_label(months), months, notes=notes)


def resolve_days(period: Period, today: date, first_day: date | None,
                 last_day: date | None) -> Span:
    """The days a day period covers (ending yesterday), checked against the counted days.

    >>> resolve_days(Period("last_week", "last week"), date(2024, 3, 13), None, date(2024, 3, 12)).days
    (datetime.date(2024, 3, 4), datetime.date(2024, 3, 10))
    """
    if period.kind == "last_week":
        monday = today - timedelta(days=today.weekday())
        a, b = monday - timedelta(days=7), monday - timedelta(days=1)
    else:
        b = today - timedelta(days=1)
        a = b - timedelta(days=period.n - 1)
    label = (f"{a:%A %d %B %Y}" if a == b else f"{a:%a %d %b} – {b:%a %d %b %Y}")
    if last_day is None or b > last_day:
        raise PeriodError(f"{period.label.capitalize()} ({label}) is not all counted yet: the "
                          f"records run through {last_day.isoformat() if last_day else 'nothing'}.")
    if first_day is not None and a < first_day:
        raise PeriodError(f"{period.label.capitalize()} ({label}) is before the data, which start "
                          f"on {first_day.isoformat()}.")
    return Span(label, days=(a, b))
