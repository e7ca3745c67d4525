"""Forecast horizons people name: "next month", "the next 3 months", "this month", "March", "2024-03".

Pure: a :class:`Horizon` says which month(s) a forecast question is about before the data say
which month is "next" (the month after the newest complete month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple": 2,
    "couple": 2,
    "few": 3,
    "a few": 3,
    "fifteen": 15,
    "twenty": 20,
}
NUM_PATTERN = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|couple|few)"


@dataclass(frozen=True)
class Horizon:
    """Which month(s) a question is about, before the data say which month is "next".

    ``kind``: ``next`` (the next ``n`` months after the newest complete month), ``named`` (a month
    by name: ``month`` ``YYYY-MM`` if the year was given, else ``month_number``), ``this_month``
    (the month in progress: month to date plus the rest).
    """

    kind: str = "next"
    n: int = 1
    month: str | None = None
    month_number: int | None = None
    label: str = "next month"

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "n": self.n,
            "month": self.month,
            "month_number": self.month_number,
            "label": self.label,
        }


def word_number(s: str) -> int:
    return int(s) if s.isdigit() else NUMBER_WORDS[s]


_H_NEXT_N = re.compile(rf"\b(?:the )?(?:next|coming|following) {NUM_PATTERN} months?\b")
_H_NEXT_Q = re.compile(r"\b(?:the )?next (quarter|half year|year|six months)\b")
_H_NEXT = re.compile(r"\b(?:the )?(?:next|coming|following|upcoming) month\b")
_H_THIS = re.compile(
    r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b|\brest of (?:the|this) month\b"
)
_H_ISO = re.compile(r"\b(20\d\d) (0?[1-9]|1[0-2])\b")
_H_NAMED = re.compile(
    r"\b(?:(in|for|during|of) )?(january|february|march|april|may|june|july|"
    r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|"
    r"sept|sep|oct|nov|dec)(?: (20\d\d))?\b"
)


def parse_horizon(text: str) -> tuple[Horizon | None, list[tuple[int, int]]]:
    """Find a horizon phrase in normalised text; returns it and the character spans it used.

    >>> parse_horizon("car thefts in the next 3 months")[0].n
    3
    >>> parse_horizon("beltline assaults in march")[0].month_number
    3
    >>> parse_horizon("forest lawn 2024 05")[0].month
    '2024-05'
    >>> parse_horizon("nothing here")[0] is None
    True
    """
    m = _H_NEXT_N.search(text)
    if m:
        n = word_number(m.group(1))
        return Horizon("next", n, label=f"next {n} months" if n != 1 else "next month"), [m.span()]
    m = _H_NEXT_Q.search(text)
    if m:
        n = {"quarter": 3, "half year": 6, "year": 12, "six months": 6}[m.group(1)]
        return Horizon("next", n, label=f"next {n} months"), [m.span()]
    m = _H_NEXT.search(text)
    if m:
        return Horizon("next", 1, label="next month"), [m.span()]
    m = _H_THIS.search(text)
    if m:
        return Horizon("this_month", 1, label="this month"), [m.span()]
    m = _H_ISO.search(text)
    if m:
        month = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        return Horizon("named", 1, month=month, label=month), [m.span()]
    for m in _H_NAMED.finditer(text):
        prep, name, year = m.group(1), m.group(2), m.group(3)
        if name == "may" and not (prep or year):
            continue  # "may" is usually the verb
        number = MONTHS[name]
        if year:
            month = f"{year}-{number:02d}"
            return Horizon("named", 1, month=month, label=month), [m.span()]
        return Horizon("named", 1, month_number=number, label=name.title()), [m.span()]
    return None, []
