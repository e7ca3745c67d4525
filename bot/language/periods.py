"""Periods people name: "last month", "in 2022", "since June", "Q2 2023", "the second half of
2022", "last summer", "winter 2022-23", "the last 6 weeks", "2021 vs 2023", ...

Pure and data-free: :func:`find_periods` finds up to two period phrases in normalised text (a
:class:`Period` each, its words' reading); :mod:`bot.language.spans` turns one into the months (or
days) it covers once the data say which month is the newest complete one. :func:`parse_period`
is the older single-period reader kept for the :class:`~bot.language.parse.Query` path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.months import month_name
from core.profile import DEFAULT_SEASONS

from .horizon import MONTHS, word_number

_MON = (
    r"(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_YEAR = r"((?:19|20)\d\d)"
_N = r"(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple|few)"
_RECENT = r"(?:last|past|previous|recent)"

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


@dataclass(frozen=True)
class Period:
    """A period as named, before the data say which months it is.

    ``kind``: ``month`` (``start`` ``YYYY-MM``), ``month_of_year`` (``month_number``: the latest
    complete one), ``recent`` (the newest ``n`` complete months: "last month", "the last 3
    months"), ``ago`` (the month ``n`` before the newest), ``year`` (``year``), ``this_year``,
    ``last_year``, ``since`` (``start`` or ``month_number`` or ``year``, through the newest),
    ``range`` (``start``..``end``, years possibly inferred), ``days`` (``n`` days ending
    ``offset`` days before today: "yesterday", "the last 7 days"), ``last_week`` (the previous
    Monday-Sunday), ``latest`` (no period named: the newest complete month),
    ``months_of_year`` (months ``month_number``..``end_number`` of one year, wrapping over New
    Year when the end is smaller: a quarter, half or season; ``year`` is the year of its END month,
    ``year_offset`` 0 / -1 for "this year" / "last year", neither = the most recent complete one;
    ``unit`` says which: ``quarter``, ``half``, ``season``, ``month``, ``range``), ``qtd``
    (quarter to date).
    """

    kind: str
    label: str
    start: str | None = None
    end: str | None = None
    n: int = 1
    month_number: int | None = None
    end_number: int | None = None
    year: int | None = None
    year_offset: int | None = None
    unit: str = ""
    past: bool = False  # "last summer", "last March": the most recent complete one, never next

    @property
    def is_days(self) -> bool:
        return self.kind in ("days", "last_week")

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "n": self.n,
            "month_number": self.month_number,
            "year": self.year,
        }


PeriodSpec = Period  # the words' reading of a period, before the data say which months


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
        return _build(kind, m.groups()), [m.span()]
    return None, []


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


# --- the full grammar: quarters, halves, seasons, weeks, two periods -----------------------------
#: The default seasons; a profile's ``seasons:`` mapping replaces them (``season_months``).
SEASONS = DEFAULT_SEASONS
_ORD = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
    "final": 4,
    "latter": 2,
    "back": 2,
    "front": 1,
}
_REL = r"(this|last|previous|current|past)"
_OF_YEAR = rf"(?: of)?(?: (?:fy ?)?{_YEAR}| (?:of )?(this|last|previous|current|past|the) year)?"
_SEASON_PREFIX = (
    "the",
    "in",
    "during",
    "this",
    "last",
    "previous",
    "past",
    "over",
    "for",
    "of",
    "since",
    "vs",
    "versus",
    "with",
    "to",
    "and",
    "than",
    "against",
    "from",
)


def _rel_offset(word: str | None) -> int | None:
    return None if word is None else (0 if word in ("this", "current", "the") else -1)


def _year_part(label: str, year: str | None, rel: str | None) -> tuple[str, dict]:
    """A period's label and its year fields from "2023" / "this year" / nothing."""
    if year:
        return f"{label} {year}", {"year": int(year)}
    if rel:
        off = _rel_offset(rel)
        return f"{label} {'this' if off == 0 else 'last'} year", {"year_offset": off}
    return label, {}


def _quarter(g: tuple, text: str, start: int) -> Period | None:
    num, ordinal, num2, year, rel = g
    if ordinal in ("last", "final") and not (year or rel):
        return None  # "last quarter": the last three months (the older reading)
    q = int(num or num2) if (num or num2) else _ORD[ordinal]
    label, extra = _year_part(f"Q{q}", year, rel)
    return Period(
        "months_of_year", label, month_number=3 * q - 2, end_number=3 * q, unit="quarter", **extra
    )


def _year_quarter(g: tuple, text: str, start: int) -> Period:
    q = int(g[1])
    return Period(
        "months_of_year",
        f"Q{q} {g[0]}",
        month_number=3 * q - 2,
        end_number=3 * q,
        unit="quarter",
        year=int(g[0]),
    )


def _half(g: tuple, text: str, start: int) -> Period:
    num, ordinal, year, rel = g
    h = int(num) if num else min(_ORD[ordinal], 2)
    label, extra = _year_part("first half" if h == 1 else "second half", year, rel)
    return Period(
        "months_of_year",
        label.replace("half ", "half of ", 1) if year else label,
        month_number=1 if h == 1 else 7,
        end_number=6 if h == 1 else 12,
        unit="half",
        **extra,
    )


def _season(seasons: dict):
    def build(g: tuple, text: str, start: int) -> Period | None:
        rel, name, y1, y2 = g
        before = text[:start].split()[-1:] or [""]
        if name == "fall" and not (rel or y1 or before[0] in _SEASON_PREFIX):
            return None  # "did thefts fall"
        m1, m2 = seasons[name]
        wraps = m2 < m1
        if y1:
            end_year = int(y1)
            if y2:  # "winter 2022-23": the season ending in the second year
                end_year = int(y2) if len(y2) == 4 else int(y1[:2] + y2)
            label = (
                f"{name} {end_year - 1}–{str(end_year)[2:]}"
                if wraps and y2
                else f"{name} {end_year - 1}–{str(end_year)[2:]}"
                if wraps
                else f"{name} {y1}"
            )
            return Period(
                "months_of_year",
                label,
                month_number=m1,
                end_number=m2,
                year=end_year,
                unit="season",
            )
        if rel in ("this", "current"):
            return Period(
                "months_of_year",
                f"this {name}",
                month_number=m1,
                end_number=m2,
                year_offset=0,
                unit="season",
            )
        label = f"last {name}" if rel else name
        return Period(
            "months_of_year", label, month_number=m1, end_number=m2, unit="season", past=bool(rel)
        )

    return build


def _weeks(g: tuple, text: str, start: int) -> Period:
    n = 2 if not g[0] else _n(g[0])
    return Period("days", f"the last {n} weeks", n=7 * n)


def _years(g: tuple, text: str, start: int) -> Period:
    n = _n(g[0])
    return Period("recent", f"the last {n} years", n=12 * n)


def _past_year(g: tuple, text: str, start: int) -> Period:
    return Period("recent", "the past 12 months", n=12)


def _year_span(g: tuple, text: str, start: int) -> Period:
    a, b = sorted((g[0], g[1]))
    between = text[start:].startswith("between")  # "between 2019 and 2022": two years to compare?
    return Period("range", f"{a} – {b}", f"{a}-01", f"{b}-12", unit="years" + "_between" * between)


def _month_rel(g: tuple, text: str, start: int) -> Period:
    m = _m(g[0])
    label, extra = _year_part(g[0].title(), None, g[1])
    return Period("months_of_year", label, month_number=m, end_number=m, unit="month", **extra)


def _month_pair(g: tuple, text: str, start: int) -> Period:
    return _build("range", (g[0], None, g[1], g[2]))


def _month_of_year(g: tuple, text: str, start: int) -> Period | None:
    rel, name = g
    before = text[:start].split()[-1:] or [""]
    after = text[start:].split()[1:2] or [""]
    if (
        name == "may"
        and not rel
        and before[0] not in _SEASON_PREFIX
        and after[0] not in _SEASON_PREFIX + ("compared",)
    ):
        return None  # "may" is usually the verb
    m = _m(name)
    if rel in ("this", "current"):
        return Period(
            "months_of_year",
            f"{name.title()} this year",
            month_number=m,
            end_number=m,
            unit="month",
            year_offset=0,
        )
    return Period(
        "months_of_year",
        f"last {name.title()}" if rel else name.title(),
        month_number=m,
        end_number=m,
        unit="month",
        past=bool(rel),
    )


def _qtd(g: tuple, text: str, start: int) -> Period:
    return Period("qtd", "this quarter")


def _legacy(kind: str):
    return lambda g, text, start: _build(kind, g)


def _grammar(seasons: dict) -> list[tuple[re.Pattern, object]]:
    names = "|".join(sorted(map(re.escape, seasons), key=len, reverse=True))
    pats = [
        (rf"\b(?:from|between) {_YEAR} (?:to|and|until|till|through|thru) {_YEAR}\b", _year_span),
        (rf"\b{_YEAR} (?:to|through|thru|until) {_YEAR}\b", _year_span),
        (rf"\b{_YEAR} q([1-4])\b", _year_quarter),
        (
            rf"\b(?:the )?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th|last|final) "
            rf"(?:quarter|qtr)|quarter ([1-4])){_OF_YEAR}\b",
            _quarter,
        ),
        (r"\b(?:this|current) quarter\b|\bquarter to date\b|\bqtd\b", _qtd),
        (
            rf"\b(?:the )?(?:h([12])|(first|second|1st|2nd|last|latter|back|front) half){_OF_YEAR}\b",
            _half,
        ),
        (
            rf"\b(?:{_REL} )?(?:the )?({names})(?: of| in)?(?: {_YEAR}(?: (\d\d|(?:19|20)\d\d))?)?\b",
            _season(seasons),
        ),
        (rf"\b(?:the |in the |over the )?{_RECENT} {_N} weeks\b", _weeks),
        (r"\b(?:the |in the |over the )?(?:last|past|previous) fortnight()\b", _weeks),
        (rf"\b(?:the |in the |over the )?{_RECENT} {_N} years\b", _years),
        (rf"\b(?:trailing|rolling) {_N} months\b", _legacy("recent")),
        (
            r"\b(?:(?:in|over|during) )?the (?:past|last) (?:year|12 months)\b|\bpast year\b",
            _past_year,
        ),
        (rf"\bsince (?:the (?:start|beginning) of )?{_YEAR}\b", _legacy("since_year")),
        (
            r"\b(?:since|from) (?:the )?(?:start|beginning) of (?:the|this) year\b",
            _legacy("this_year"),
        ),
        (rf"\b{_MON} (?:of )?{_REL} year\b", _month_rel),
    ]
    pats += [(rf"\b{_MON} {_MON}(?: {_YEAR})?\b", _month_pair)]
    pats += [(p.pattern, _legacy(kind)) for p, kind in _PATTERNS if kind != "year"]
    pats += [
        (rf"\b(?:in |during |for |of )?{_YEAR}\b", _legacy("year")),
        (rf"\b(?:(last|this past|this|previous) )?{_MON}\b", _month_of_year),
    ]
    return [(re.compile(p), b) for p, b in pats]


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
        grammar = _GRAMMARS[key] = _grammar(dict(seasons or SEASONS))
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
