"""Periods people name: "last month", "in 2022", "since June", "Q2 2023", "the second half of
2022", "last summer", "winter 2022-23", "the last 6 weeks", "2021 vs 2023", ...

Pure and data-free: :func:`find_periods` finds up to two period phrases in normalised text (a
:class:`Period` each, its words' reading); :mod:`bot.language.spans` turns one into the months (or
days) it covers once the data say which month is the newest complete one. :func:`parse_period`
is the older single-period reader kept for the :class:`~bot.language.parse.Query` path.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .period_grammar import SEASONS, build_grammar
from .period_patterns import parse_period
from .period_spec import Period, PeriodSpec

__all__ = [
    "MEANINGFUL",
    "PAST_TENSE",
    "SEASONS",
    "YOY",
    "Period",
    "PeriodSpec",
    "find_periods",
    "parse_period",
]

#: Words that make a question about the past when no period is named ("how many were there").
PAST_TENSE = frozenset("was were did had happened occurred reported recorded saw seen ago".split())
#: Words that can change a question's meaning when the parser did not use them in a period.
MEANINGFUL = frozenset("last previous past ago since yesterday week weeks day days".split())

# "compared to last year" and its kin: a year-over-year comparison, not a period
YOY = re.compile(
    r"\b(?:(?:compared|comparison|relative) (?:to|with)|vs|versus|than|from|over|on|"
    r"against) (?:the same (?:time|period|months?) )?(?:a year (?:ago|earlier|before)|"
    r"last year|the (?:year|previous year|prior year) before|the previous year|"
    r"the prior year)\b|\byear (?:over|on) year\b|\byoy\b|\bsame time last year\b"
)


_GRAMMARS: dict[tuple, list] = {}


def find_periods(text: str, seasons: dict | None = None) -> list[tuple[Period, tuple[int, int]]]:
    """Every period named in normalised text, in the order written, with the span each used.

    >>> [p.label for p, _ in find_periods("thefts q1 this year against q1 last year")]
    ['Q1 this year', 'Q1 last year']
    >>> p = find_periods("second half of 2022")[0][0]; p.kind, p.month_number, p.end_number, p.year
    ('months_of_year', 7, 12, 2022)
    >>> [(p.label, p.year) for p, _ in find_periods("winter 2022 vs winter 2022 23")]
    [('winter 2021–22', 2022), ('winter 2022–23', 2023)]
    >>> [p.label for p, _ in find_periods("2021 vs 2023")], find_periods("did thefts fall")
    (['2021', '2023'], [])
    """
    key = tuple(sorted((seasons or SEASONS).items()))
    grammar = _GRAMMARS.get(key)
    if grammar is None:
        grammar = _GRAMMARS[key] = build_grammar(dict(seasons or SEASONS))
    found: list[tuple[int, Period, tuple[int, int]]] = []
    work = text
    for pattern, build in grammar:
        for m in pattern.finditer(work):
            spec = build(m.groups(), work, m.start())
            if spec is None:
                continue
            found.append((m.start(), spec, m.span()))
            work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]
    found.sort(key=lambda x: x[0])
    out = [(spec, span) for _, spec, span in found]
    if len(out) == 2:
        out = list(zip(_share_year([s for s, _ in out]), [sp for _, sp in out]))
    return out


def _share_year(specs: list[Period]) -> list[Period]:
    """Two periods sharing the one year named: "Q1 vs Q2 2023", "the first half of 2022 vs the
    second half", "March vs February 2023"."""
    years = [s.year for s in specs if s.kind in ("months_of_year", "year") and s.year is not None]
    if len(years) != 1:
        return specs
    return [
        replace(s, year=years[0], label=f"{s.label} {years[0]}")
        if s.kind == "months_of_year" and s.year is None and s.year_offset is None
        else s
        for s in specs
    ]
