"""Which measure, breakdown and ranking a question's words name: "per capita", "average per month",
"the busiest month", "biggest increase", "which four communities", "by sector".

Pure tables and finders over normalised text; each finder returns what it read and the character
spans it used, so that the words are not read again as places or categories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .horizon import NUM_PATTERN, NUMBER_WORDS, word_number  # noqa: F401 - NUMBER_WORDS read as M.NUMBER_WORDS
from .question import DEFAULT_RANK

Spans = list[tuple[int, int]]

RATE = re.compile(
    r"\b(?:by |the |highest |lowest )?(?:crime )?rates?\b(?: per (?:1 ?000|1k|thousand|"
    r"capita|cap|person|head|resident)s?)?(?: (?:residents?|people|population))?|"
    r"\bper (?:1 ?000|1k|one thousand|thousand|100 ?000|capita|cap|person|head|"
    r"resident)s?(?: (?:residents?|people|population|persons?))?\b|\bpercap\b|"
    r"\bper ?capita\b|\bpopulation adjusted\b|\bnormali[sz]ed by population\b"
)
PCT_CHANGE = re.compile(
    r"\b(?:percent|percentage|pct|relative) (?:change|increase|decrease|rise|"
    r"drop|growth|decline|fall|jump)s?\b"
)
CHANGE = re.compile(
    r"\b(?:change[sd]?|changing|increase[sd]?|increasing|decrease[sd]?|decreasing|"
    r"rise|rises|rose|risen|fell|fallen|falls?|falling|rising|drop(?:s|ped)?|declin(?:e|es|ed|ing)|"
    r"grow(?:n|th)?|grew|jump(?:s|ed)?|reduction|reductions|difference|diff|"
    r"gone (?:up|down)|go(?:ne)? (?:up|down)|went (?:up|down)|up or down|"
    r"trending (?:up|down)|improv(?:e|ed|ement)|worsen(?:ed)?|yoy|delta)\b"
)
UP = re.compile(
    r"\b(?:increase[sd]?|increasing|rise|rises|rose|risen|grow(?:n|th)?|grew|jump(?:s|ed)?|"
    r"up|worsen(?:ed)?|gains?|spikes?)\b"
)
DOWN = re.compile(
    r"\b(?:decrease[sd]?|decreasing|fell|fallen|drop(?:s|ped)?|declin(?:e|es|ed|ing)|"
    r"reductions?|down|improv(?:e|ed|ement)|falls?|dips?)\b"
)
SHARE = re.compile(
    r"\b(?:share|proportion|fraction|percent(?:age)? of|pct of|what part of|"
    r"portion|slice|percent(?:age)? ?wise|as an? (?:percent(?:age)?|pct) of|"
    r"what percent(?:age)?|how much of)\b"
)
AVERAGE = re.compile(
    r"\b(?:(?:monthly |an? |the )?(?:average|avg|mean|typical)(?: (?:per|a|each|by) "
    r"month| monthly| month)?|(?:per|a|each) month on average|on average(?: per "
    r"month| a month| each month)?|monthly (?:average|avg|mean|rate))\b"
)
_WHICH_MONTH = r"(?:which|what) month\b(?=[^.?!]{0,50}?\bthe "
PEAK = re.compile(
    r"\b(?:(?:busiest|worst|peak|highest|heaviest|top|biggest|most (?:active|violent)) "
    r"(?:single )?month|"
    r"month (?:with|had|has|saw) the (?:most|highest)|"
    + _WHICH_MONTH
    + r"(?:most|worst|busiest|highest)\b)|when (?:was|did)\b(?=.{0,30}\bpeak\b))\b"
)
TROUGH = re.compile(
    r"\b(?:(?:quietest|slowest|lowest|best|calmest|lightest|least (?:busy|active|violent)) "
    r"(?:single )?month|"
    r"month (?:with|had|has|saw) the (?:fewest|least|lowest)|"
    + _WHICH_MONTH
    + r"(?:fewest|least|quietest|lowest)\b))\b"
)
PER_MONTH = re.compile(r"\b(?:per|a|each|every|by) month\b")
LIST = re.compile(
    r"\b(?:list|name|enumerate)(?: (?:all|every))?(?: the| of the)?\b|"
    r"\bwhat(?: s)? in\b|\bmembers of\b|\b(?:make|makes|made) up(?: of)?\b|\bbelongs? to\b|"
    r"\b(?:consists?|consisting|composed|comprised) of\b|\bcompris(?:e|es|ing)\b|"
    r"\b(?:does|do)\b(?=(?: \w+){1,3} (?:include|contain)\b)|\b(?:includes?|contains?)\b|"
    r"\b(?:which|what) (?!months?\b|years?\b|periods?\b|dates?\b|time\b|data\b)\w+ (?:does|do)"
    r"\b(?=(?: \w+){1,3} (?:cover|covers|span|spans|encompass)\b)|"
    r"\b(?:which|what) (?:\w+ ){0,1}(?:are|is) (?:in|part of|inside|within)\b|"
    r"\b(?:count|counts|counted|qualify|qualifies) as\b|\b(?:fall|falls|come|comes) (?:under|within)\b|"
    r"\b(?:is|are) (?:considered|classed as|covered by)\b|\bmake up\b"
)
ACCURACY = re.compile(
    r"\b(?:how accurate|accuracy|accurate|inaccurate|how good (?:are|were|is|was)|"
    r"(?:how )?reliab\w*|unreliable|trustworthy|how far off|how (?:wrong|off|right)|"
    r"(?:been|were|was|are) (?:you |they |we |the forecasts? )?(?:off|wrong|right) by|"
    r"how much (?:did|do|have) (?:you|they|the forecasts?) miss\w*|miss(?:ed)? by|"
    r"(?:grade|score|evaluate|assess|review)(?: (?:your|the|our))? (?:forecasts?|predictions?|model)|"
    r"how well (?:did|do|does|have|has)|how close|track record|hit rate|mape|"
    r"error rate|forecast errors?|bias(?:ed)?|over ?forecast\w*|under ?forecast\w*|"
    r"accountability|calibrat\w+|(?:alerts|flags) point|where do you point|"
    r"who do you flag|"
    r"how ?(?:d|did|does|has|have)? (?:the (?:model|forecasts?|predictions?|bot)|you|it|"
    r"your (?:model|forecasts?|predictions?)) (?:do|done|doing|perform\w*|fare\w*)|"
    r"how ?(?:d|did|do)? (?:we|you) do (?:on|with) (?:the |our |your )?(?:forecasts?|predictions?))"
    r"\b(?: (?:is|are|was|were|have|has)(?: been)?)?(?: (?:the|your|our))?"
    r"(?: (?:model|models|forecasts?|predictions?|forecasting|projections?|bot|you))?\b"
)
VS_FORECAST = re.compile(
    r"\b(?:vs|versus|against|compared (?:to|with)|than) (?:the |our |your |what "
    r"you |what was )?(?:forecast(?:ed|s)?|predict(?:ed|ions?)|expected|"
    r"projections?)\b"
)
COMPARE = re.compile(
    r"\b(?:vs|versus|v|against|compared?|comparison|comparing|than|relative to|"
    r"difference|diff|stacks? up|measures? up)\b"
)
#: A comparison with a norm we do not compute ("above normal", "vs the 2019-2022 average"):
#: asked back, never answered as a comparison of two periods.
NORM = re.compile(
    r"\b(?:above|below|over|under|than|vs|versus|against|compared (?:to|with)|relative to) "
    r"(?:the |its |their |a |an )?(?:(?:(?:19|20)\d\d (?:to (?:19|20)\d\d )?)|(?:long term|"
    r"multi year|historical|historic|seasonal|\w+ year|usual|normal) )?(?:average|avg|mean|"
    r"normal|norm|usual|baseline|typical|expected level)s?\b|\babnormal(?:ly)?\b"
)

_BOTTOM = (
    "bottom",
    "lowest",
    "least",
    "fewest",
    "safest",
    "quietest",
    "best",
    "smallest",
    "calmest",
    "slowest",
)
_TOP = (
    "top",
    "highest",
    "most",
    "worst",
    "busiest",
    "biggest",
    "largest",
    "greatest",
    "heaviest",
    "hottest",
)
_RANK_WORDS = "|".join(_TOP + _BOTTOM)
_N = NUM_PATTERN
RANK = re.compile(
    rf"\b(?:(?:{_RANK_WORDS}) {_N}|{_N} (?:{_RANK_WORDS})|(?:which|what) {_N}|"
    rf"(?:the )?{_N} (?=\w+ (?:with|had|have|has|saw|by|were|was|are)\b)|({_RANK_WORDS})|"
    rf"(?:rank|ranking|ranked|order|sort)(?:ed)?(?: by)?|"
    rf"(?:which|what) (?=\w+ (?:had|has|have|saw|sees|see|was|were|is|are)\b))\b"
)


#: "rank the sectors", "sectors ranked by": with no number, every one of them
RANK_ALL = re.compile(r"\b(?:rank|ranking|ranked|order|sort)(?:ed)?\b")


@dataclass(frozen=True)
class RankRead:
    """A ranking as the words name it (``n`` None = not said)."""

    n: int | None
    order: str
    single: bool = False  # "which community had the most": one


def find_rank(text: str) -> tuple[RankRead | None, Spans]:
    """A top/bottom-N phrase.

    >>> find_rank("which four communities had the most break ins")[0]
    RankRead(n=4, order='top', single=False)
    >>> find_rank("the 3 busiest sectors")[0].n, find_rank("bottom 5 by rate")[0].order
    (3, 'bottom')
    >>> find_rank("thefts in beltline")[0] is None
    True
    """
    n, order, spans, hit = None, "top", [], False
    for m in RANK.finditer(text):
        hit = True
        words = m.group(0).split()
        nums = [g for g in m.groups()[:4] if g]
        if nums and n is None:
            n = word_number(nums[0])
        if any(w in _BOTTOM for w in words):
            order = "bottom"
        if words and words[0] in ("which", "what") and not nums:
            continue  # "which sector had ...": "which" stays to name the breakdown
        spans.append(m.span())
    if not hit:
        return None, []
    return RankRead(n, order), spans


def rank_n(read: RankRead | None, single: bool) -> int:
    """The N to list: as asked, 1 for "which community had the most", else the default."""
    if read is None or read.n is None:
        return 1 if single else DEFAULT_RANK
    return read.n


def find_all(pattern: re.Pattern, text: str) -> Spans:
    return [m.span() for m in pattern.finditer(text)]


def change_order(text: str) -> str:
    """``bottom`` for "largest drop" (the most negative change first), else ``top``.

    >>> change_order("largest drop in thefts"), change_order("biggest increase")
    ('bottom', 'top')
    """
    return "bottom" if DOWN.search(text) and not UP.search(text) else "top"
