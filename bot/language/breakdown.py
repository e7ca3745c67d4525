"""Which breakdown a question names: by area or region ("which sector", "top 5 communities"),
by category ("by crime type", "the most common crime") or by month ("month by month").

Pure tables over normalised words; :func:`read_by` marks the words it used.
"""

from __future__ import annotations

import re

from . import measures as M
from .horizon import NUM_PATTERN
from .names import Names, normalise

_CAT_NOUN = (
    r"(?:crime types?|crimes? categor(?:y|ies)|types? of (?:crimes?|offen[cs]es?|incidents?)|"
    r"kinds? of (?:crimes?|offen[cs]es?)|offen[cs]e types?|categor(?:y|ies)(?: of crimes?)?|"
    r"crimes?|offen[cs]es?|types?|kinds?)"
)
CATEGORY_BY = re.compile(
    rf"\b(?:(?:by|per|each|every|breakdown by|broken down by|split by) {_CAT_NOUN}|"
    r"crime types|offen[cs]e types|types of crimes?|kinds of crimes?|categories(?: of crimes?)?|"
    r"(?:which|what) (?:crime type|type of crime|category|kind of crime|offen[cs]e type)|"
    r"(?:which|what) categories|(?:the )?(?:crime |offen[cs]e )?mix(?: of (?:crimes?|offen[cs]es?))?|"
    r"(?:crime|offen[cs]e) (?:breakdown|make ?up)|breakdown of (?:crimes?|offen[cs]es?))\b"
)
COMMON = re.compile(
    rf"\b(?:the )?(?:{NUM_PATTERN} )?(most|least) (?:common|frequent|prevalent) "
    rf"({_CAT_NOUN})\b|\b({_CAT_NOUN}) (?:was|were|is|are) (?:the )?(most|least) "
    r"(?:common|frequent|prevalent)\b"
)
#: "top 3 offences in beltline": a ranking of categories (the group "noun" is its noun), not of areas
RANKED_CATEGORY = re.compile(
    rf"\b(?:top|bottom|leading|main|biggest)(?: {NUM_PATTERN})? "
    r"(?P<noun>crimes|offen[cs]es|crime types|offen[cs]e types|categories|types of crimes?)\b"
    r"(?! (?:communit|neighbo|areas?\b|districts?\b|sectors?\b|npus?\b|zones?\b|spots?\b|"
    r"regions?\b|hoods?\b|months?\b))"
)
MONTH_BY = re.compile(
    r"\b(?:(?:by|per|each|every|a) month|month by month|monthly(?! average| avg)|"
    r"months)\b"
)
_BY_LEAD = {
    "which",
    "what",
    "by",
    "per",
    "each",
    "every",
    "across",
    "all",
    "top",
    "bottom",
    "most",
    "least",
    "busiest",
    "worst",
    "safest",
    "quietest",
    "highest",
    "lowest",
}
_AREA_GENERIC = (
    "community",
    "communities",
    "neighbourhood",
    "neighbourhoods",
    "neighborhood",
    "neighborhoods",
    "area",
    "areas",
    "spot",
    "spots",
    "place",
    "places",
    "location",
    "locations",
)  # "district", "zone": the city's own words only (a police district is no community)
#: Words for a kind of place: never read as a word inside an area's name ("which district")
GEO_NOUNS = frozenset(
    """district districts zone zones region regions sector sectors ward wards beat beats
    division divisions precinct precincts area areas place places spot spots location
    locations""".split()
)


def read_by(
    tokens: list[str],
    used: list[bool],
    names: Names,
    by_category: bool,
    by_month: bool,
    ranked: bool,
) -> tuple[str | None, bool, bool]:
    """The breakdown named ("which sector", "by npu", "communities" in a ranking) and whether it
    was named in the singular ("which community had the most": one)."""
    region = names.region_word
    region_words = {}
    if region:
        region_words = {
            normalise(region): True,
            normalise(names.profile.regions.word.plural): False,
            "region": True,
            "regions": False,
        }
    area_words = {w: not w.endswith("s") for w in _AREA_GENERIC if w not in region_words}
    area_words[normalise(names.area_word)] = True
    area_words[normalise(names.area_words)] = False
    by, single, noun = None, False, False
    for i, tok in enumerate(tokens):
        if used[i] or (tok not in area_words and tok not in region_words):
            continue
        if tok in ("spot", "spots") and i and tokens[i - 1] == "hot":
            continue  # "hot spots": the bot's own word for the busiest areas
        if in_name(tokens, i, names):
            continue  # "the north sector", "npu m": part of a place's name
        prev = tokens[i - 1] if i else ""
        lead = prev in _BY_LEAD or prev.isdigit() or prev in M.NUMBER_WORDS
        plural = (
            tok in area_words
            and not area_words[tok]
            or tok in region_words
            and not region_words[tok]
        )
        if lead or ranked:
            by = by or ("region" if tok in region_words else "area")
            if lead and prev in ("by", "per", "each", "every", "across"):
                used[i - 1] = True
            single = single or (
                not plural
                and not (prev.isdigit() or prev in M.NUMBER_WORDS)
                and prev not in ("by", "per", "each", "every", "across", "all")
            )
            used[i] = True
        elif tok in area_words and plural:
            used[i] = noun = True  # "the communities in the northeast": a list's noun
    if by is None and by_category:
        by = "category"
    if by is None and by_month:
        by = "month"
    return by, single, noun


def in_name(tokens: list[str], i: int, names: Names) -> bool:
    """Whether token ``i`` is part of a place's name ("north sector", "npu m")."""
    for a in range(max(0, i - 2), i + 1):
        for b in range(i + 1, min(len(tokens), i + 3) + 1):
            place = names.exact(" ".join(tokens[a:b]))
            if place is not None and place.kind != "city":
                return True
    return False


_BY_SLOT = ("which", "each", "every", "per", "by")
_NOT_GROUPS = frozenset("way ways one ones else time times kind sort".split())


def check_by_word(tokens: list[str], used: list[bool], names: Names, ignore=frozenset()) -> None:
    """An unknown word where a breakdown goes ("which npu" in a city without NPUs, "by ward"):
    asked back, naming the breakdowns this city has, never answered by another one."""
    from .question import Clarify
    from .words import STOPWORDS

    for i in range(1, len(tokens)):
        tok, prev = tokens[i], tokens[i - 1]
        slot = prev in _BY_SLOT or (
            tok in GEO_NOUNS
            and (prev in _BY_LEAD or prev.isdigit() or prev in M.NUMBER_WORDS or prev == "|")
        )  # "top 3 districts" ("top 3" read: "|") where districts are no word of this city's
        if used[i] or not slot or not tok.isalpha() or len(tok) < 3:
            continue
        if tok in STOPWORDS or tok in ignore or tok in _NOT_GROUPS or tok in M.NUMBER_WORDS:
            continue
        options = [names.area_words]
        if names.region_word:
            options.append(normalise(names.profile.regions.word.plural))
        options += ["crime type", "month"]
        raise Clarify(
            tok,
            options=options,
            message=f"I can't group by '{tok}' here. I can break down or rank by "
            + ", ".join(options[:-1])
            + f" or {options[-1]}.",
        )
