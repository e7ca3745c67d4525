"""Resolving the names people type: communities, common names, sectors, the city, categories.

Pure (no Redis, no Discord): a :class:`Names` vocabulary is built from what the data knows
(community and category names seen in the counts or the forecasts) plus the optional reference data
(sectors), and answers "which community did they mean?" tolerantly: any case, punctuation, typos
("beltlin", "forrest lawn"), the parts of slash names ("bridgeland"), a small alias table of common
names ("downtown" is several communities) and category synonyms ("car theft", "break-ins").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from rapidfuzz import fuzz, process

SECTORS = ("CENTRE", "NORTH", "NORTHEAST", "NORTHWEST", "EAST", "SOUTH", "SOUTHEAST", "WEST")

SECTOR_ALIASES = {
    "centre": "CENTRE", "center": "CENTRE", "central": "CENTRE", "inner city": "CENTRE",
    "north": "NORTH", "northeast": "NORTHEAST", "north east": "NORTHEAST", "ne": "NORTHEAST",
    "northwest": "NORTHWEST", "north west": "NORTHWEST", "nw": "NORTHWEST", "east": "EAST",
    "south": "SOUTH", "southeast": "SOUTHEAST", "south east": "SOUTHEAST", "se": "SOUTHEAST",
    "west": "WEST",
}

CITY_WORDS = ("calgary", "city", "city wide", "citywide", "whole city", "all communities",
              "the city", "everywhere", "yyc")

#: Common names for groups of communities (normalised text -> canonical community names). A group
#: is answered for as a whole, and the answer says which communities it covers.
GROUP_ALIASES: dict[str, tuple[str, ...]] = {
    "downtown": ("DOWNTOWN COMMERCIAL CORE", "DOWNTOWN EAST VILLAGE", "DOWNTOWN WEST END",
                 "EAU CLAIRE", "CHINATOWN"),
    "core": ("DOWNTOWN COMMERCIAL CORE",),
    "downtown core": ("DOWNTOWN COMMERCIAL CORE",),
    "commercial core": ("DOWNTOWN COMMERCIAL CORE",),
    "dt core": ("DOWNTOWN COMMERCIAL CORE",),
    "the core": ("DOWNTOWN COMMERCIAL CORE",),
    "east village": ("DOWNTOWN EAST VILLAGE",),
    "west end": ("DOWNTOWN WEST END",),
    "beltline area": ("BELTLINE", "CONNAUGHT", "VICTORIA PARK"),
    "international avenue": ("FOREST LAWN", "ALBERT PARK/RADISSON HEIGHTS", "FOREST HEIGHTS"),
    "17 ave": ("BELTLINE", "MISSION", "LOWER MOUNT ROYAL"),
    "kensington": ("HILLHURST", "SUNNYSIDE"),
    "u of c": ("UNIVERSITY OF CALGARY",),
    "uofc": ("UNIVERSITY OF CALGARY",),
    "marlborough": ("MARLBOROUGH", "MARLBOROUGH PARK"),
}

ALL = "*"

#: Canonical Calgary category names as the contract spells them (two spaces in "Violence  'Other'").
THEFT_OF = "Theft OF Vehicle"
THEFT_FROM = "Theft FROM Vehicle"
BE_DWELL = "Break & Enter - Dwelling"
BE_COMM = "Break & Enter - Commercial"
BE_OTHER = "Break & Enter - Other Premises"
ASSAULT = "Assault (Non-domestic)"
VIOLENCE = "Violence  'Other' (Non-domestic)"
STREET_ROB = "Street Robbery"
COMM_ROB = "Commercial Robbery"

#: Category phrases (normalised text) -> (label, canonical categories). Longest phrases win.
CATEGORY_SYNONYMS: dict[str, tuple[str, tuple[str, ...]]] = {}


def _syn(label: str, cats: tuple[str, ...], *phrases: str) -> None:
    for p in phrases:
        CATEGORY_SYNONYMS[p] = (label, cats)


_BE = (BE_COMM, BE_DWELL, BE_OTHER)
_VIOLENT = (ASSAULT, VIOLENCE, STREET_ROB)
_THEFTS = (THEFT_FROM, THEFT_OF)
_syn("vehicle theft", (THEFT_OF,), "car theft", "car thefts", "stolen car", "stolen cars",
     "stolen vehicle", "stolen vehicles", "vehicle theft", "vehicle thefts", "auto theft",
     "auto thefts", "theft of vehicle", "theft of vehicles", "thefts of vehicles", "car stolen",
     "cars stolen", "vehicles stolen", "motor vehicle theft", "stolen autos", "stolen trucks",
     "truck theft", "theft of car", "theft of cars", "car jacking", "carjacking", "carjackings",
     "stolen auto", "car theft s")
_syn("theft from vehicles", (THEFT_FROM,), "theft from vehicle", "theft from vehicles",
     "thefts from vehicles", "theft from car", "theft from cars", "thefts from cars",
     "car prowling", "car prowlings", "vehicle break ins", "car break ins", "car breakins",
     "smash and grab", "stuff stolen from cars", "theft from auto", "theft from autos")
_syn("break-ins", _BE, "break ins", "break in", "breakins", "breakin", "break and enter",
     "break and enters", "break and entering", "b and e", "b and es", "bne", "burglary",
     "burglaries", "breaking and entering")
_syn("residential break-ins", (BE_DWELL,), "home break ins", "house break ins", "home break in",
     "house break in", "residential break ins", "residential burglary", "residential burglaries",
     "home burglary", "home burglaries", "house burglary", "house burglaries", "dwelling break ins",
     "break and enter dwelling", "b and e dwelling", "break ins dwelling", "home invasions",
     "home invasion", "break and enter   dwelling")
_syn("commercial break-ins", (BE_COMM,), "commercial break ins", "business break ins",
     "store break ins", "shop break ins", "commercial burglary", "commercial burglaries",
     "break and enter commercial", "b and e commercial", "business burglaries",
     "business burglary")
_syn("other-premises break-ins", (BE_OTHER,), "garage break ins", "shed break ins",
     "other premises", "break and enter other premises", "b and e other", "garage burglaries",
     "garage burglary", "other premises break ins", "break and enter other")
_syn("assault", (ASSAULT,), "assault", "assaults", "assault non domestic", "non domestic assault",
     "non domestic assaults", "assults", "fights", "attacks")
_syn("other violence", (VIOLENCE,), "other violence", "violence other", "violence other non domestic",
     "threats", "uttering threats", "other violent crime", "violence  other")
_syn("violent crime", _VIOLENT, "violent crime", "violent crimes", "violence", "violent",
     "violent incidents", "crimes against persons", "person crime", "crimes against the person")
_syn("street robbery", (STREET_ROB,), "street robbery", "street robberies", "mugging", "muggings",
     "robbery on the street", "street robberys")
_syn("commercial robbery", (COMM_ROB,), "commercial robbery", "commercial robberies",
     "store robbery", "store robberies", "bank robbery", "bank robberies", "business robbery",
     "business robberies", "hold up", "hold ups", "holdups", "armed robbery", "armed robberies")
_syn("robbery", (STREET_ROB, COMM_ROB), "robbery", "robberies", "robberys", "robbed")
_syn("vehicle crime", _THEFTS, "theft", "thefts", "vehicle crime", "vehicle crimes", "car crime",
     "car crimes", "auto crime", "stealing")
_syn("property crime", _BE + _THEFTS, "property crime", "property crimes", "property offences",
     "property offenses")
_syn("all crime", (ALL,), "all crime", "all crimes", "crime", "crimes", "all categories",
     "incidents", "offences", "offenses", "total crime", "overall crime", "everything")

#: Single words (tolerant of typos) that name a category phrase above.
_CATEGORY_WORDS = sorted({p for p in CATEGORY_SYNONYMS if " " not in p and len(p) >= 6})

_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, ``&`` as "and", punctuation as spaces, single spaces.

    >>> normalise("  Break & Enter - Dwelling ")
    'break and enter dwelling'
    >>> normalise("ST. ANDREWS HEIGHTS")
    'st andrews heights'
    >>> normalise("Violence\\xa0 'Other' (Non-domestic)")
    'violence other non domestic'
    """
    t = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    t = t.replace(".", "")
    t = _PUNCT.sub(" ", t).replace("_", " ")
    return _SPACES.sub(" ", t).strip()


