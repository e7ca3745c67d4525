"""Periods people name: "last month", "in 2022", "since June", "Q2 2023", "the second half of
2022", "last summer", "winter 2022-23", "the last 6 weeks", "2021 vs 2023", ...

Pure and data-free: :func:`find_periods` finds up to two period phrases in normalised text (a
:class:`Period` each, its words' reading); :mod:`bot.language.spans` turns one into the months (or
days) it covers once the data say which month is the newest complete one.
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.months import add_months

from .period_grammar import SEASONS, build_grammar
from .period_spec import Period, PeriodSpec
from .question import Clarify

__all__ = [
    "MEANINGFUL",
    "PAST_TENSE",
    "SEASONS",
    "YOY",
    "Period",
    "PeriodSpec",
    "find_periods",
]

#: Words that make a question about the past when no period is named ("how many were there").
PAST_TENSE = frozenset("was were did had happened occurred reported recorded saw seen ago".split())
#: Words that can change a question's meaning when the parser did not use them in a period.
MEANINGFUL = frozenset("last previous past ago since yesterday week weeks day days".split())

# "compared to last year" and its kin: a year-over-year comparison, not a period
_VS = r"(?:vs|versus|against|compared (?:to|with)|than)"
YOY = re.compile(
    rf"\b{_VS} (?:the )?(?:last|previous|prior) year (?:ytd|year to date|to date)\b|"
    rf"\b{_VS} (?:ytd|year to date|the same months) (?:of |for )?(?:last|the previous|the prior) "
    r"year\b|"
    r"\b(?:(?:compared|comparison|relative) (?:to|with)|vs|versus|than|from|over|on|"
    r"against) (?:the same (?:time|period|months?) )?(?:a year (?:ago|earlier|before)|"
    r"last year|the (?:year|previous year|prior year) before|the previous year|"
    r"the prior year)\b|\byear (?:over|on) year\b|\byoy\b|"
    r"\b(?:the )?same (?:time|period|months?) (?:last year|a year (?:ago|earlier|before))\b"
)


_GRAMMARS: dict[tuple, list] = {}


def find_periods(
    text: str, seasons: dict | None = None, absorbed: list | None = None
) -> list[tuple[Period, tuple[int, int]]]:
    """Every period named in normalised text, in the order written, with the span each used
    (``absorbed`` gets the spans of words read into another period: a year named once).

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
    out = _join(text, [(spec, span) for _, spec, span in found])
    out = _absorb_year(text, out, absorbed if absorbed is not None else [])
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


#: "Q2 and Q3 together", "January plus February combined": one span of the two periods.
_JOINER = re.compile(r"^ *(?:and|plus|\+|with) *$")
_TOGETHER = re.compile(
    r"^ *(?:(?:taken|put|added) )?(?:together|combined|in total|summed|added up)\b"
)
_TOGETHER_BEFORE = re.compile(r"\b(?:combined|total of|sum of|together)(?: the)? *$")


def _absorb_year(text: str, found: list, absorbed: list) -> list:
    """A bare year after yearless quarters / halves / months (nothing comparing them between) is
    their year: "Q2 and Q3 together in 2023", "thefts in Q1 in beltline in 2023". Its span goes
    to ``absorbed`` (words used)."""
    years = [i for i, (s, _) in enumerate(found) if s.kind == "year"]
    yearless = [
        i
        for i, (s, _) in enumerate(found)
        if s.kind == "months_of_year" and s.year is None and s.year_offset is None
    ]
    if len(years) != 1 or not yearless or years[0] < max(yearless):
        return found
    between = text[found[max(yearless)][1][1] : found[years[0]][1][0]]
    if _COMPARING.search(between) or (len(yearless) == 1 and len(found) > 2):
        return found
    y = found[years[0]][0].year
    absorbed.append(found[years[0]][1])
    return [
        (replace(s, year=y, label=f"{s.label} {y}"), sp) if i in yearless else (s, sp)
        for i, (s, sp) in enumerate(found)
        if i != years[0]
    ]


_COMPARING = re.compile(r"\b(?:vs|versus|v|against|compared?|than|and|to|or|through|from)\b")


def _join(text: str, found: list) -> list:
    """Two periods joined by "and" / "plus" with "together" / "combined" are one span."""
    for i in range(len(found) - 1):
        (a, (a0, a1)), (b, (b0, b1)) = found[i], found[i + 1]
        if not _JOINER.match(text[a1:b0]):
            continue
        after = _TOGETHER.match(text[b1:])
        if not (after or _TOGETHER_BEFORE.search(text[:a0])):
            continue
        end = b1 + (after.end() if after else 0)
        joined = _one_span(*_share_year([a, b]))
        return found[:i] + [(joined, (a0, end))] + found[i + 2 :]
    return found


def _bounds(p: Period, year: int | None) -> tuple[str, str] | None:
    """First and last month of a period named with its year (``year``: the other one's)."""
    if p.start:
        return p.start, p.end or p.start
    if p.kind == "year":
        return f"{p.year}-01", f"{p.year}-12"
    if p.kind == "months_of_year" and p.year_offset is None and (p.year or year):
        y = p.year or year
        return (
            f"{y - (p.month_number > p.end_number):04d}-{p.month_number:02d}",
            f"{y:04d}-{p.end_number:02d}",
        )
    return None


def _one_span(a: Period, b: Period) -> Period:
    """One period covering ``a`` then ``b`` when they are next to each other, else a question
    back (a sum of months that are not one run cannot be answered as one period).

    >>> q2, q3 = (find_periods(t)[0][0] for t in ("q2", "q3"))
    >>> p = _one_span(q2, q3); p.month_number, p.end_number, p.label
    (4, 9, 'Q2 + Q3')
    >>> _one_span(find_periods("2021")[0][0], find_periods("2022")[0][0]).start
    '2021-01'
    """
    label = f"{a.label} + {b.label}"
    if a.kind == b.kind == "months_of_year" and (a.year, a.year_offset) == (b.year, b.year_offset):
        if a.end_number % 12 + 1 == b.month_number:
            return replace(a, label=label, end_number=b.end_number, unit="months")
    hint = next((int(x.start[:4]) for x in (a, b) if x.start), None)
    bounds = [_bounds(a, hint), _bounds(b, hint)]
    if None not in bounds and add_months(bounds[0][1], 1) == bounds[1][0]:
        return Period("range", label, bounds[0][0], bounds[1][1])
    raise Clarify(
        label,
        options=[f"{a.label} vs {b.label}", a.label, b.label],
        message=f"I can add up one run of months; {a.label} and {b.label} are not next to "
        f"each other. Ask for each, or compare them ('{a.label} vs {b.label}').",
    )
