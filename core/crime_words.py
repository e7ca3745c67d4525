"""Crime words in plain English, and which of a city's categories a phrase names.

A city's categories are spelled its own way ("Theft of Bicycle", "AGG ASSAULT", "LARCENY-FROM
VEHICLE", "Break & Enter - Dwelling"). A phrase someone types ("bikes stolen", "aggravated assault",
"car break-ins") and each category name are read into *concepts* (theft, bicycle, assault,
aggravated, from, residence, not_vehicle ...) through one small English lexicon; a phrase names the
categories whose concepts contain all of its own. Nothing is guessed: a phrase with a crime word no
category carries ("bike theft" where there is no bicycle category) names nothing, and the caller
says which categories exist.

>>> cats = ["Theft of Bicycle", "AGG ASSAULT", "LARCENY-FROM VEHICLE", "AUTO THEFT", "LARCENY-NON VEHICLE"]
>>> derive("bikes stolen", cats)
('Theft of Bicycle', ('Theft of Bicycle',))
>>> derive("aggravated assault", cats)
('AGG ASSAULT', ('AGG ASSAULT',))
>>> derive("car theft", cats)
('AUTO THEFT', ('AUTO THEFT',))
>>> derive("thefts", cats)[1]
('Theft of Bicycle', 'LARCENY-FROM VEHICLE', 'AUTO THEFT', 'LARCENY-NON VEHICLE')
>>> derive("arson", cats) is None and derive("car", cats)[1] == ('LARCENY-FROM VEHICLE', 'AUTO THEFT')
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

# concept -> words and phrases (normalised: lower case, "&" as "and", no punctuation)
HEADS: dict[str, tuple[str, ...]] = {
    "theft": (
        "theft",
        "thefts",
        "steal",
        "stealing",
        "stolen",
        "larceny",
        "larcenies",
        "thief",
        "thieves",
    ),
    "robbery": (
        "robbery",
        "robberies",
        "robbed",
        "robberys",
        "holdup",
        "holdups",
        "hold up",
        "hold ups",
    ),
    "assault": (
        "assault",
        "assaults",
        "assaulted",
        "assults",
        "battery",
        "fights",
        "attacks",
        "aggs",
    ),
    "burglary": (
        "burglary",
        "burglaries",
        "break in",
        "break ins",
        "breakin",
        "breakins",
        "break and enter",
        "break and enters",
        "break and entering",
        "breaking and entering",
        "b and e",
        "b and es",
        "bne",
        "burglar",
        "burglars",
        "broken into",
    ),
    "homicide": ("homicide", "homicides", "murder", "murders", "killing", "killings"),
    "manslaughter": ("manslaughter",),
    "arson": ("arson", "arsons"),
    "fraud": ("fraud", "frauds", "scam", "scams"),
    "drugs": ("drug", "drugs", "narcotics"),
    "weapons": ("weapon", "weapons", "gun", "guns", "firearm", "firearms", "shooting", "shootings"),
    "sexual": ("sexual", "sex", "rape", "rapes"),
    "vandalism": ("vandalism", "mischief", "graffiti", "damage"),
    "shoplifting": ("shoplifting", "shoplift", "shoplifters"),
    "threats": ("threat", "threats", "threatening"),
    "kidnapping": ("kidnapping", "kidnappings", "abduction"),
    "mugging": ("mugging", "muggings"),
}
OBJECTS: dict[str, tuple[str, ...]] = {
    "vehicle": (
        "car break in",
        "car break ins",
        "vehicle break ins",
        "car prowling",
        "car prowl",
        "car prowls",
        "vehicle prowl",
        "vehicle prowls",
        "entering auto",
        "entering autos",
        "entering automobile",
        "car broken into",
        "cars broken into",
        "vehicle broken into",
        "vehicles broken into",
        "autos broken into",
        "vehicle",
        "vehicles",
        "car",
        "cars",
        "auto",
        "autos",
        "automobile",
        "automobiles",
        "truck",
        "trucks",
        "motor vehicle",
        "motor vehicles",
        "mv",
    ),
    "bicycle": ("bicycle", "bicycles", "bike", "bikes", "cycle", "cycles"),
}
MODIFIERS: dict[str, tuple[str, ...]] = {
    "from": ("from",),
    "residence": (
        "residence",
        "residences",
        "residential",
        "res",
        "home",
        "homes",
        "house",
        "houses",
        "dwelling",
        "dwellings",
    ),
    "commercial": (
        "commercial",
        "business",
        "businesses",
        "store",
        "stores",
        "shop",
        "shops",
        "nonres",
        "non res",
        "non residential",
        "nonresidential",
    ),
    "street": ("street", "pedestrian", "pedestrians", "ped", "peds"),
    "aggravated": ("agg", "aggravated", "aggr"),
    "domestic": ("domestic",),
    "other": ("other",),
    "premises": ("premises",),
    "person": ("person", "persons", "people", "personal"),
}
#: words standing for a kind of crime: a category belongs when it carries any of the concepts
GROUPS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "violent crime": (
        ("violent", "violence"),
        frozenset(
            {
                "violent",
                "assault",
                "robbery",
                "homicide",
                "manslaughter",
                "sexual",
                "threats",
                "kidnapping",
                "mugging",
                "weapons",
                "person",
            }
        ),
    ),
    "property crime": (
        ("property",),
        frozenset({"theft", "burglary", "vandalism", "arson", "shoplifting"}),
    ),
}
#: a word read as more than one concept
_FROM_CAR = frozenset({"theft", "from", "vehicle"})
COMPOUND: dict[str, frozenset[str]] = {
    "mugging": frozenset({"robbery", "street"}),
    "muggings": frozenset({"robbery", "street"}),
    "car break in": _FROM_CAR,
    "car break ins": _FROM_CAR,
    "vehicle break ins": _FROM_CAR,
    "car prowling": _FROM_CAR,
    "car prowl": _FROM_CAR,
    "car prowls": _FROM_CAR,
    "vehicle prowl": _FROM_CAR,
    "vehicle prowls": _FROM_CAR,
    # "entering auto": the APD's own name for larceny from a vehicle (its UCR shorthand)
    "entering auto": _FROM_CAR,
    "entering autos": _FROM_CAR,
    "entering automobile": _FROM_CAR,
    # "cars broken into" is a theft from the car; "homes broken into" a burglary
    "car broken into": _FROM_CAR,
    "cars broken into": _FROM_CAR,
    "vehicle broken into": _FROM_CAR,
    "vehicles broken into": _FROM_CAR,
    "autos broken into": _FROM_CAR,
    # clipped forms: "aggs" are aggravated assaults
    "agg": frozenset({"assault", "aggravated"}),
    "aggs": frozenset({"assault", "aggravated"}),
}
FILLER = frozenset(
    """of the a an and crime crimes incident incidents offence offences offense
