"""Raw text -> the normalised words the parser reads: spelling variants and shorthand unified.

"yrs" -> "year", "thru" -> "through", "'22" -> "2022", "2019-2021" -> "2019 to 2021", "%" ->
"percent". Compiled once at import; one pass per question.
"""

from __future__ import annotations

import re

from .names import Names, normalise
from .parse import checked
from .question import Clarify, QueryError

_SPELL = [
    (re.compile(p), r)
    for p, r in [
        (r"\byrs\b", "years"),
        (r"\byr\b", "year"),
        (r"\bmos\b", "months"),
        (r"\bwks\b", "weeks"),
        (r"\bwk\b", "week"),
        (r"\bqtrs?\b", "quarter"),
        (r"\bthru\b", "through"),
        (r"\bcomm(?:s|unities)?\b(?= in| with| by| had)", "communities"),
        (r"\bhoods\b", "neighborhoods"),  # the number kept: "which hood" asks for one
        (r"\bhood\b", "neighborhood"),
        (r"\bnbhds\b", "neighborhoods"),
        (r"\bnbhd\b", "neighborhood"),
        (r"\bb n e\b", "b and e"),
        (r"\bbnes?\b", "b and e"),
        (r"\bper cap\b", "per capita"),
        (r"\bw o w\b", "vs"),
        (r"\bmom\b", "month over month"),
        (r"\bhalf year\b", "half"),
        (r"\b1h\b", "h1"),
        (r"\b2h\b", "h2"),
    ]
]
# an elided second period: "this year vs last" -> "this year vs last year" (not seasons: "this
# summer" may be the last complete one, so "last summer" would be the same one)
_ELIDED = re.compile(
    r"\bthis (year|month|quarter|week)\b( (?:vs|versus|against|compared (?:to|with)|to|over) )"
    r"(?:the )?(?:last|previous|prior)(?: one)?\b(?! (?:year|month|quarter|week|\d))"
)
_YEAR_DASH = re.compile(r"\b((?:19|20)\d\d) ?[-\u2013] ?((?:19|20)\d\d)\b")
# two-digit years: "'22" always; "in 22", "since 21" after a period preposition; "to 23" and the
# like once a year is named; "Q2 22", "summer 22" after a period name. "March 22" stays (a day?).
_APOS_YEAR = re.compile(r"(?<![\w'\u2019])['\u2019\u2018](\d\d)\b")
_NOT_YEAR = (
    r"(?! (?:months?|weeks?|days?|years?|quarters?|communities|neighbo\w+|areas?|sectors?|"
    r"districts?|npus?|percent|incidents?|times|of)\b)"
)
_PREP_YEAR = re.compile(rf"\b(in|during|for|since|from) ([0-4]\d)\b{_NOT_YEAR}")
_LINK_YEAR = re.compile(
    rf"\b(to|through|until|and|vs|versus|than|against|with|or) ([0-4]\d)\b{_NOT_YEAR}"
)
_NAME_YEAR = re.compile(r"\b(q[1-4]|h[12]|spring|summer|fall|autumn|winter)(?: of)? ([0-4]\d)\b")
_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_FISCAL = re.compile(r"\b(?:fy|fiscal(?: year)?) ?(\d\d|(?:19|20)\d\d)\b")


def prepare(raw: str, names: Names) -> str:
    cleaned = re.sub(r"(\w)['\u2019]s\b", r"\1", checked(raw)).replace("%", " percent ")
    cleaned = _APOS_YEAR.sub(lambda m: f" 20{m.group(1)}", cleaned)
    cleaned = _YEAR_DASH.sub(_year_range, cleaned)
    norm = normalise(cleaned)
    for pattern, repl in _SPELL:
        norm = pattern.sub(repl, norm)
    norm = two_digit_years(norm, names)
    norm = _ELIDED.sub(_elided, norm)
    if not norm:
        raise QueryError(
            f"Ask me about crime in {names.city_name} {names.area_words}.", kind="empty"
        )
    return norm


def _elided(m: re.Match) -> str:
    """The second period of "this year vs last" named in full.

    >>> _ELIDED.sub(_elided, "assaults this year vs last in beltline")
    'assaults this year vs last year in beltline'
    >>> _ELIDED.sub(_elided, "thefts this quarter compared to the previous one")
    'thefts this quarter compared to last quarter'
    """
    unit, link = m.groups()
    return f"this {unit}{link}last {unit}"


def _year_range(m: re.Match) -> str:
    """ "2019-2021" is the years 2019 to 2021, except a season's "winter 2021-2022"."""
    before = m.string[: m.start()].split()[-1:] or [""]
    if before[0].lower() in ("winter", "summer", "spring", "fall", "autumn", "of"):
        return m.group(0)
    return f"{m.group(1)} to {m.group(2)}"


def two_digit_years(norm: str, names: Names | None = None) -> str:
    """Two-digit years as four ("in 22" -> "in 2022"), and a fiscal year asked back. A number
    that starts a place's name ("in 17 ave") stays.

    >>> two_digit_years("thefts in 22 vs 23"), two_digit_years("summer 21 in 22 communities")
    ('thefts in 2022 vs 2023', 'summer 2021 in 22 communities')
    >>> two_digit_years("q2 22 to 23"), two_digit_years("top 10 to 20")
    ('q2 2022 to 2023', 'top 10 to 20')
    """
    fiscal = _FISCAL.search(norm)
    if fiscal:
        y = fiscal.group(1)
        year = y if len(y) == 4 else f"20{y}"
        raise Clarify(
            fiscal.group(0),
            reading=f"the calendar year {year}",
            options=[year, f"from April {int(year) - 1} to March {year}"],
            message=f"Fiscal years differ from one organisation to the next, so I can't place "
            f"'{fiscal.group(0).upper()}'. I count calendar years: did you mean {year} "
            f"(January to December)? For another span, name the months (`from April "
            f"{int(year) - 1} to March {year}`).",
        )

    def year(m: re.Match) -> str:
        after = norm[m.end(2) :].split()[:3]
        for k in range(len(after), 0, -1):
            if names is not None and names.exact(" ".join([m.group(2), *after[:k]])):
                return m.group(0)
        return f"{m.group(1)} 20{m.group(2)}"

    norm = _NAME_YEAR.sub(year, norm)
    norm = _PREP_YEAR.sub(year, norm)
    if _ANY_YEAR.search(norm):
        norm = _LINK_YEAR.sub(year, norm)
    return norm