def canonical_category_key(name: str) -> str:
    """Key that matches a category however its spaces are written (``\\xa0``, doubled).

    >>> canonical_category_key("Violence\\xa0 'Other' (Non-domestic)") == canonical_category_key(VIOLENCE)
    True
    """
    return normalise(name)


@dataclass(frozen=True)
class Place:
    """Where a question is about: one community, a named group, a sector or the whole city.

    ``communities`` lists the canonical communities it covers (empty for the whole city, which
    means every community).
    """

    kind: str  # "community" | "group" | "sector" | "city"
    label: str
    communities: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "communities": list(self.communities)}


CITY = Place("city", "City-wide")


@dataclass(frozen=True)
class CommunityInfo:
    """Reference facts about a community (from ``crimecast reference load``)."""

    name: str
    code: str = ""
    sector: str = ""
    klass: str = ""
    population: int | None = None


@dataclass
class Names:
    """The vocabulary of one deployment: known communities, categories and reference data.

    >>> n = Names(["BELTLINE", "FOREST LAWN", "FOREST HEIGHTS", "BRIDGELAND/RIVERSIDE"],
    ...           ["Theft OF Vehicle", "Street Robbery"])
    >>> n.community("beltlin").label
    'BELTLINE'
    >>> n.community("Forrest Lawn").label
    'FOREST LAWN'
    >>> n.community("bridgeland").label
    'BRIDGELAND/RIVERSIDE'
    >>> [p.label for p in n.suggest("forest")]
    ['FOREST HEIGHTS', 'FOREST LAWN']
    """

    communities: Iterable[str]
    categories: Iterable[str] = ()
    info: Mapping[str, CommunityInfo] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: GROUP_ALIASES)

    def __post_init__(self) -> None:
        self.communities = sorted(set(self.communities) | set(self.info))
        known = set(self.communities)
        cats = list(dict.fromkeys(self.categories))
        self.categories = cats
        # categories as the data spells them, by a space-insensitive key
        self._cat_by_key = {canonical_category_key(c): c for c in cats}
        self.sectors = sorted({i.sector for i in self.info.values() if i.sector})
        # exact vocabulary: normalised text -> Place
        vocab: dict[str, Place] = {}
        word_index: dict[str, set[str]] = {}
        for name in self.communities:
            place = Place("community", name, (name,))
            norm = normalise(name)
            vocab.setdefault(norm, place)
            vocab.setdefault(norm.replace(" ", ""), place)
            parts = [normalise(p) for p in name.split("/") if p.strip()]
            for w in norm.split():
                word_index.setdefault(w, set()).add(name)
            if len(parts) > 1:
                for p in parts:
                    word_index.setdefault(p, set()).add(name)
        # parts of slash names ("bridgeland"), unless they are a community of their own
        for name in self.communities:
            parts = [normalise(p) for p in name.split("/") if p.strip()]
            if len(parts) > 1:
                for p in parts:
                    if p not in vocab and len(word_index.get(p, ())) == 1:
                        vocab[p] = Place("community", name, (name,))
        for alias, members in self.aliases.items():
            present = tuple(m for m in members if m in known)
            if not present or alias in vocab:
                continue
            if len(present) == 1:
                vocab[alias] = Place("community", present[0], present)
            else:
                vocab[alias] = Place("group", alias.title(), present)
        if self.sectors:
            for alias, sector in SECTOR_ALIASES.items():
                if sector in self.sectors and alias not in vocab:
                    members = tuple(sorted(n for n, i in self.info.items() if i.sector == sector))
                    vocab[alias] = Place("sector", f"{sector} sector", members)
        for w in CITY_WORDS:
            vocab.setdefault(w, CITY)
        self._vocab = vocab
        self._vocab_keys = list(vocab)
        # communities sharing a leading word ("forest" -> FOREST LAWN, FOREST HEIGHTS, ...)
        self._first_word: dict[str, list[str]] = {}
        for name in self.communities:
            first = normalise(name).split(" ")[0] if normalise(name) else ""
            self._first_word.setdefault(first, []).append(name)

    # --- places ---------------------------------------------------------------------------------
    def exact(self, text: str) -> Place | None:
        """The place whose normalised name (or alias) is exactly ``text``."""
        return self._vocab.get(normalise(text))

    def fuzzy(self, text: str) -> tuple[Place, float] | None:
        """Best typo-tolerant match of a phrase, with its score, or None when nothing is close."""
        norm = normalise(text)
        if len(norm) < 4:
            return None
        cutoff = 90 if len(norm) < 6 else 84
        hit = process.extractOne(norm, self._vocab_keys, scorer=fuzz.ratio, score_cutoff=cutoff)
        if hit is None:
            return None
        return self._vocab[hit[0]], hit[1]

    def prefix_matches(self, word: str) -> list[str]:
        """Communities whose first word is ``word`` (for "forest" -> ask which)."""
        return sorted(self._first_word.get(normalise(word), []))

    def first_word_close(self, word: str) -> list[str]:
        """Communities whose first word is a close spelling of ``word`` ("forrest" -> FOREST ...).

        >>> Names(["FOREST LAWN", "CRANSTON"]).first_word_close("forrest")
        ['FOREST LAWN']
        """
        norm = normalise(word)
        if len(norm) < 5:
            return []
        hits = process.extract(norm, list(self._first_word), scorer=fuzz.ratio, score_cutoff=85,
                               limit=5)
        return sorted(c for w, _, _ in hits for c in self._first_word[w])

    def community(self, text: str) -> Place | None:
        """Resolve a name typed by someone: exact, then typo-tolerant, then a unique first word."""
        place = self.exact(text)
        if place is not None:
            return place
        hit = self.fuzzy(text)
        if hit is not None:
            return hit[0]
        starts = self.prefix_matches(text)
        if len(starts) == 1:
            return Place("community", starts[0], (starts[0],))
        return None

    def suggest(self, text: str, limit: int = 5, min_score: float = 72) -> list[Place]:
        """The closest places to ``text`` (for a "did you mean" reply)."""
        norm = normalise(text)
        if not norm:
            return []
        starts = self.prefix_matches(norm)
        if len(starts) > 1:
            return [Place("community", s, (s,)) for s in starts[:limit]]
        hits = process.extract(norm, self._vocab_keys, scorer=fuzz.WRatio, limit=limit * 3)
        out: list[Place] = []
        for key, score, _ in hits:
            p = self._vocab[key]
            if score >= min_score and p not in out:
                out.append(p)
        return out[:limit]

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Up to ``limit`` community names for an autocomplete box (best matches first)."""
        norm = normalise(prefix)
        if not norm:
            return list(self.communities[:limit])
        starts = [c for c in self.communities if normalise(c).startswith(norm)]
        contains = [c for c in self.communities if norm in normalise(c) and c not in starts]
        out = starts + contains
        if len(out) < limit:
            hits = process.extract(norm, [normalise(c) for c in self.communities],
                                   scorer=fuzz.WRatio, limit=limit)
            for _, score, idx in hits:
                name = self.communities[idx]
                if score >= 50 and name not in out:
                    out.append(name)
        return out[:limit]

    def sector(self, name: str) -> Place | None:
        """A sector by name ("northeast", "NE")."""
        sector = SECTOR_ALIASES.get(normalise(name))
        if sector is None or sector not in self.sectors:
            return None
        members = tuple(sorted(n for n, i in self.info.items() if i.sector == sector))
        return Place("sector", f"{sector} sector", members)

    def population(self, communities: Iterable[str]) -> int | None:
        """Household population (2021 census) of the communities, or None if any is unknown."""
        total = 0
        for c in communities:
            info = self.info.get(c)
            if info is None or not info.population:
                return None
            total += info.population
        return total

    # --- categories -----------------------------------------------------------------------------
    def category_phrase(self, phrase: str) -> tuple[str, tuple[str, ...]] | None:
        """(label, categories as the data spells them) for a synonym phrase, or None.

        >>> Names([], ["Theft OF Vehicle"]).category_phrase("stolen cars")
        ('vehicle theft', ('Theft OF Vehicle',))
        """
        norm = normalise(phrase)
        hit = CATEGORY_SYNONYMS.get(norm)
        if hit is None and norm in self._cat_by_key:
            cat = self._cat_by_key[norm]
            return cat, (cat,)
        if hit is None:
            return None
        label, cats = hit
        if cats == (ALL,):
            return label, ()
        present = tuple(self._cat_by_key[canonical_category_key(c)] for c in cats
                        if canonical_category_key(c) in self._cat_by_key)
        if not present and self.categories:
            return None
        return label, present or cats

    def category_word(self, word: str) -> str | None:
        """A single mistyped category word ("assualts", "burglery") -> its synonym phrase."""
        norm = normalise(word)
        if len(norm) < 6:
            return None
        hit = process.extractOne(norm, _CATEGORY_WORDS, scorer=fuzz.ratio, score_cutoff=85)
        return hit[0] if hit else None

    def category(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """Resolve a category option (exact name, synonym, or close spelling)."""
        hit = self.category_phrase(text)
        if hit is not None:
            return hit
        word = self.category_word(text)
        if word is not None:
            return self.category_phrase(word)
        norm = normalise(text)
        keys = list(self._cat_by_key)
        best = process.extractOne(norm, keys, scorer=fuzz.WRatio, score_cutoff=80) if keys else None
        if best:
            cat = self._cat_by_key[best[0]]
            return cat, (cat,)
        return None

    def category_choices(self) -> list[str]:
        """Category names and the common group names, for an autocomplete box."""
        groups = ["break-ins", "violent crime", "robbery", "property crime", "vehicle theft",
                  "theft from vehicles"]
        return list(self.categories) + [g for g in groups if g not in self.categories]
