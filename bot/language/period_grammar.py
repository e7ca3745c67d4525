"""The full period grammar: quarters, halves, seasons, weeks, ranges and the single periods.

Each entry is a compiled pattern and a builder ``(groups, text, start) -> Period | None`` (None:
the words are not a period here, "did thefts fall"); :func:`build_grammar` lists them in the order
they are tried (longer, more specific phrases first). Seasons come from the profile.
"""

from __future__ import annotations

import re

from core.profile import DEFAULT_SEASONS

from .period_patterns import _MON, _N, _PATTERNS, _RECENT, _YEAR, _build, _m, _n
from .period_spec import Period

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


def _year_half(g: tuple, text: str, start: int) -> Period:
    return _half((g[1], None, g[0], None), text, start)


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


def _the_year(g: tuple, text: str, start: int) -> Period:
    """ "for the year", "the whole year" with no year named: the newest complete year (the
    reply says which)."""
    return Period(
        "months_of_year", "the year", month_number=1, end_number=12, unit="year", past=True
    )


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


def _quarters(g: tuple, text: str, start: int) -> Period:
    n = _n(g[0])
    return Period("quarters", f"the last {n} quarters", n=n)


def _since_season(seasons: dict):
    def build(g: tuple, text: str, start: int) -> Period:
        name, year = g
        m1, m2 = seasons[name]
        if year:  # "since summer 2022"; "since winter 2022" = since December 2021
            first = f"{int(year) - (1 if m1 > m2 else 0):04d}-{m1:02d}"
            return Period("since", f"since the start of {name} {year}", first)
        return Period("since", f"since the start of {name}", month_number=m1)

    return build


def _since_quarter(g: tuple, text: str, start: int) -> Period:
    q = int(g[0]) if g[0] else _ORD[g[1]]
    if g[2]:
        return Period("since", f"since the start of Q{q} {g[2]}", f"{g[2]}-{3 * q - 2:02d}")
    return Period("since", f"since the start of Q{q}", month_number=3 * q - 2)


def build_grammar(seasons: dict) -> list[tuple[re.Pattern, object]]:
    names = "|".join(sorted(map(re.escape, seasons), key=len, reverse=True))
    pats = [
        (rf"\b(?:from|between) {_YEAR} (?:to|and|until|till|through|thru) {_YEAR}\b", _year_span),
        (rf"\b{_YEAR} (?:to|through|thru|until) {_YEAR}\b", _year_span),
        (rf"\b{_YEAR} q([1-4])\b", _year_quarter),
        (rf"\b{_YEAR} h([12])\b", _year_half),
        (
            rf"\b(?:the |in the |over the )?{_RECENT} {_N}(?: of)?(?: the)? (?:quarters|qtrs)\b",
            _quarters,
        ),
        (
            r"\bsince (?:the (?:start|beginning) of )?(?:the )?(?:q([1-4])|"
            r"(first|second|third|fourth|1st|2nd|3rd|4th) quarter)(?: (?:of )?((?:19|20)\d\d))?\b",
            _since_quarter,
        ),
        (
            rf"\bsince (?:the (?:start|beginning) of )?(?:the |this )?({names})"
            r"(?: (?:of )?((?:19|20)\d\d))?\b",
            _since_season(seasons),
        ),
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
            r"\b(?:for|over|in|during|across|through(?:out)?) the (?:whole |full |entire |complete )?"
            r"year\b(?! (?:of )?(?:19|20)?\d\d\b| (?:before|after|to date|so far)\b)",
            _the_year,
        ),
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
