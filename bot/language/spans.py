"""Periods as months (or days): a named period (:class:`bot.language.periods.Period`) -> a :class:`Span`.

Given the newest complete month of the counts (which "last month" / "this year" are relative to)
and the first, :func:`resolve` says which months a period covers and, in words, what it chose.
Quarters, halves and seasons (``months_of_year``) are the most recent complete one when no year
was named; :func:`next_months_of_year` is the next one after the data (a forecast's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from core.months import add_months, month_name, month_range

from .periods import Period


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


def months_of_year(period: Period, newest: str, ahead: bool = False) -> tuple[str, str, str]:
    """Start, end and label of a quarter / half / season / month of a year.

    Without a year: the most recent complete one (``ahead``: the next one after ``newest``).
    "this year" is the data's year (the year of ``newest``).

    >>> q1 = Period("months_of_year", "Q1", month_number=1, end_number=3, unit="quarter")
    >>> months_of_year(q1, "2023-12"), months_of_year(q1, "2023-12", ahead=True)[:2]
    (('2023-01', '2023-03', 'Q1 2023'), ('2024-01', '2024-03'))
    >>> w = Period("months_of_year", "winter", month_number=12, end_number=2, unit="season")
    >>> months_of_year(w, "2023-12"), months_of_year(w, "2024-02")[2]
    (('2022-12', '2023-02', 'winter 2022–23'), 'winter 2023–24')
    """
    m1, m2 = period.month_number, period.end_number

    def bounds(end_year: int) -> tuple[str, str]:
        return f"{end_year - (1 if m1 > m2 else 0):04d}-{m1:02d}", f"{end_year:04d}-{m2:02d}"

    if period.year is not None:
        year = period.year
    elif period.year_offset is not None:
        year = int(newest[:4]) + period.year_offset
    else:
        year = int(newest[:4])
        if ahead and not period.past:
            while bounds(year)[0] <= newest:
                year += 1
            while bounds(year - 1)[0] > newest:
                year -= 1
        elif bounds(year)[1] > newest:
            year -= 1
    start, end = bounds(year)
    unit = period.unit
    if unit == "quarter":
        label = f"Q{(m2 + 2) // 3} {year}"
    elif unit == "half":
        label = f"{'first' if m1 == 1 else 'second'} half of {year}"
    elif unit == "season":
        name = next(w for w in period.label.split() if w.isalpha() and w not in ("last", "this"))
        label = f"{name} {year - 1}–{str(year)[2:]}" if m1 > m2 else f"{name} {year}"
    else:
        label = months_label(month_range(start, end))
    return start, end, label


def resolve(
    period: Period,
    newest: str,
    first: str,
    today: date,
    ahead: bool = False,
    data_year: bool = False,
) -> Span:
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
    # "this year": the year of the month after the newest (older reading), or with ``data_year``
    # the newest complete month's own year (docs/questions.md: "last year" = the year before it)
    current_year = int((newest if data_year else add_months(newest, 1))[:4])
    k = period.kind
    if k in ("recent", "latest"):
        start, end = add_months(newest, -(period.n - 1)), newest
        calendar_last = add_months(f"{today.year:04d}-{today.month:02d}", -1)
        if k == "latest":
            notes.append(
                f"No period named: this is the newest complete month in the data, "
                f"{month_name(newest)}."
            )
        elif calendar_last != newest:
            notes.append(
                f"'{period.label}' read as the newest complete month"
                f"{'s' if period.n > 1 else ''} in the data, ending {month_name(newest)} "
                f"(today is {today.isoformat()})."
            )
    elif k == "ago":  # the newest complete month is "a month ago", as "last month" reads it
        start = end = add_months(newest, -(period.n - 1))
        notes.append(
            f"'{period.label}' counted back from {month_name(newest)}, the newest "
            "complete month in the data (read as a month ago, like 'last month')."
        )
    elif k == "month":
        start = end = period.start
    elif k == "months_of_year":
        start, end, label = months_of_year(period, newest, ahead)
    elif k == "quarters":  # the n most recent complete calendar quarters (``back`` earlier)
        end = add_months(newest, -(int(newest[5:]) % 3) - 3 * period.back)
        start = add_months(end, -(3 * period.n - 1))
        notes.append(
            f"'{period.label}' read as the {period.n} most recent complete calendar quarters "
            f"in the data, {months_label(_months(start, end))}."
        )
    elif k == "prev_quarter":  # the calendar quarter before the one the newest month is in
        end = add_months(newest, -((int(newest[5:]) - 1) % 3) - 1)
        start = add_months(end, -2)
    elif k == "qtd":
        q0 = (int(newest[5:]) - 1) // 3 * 3 + 1
        start, end = f"{newest[:4]}-{q0:02d}", newest
    elif k == "month_of_year":
        end = f"{newest[:4]}-{period.month_number:02d}"
        if end > newest:
            end = add_months(end, -12)
        start = end
    elif k in ("this_year", "year", "last_year"):
        year = {"this_year": current_year, "last_year": current_year - 1}.get(k, period.year)
        if k != "year" and today.year != current_year and not data_year:
            notes.append(
                f"'{period.label}' read as {year}, relative to the data, which run "
                f"through {month_name(newest)} (today is {today.isoformat()})."
            )
        start, end = f"{year:04d}-01", f"{year:04d}-12"
        if k == "this_year" and newest < start:
            year = int(newest[:4])
            notes.append(
                f"No month of {current_year} is complete in the data yet: this is "
                f"{year}, the newest year."
            )
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
            raise PeriodError(
                f"The period {month_name(start)} – {month_name(end)} ends before it starts."
            )
    else:
        raise PeriodError(f"'{period.label}' is not a period of months.")
    span = f"{month_name(first)} – {month_name(newest)}"
    start0, end0 = start, end
    if start > newest:
        raise PeriodError(
            f"{months_label(_months(start, end))} is not in the data yet: the counts run {span}.",
            future=_months(start, end),
        )
    if end < first:
        raise PeriodError(
            f"{months_label(_months(start, end))} is before the data: the counts run {span}."
        )
    if start < first:
        notes.append(f"The counts start in {month_name(first)}: counted from there.")
        start = first
    if end > newest:
        notes.append(f"The counts run through {month_name(newest)}: counted to there.")
        end = newest
    months = _months(start, end)
    if k == "months_of_year" and (months[0], months[-1]) == (start0, end0):
        return Span(label, months, notes=notes)
    return Span(months_label(months), months, notes=notes)


def resolve_days(
    period: Period, today: date, first_day: date | None, last_day: date | None
) -> Span:
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
    label = f"{a:%A %d %B %Y}" if a == b else f"{a:%a %d %b} – {b:%a %d %b %Y}"
    if last_day is None or b > last_day:
        raise PeriodError(
            f"{period.label.capitalize()} ({label}) is not all counted yet: the "
            f"records run through {last_day.isoformat() if last_day else 'nothing'}."
        )
    if first_day is not None and a < first_day:
        raise PeriodError(
            f"{period.label.capitalize()} ({label}) is before the data, which start "
            f"on {first_day.isoformat()}."
        )
    return Span(label, days=(a, b))