offenses s against get gets got getting being armed""".split()
)

_PUNCT = re.compile(r"[^\w\s]")


def _norm(text: str) -> str:
    t = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    t = _PUNCT.sub(" ", t.replace(".", "")).replace("_", " ")
    return " ".join(t.split())


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, frozenset[str]], dict[str, str], int]:
    """phrase -> concepts, concept -> kind, and the longest phrase in words."""
    words: dict[str, frozenset[str]] = {}
    kind: dict[str, str] = {}
    for table, k in ((HEADS, "head"), (OBJECTS, "object"), (MODIFIERS, "modifier")):
        for concept, phrases in table.items():
            kind[concept] = k
            for p in phrases:
                words[p] = COMPOUND.get(p, frozenset({concept}))
    for label, (phrases, _) in GROUPS.items():
        kind[label] = "group"
        for p in phrases:
            words[p] = frozenset({label})
    return words, kind, max(len(p.split()) for p in words)


def concepts(text: str, literal: Iterable[str] = ()) -> frozenset[str] | None:
    """The concepts of ``text``; None when it holds a word that is neither a crime word, filler,
    nor one of ``literal`` (words of the city's own category names, kept as ``w:word``).

    >>> sorted(concepts("LARCENY-NON VEHICLE"))
    ['not_vehicle', 'theft']
    >>> sorted(concepts("Break & Enter - Dwelling"))
    ['burglary', 'residence']
    >>> concepts("forest lawn") is None
    True
    """
    words, _, longest = _lexicon()
    literal = set(literal)
    toks = _norm(text).split()
    out: set[str] = set()
    negate = False
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            phrase = " ".join(toks[i : i + n])
            if phrase in words:
                found = words[phrase]
                break
        else:
            tok = toks[i]
            n = 1
            if tok == "non":
                negate = True
                i += 1
                continue
            if tok.startswith("non") and tok[3:] in words:
                found = frozenset(f"not_{c}" for c in words[tok[3:]])
            elif tok in FILLER:
                i += 1
                continue
            elif tok in literal:
                found = frozenset({f"w:{tok}"})
            else:
                return None
        out |= {f"not_{c}" for c in found} if negate else found
        negate = False
        i += n
    return frozenset(out)


def is_crime_word(word: str) -> bool:
    """True for a word that names a kind of crime or its object (not for modifiers or filler).

    >>> is_crime_word("bikes"), is_crime_word("stolen"), is_crime_word("home"), is_crime_word("park")
    (True, True, False, False)
    """
    words, kind, _ = _lexicon()
    found = words.get(_norm(word))
    return bool(found) and any(kind.get(c) in ("head", "object", "group") for c in found)


def is_modifier(word: str) -> bool:
    """True for a word that narrows a crime ("residential", "commercial", "aggravated")."""
    words, kind, _ = _lexicon()
    found = words.get(_norm(word))
    return bool(found) and all(kind.get(c) == "modifier" for c in found)


def broader(word: str) -> str | None:
    """The plain crime a narrowed word is a kind of ("aggs" = aggravated assaults -> "assault"),
    for a city that does not count the narrower kind apart; None for any other word.

    >>> broader("aggs"), broader("assaults"), broader("bikes")
    ('assault', None, None)
    """
    words, kind, _ = _lexicon()
    found = words.get(_norm(word)) or frozenset()
    heads = [c for c in found if kind.get(c) == "head"]
    if len(heads) == 1 and any(kind.get(c) == "modifier" for c in found):
        return HEADS[heads[0]][0]
    return None


def lexicon_words() -> list[str]:
    """Every single word of the lexicon (for typo correction)."""
    words, _, _ = _lexicon()
    return sorted(w for w in words if " " not in w and len(w) >= 5)


@lru_cache(maxsize=32)
def _category_concepts(cats: tuple[str, ...]) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    literal = frozenset(w for c in cats for w in _norm(c).split())
    return literal, tuple(concepts(c, literal) or frozenset() for c in cats)


def derive(phrase: str, categories: Iterable[str]) -> tuple[str, tuple[str, ...]] | None:
    """``(label, categories)`` a phrase names among ``categories``, or None when it names none.

    One concept ("thefts", "robbery", "violent crime") names every category carrying it; several
    ("car theft") name the categories carrying all of them, the closest fit first (AUTO THEFT
    before LARCENY-FROM VEHICLE). A lone modifier ("residential") names nothing.
    """
    cats = tuple(dict.fromkeys(categories))
    literal, table = _category_concepts(cats)
    want = concepts(phrase, literal)
    if not want:
        return None
    _, kind, _ = _lexicon()
    if all(kind.get(c.removeprefix("not_")) == "modifier" or c.startswith("w:") for c in want):
        return None
    groups = [c for c in want if kind.get(c) == "group"]
    plain = want - set(groups)
    scored = []
    for cat, have in zip(cats, table):
        if not plain <= have:
            continue
        if any(not (have & (GROUPS[g][1] | {g})) for g in groups):
            continue
        scored.append((len(have - plain), cat))
    if not scored:
        return None
    if len(want) > 1 and not groups:
        best = min(s for s, _ in scored)
        scored = [x for x in scored if x[0] == best]
    found = tuple(c for _, c in scored)
    if len(found) == 1:
        return found[0], found
    label = groups[0] if groups and not plain else _norm(phrase)
    return label, found
