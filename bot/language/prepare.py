"""Raw text -> the normalised words the parser reads: spelling variants and shorthand unified.

"yrs" -> "year", "thru" -> "through", "'22" -> "2022", "2019-2021" -> "2019 to 2021", "%" ->
"percent". Compiled once at import; one pass per question.
"""

from __future__ import annotations

import re

from .names import Names, normalise
from .parse import checked
from .question import QueryError

_SPELL = [
    (re.compile(p), r)
    for p, r in [
        (r"\byrs?\b", "year"),
        (r"\bmos\b", "months"),
        (r"\bwks?\b", "week"),
        (r"\bqtrs?\b", "quarter"),
        (r"\bthru\b", "through"),
        (r"\bcomm(?:s|unities)?\b(?= in| with| by| had)", "communities"),
        (r"\bhoods?\b", "neighborhoods"),
        (r"\bnbhds?\b", "neighborhoods"),
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
_YEAR_DASH = re.compile(r"\b((?:19|20)\d\d) ?[-\u2013] ?((?:19|20)\d\d)\b")


def prepare(raw: str, names: Names) -> str:
    cleaned = re.sub(r"(\w)['\u2019]s\b", r"\1", checked(raw)).replace("%", " percent ")
    cleaned = _YEAR_DASH.sub(_year_range, cleaned)
    norm = normalise(cleaned)
    for pattern, repl in _SPELL:
        norm = pattern.sub(repl, norm)
    if not norm:
        raise QueryError(
            f"Ask me about crime in {names.city_name} {names.area_words}.", kind="empty"
        )
    return norm


def _year_range(m: re.Match) -> str:
    """ "2019-2021" is the years 2019 to 2021, except a season's "winter 2021-2022"."""
    before = m.string[: m.start()].split()[-1:] or [""]
    if before[0].lower() in ("winter", "summer", "spring", "fall", "autumn", "of"):
        return m.group(0)
    return f"{m.group(1)} to {m.group(2)}"
