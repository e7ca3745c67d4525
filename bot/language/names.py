"""Resolving the names people type: areas, common names, regions, the city, categories.

Pure (no Redis, no Discord): a :class:`Names` vocabulary is built from what the data knows (area and
category names seen in the counts or the forecasts), the optional reference data (regions,
population) and the city's profile (:mod:`core.profile`: its words for areas and regions, its
common names such as "downtown", its category phrases and groups). It answers "which area did they
mean?" tolerantly: any case, punctuation, typos, the parts of slash names. Category words the
profile does not list are derived from the category names (:mod:`core.crime_words`), never guessed:
a word that names no category resolves to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from rapidfuzz import fuzz, process

from core.profile import CityProfile, active_profile

from .category_names import CategoryNames, normalise
from .help_words import HelpWords

#: Words for the whole city, in any city (the profile adds its own: "calgary", "atl").
CITY_WORDS = ("city", "city wide", "citywide", "whole city", "the city", "everywhere")


@dataclass(frozen=True)
class Place:
    """Where a question is about: one area, a named group, a region or the whole city.

    ``communities`` lists the canonical areas it covers (empty for the whole city, which means
    every area). ``kind`` is ``community`` (one area), ``group``, ``sector`` (a region of the
    profile: a sector, an NPU, a district) or ``city``; ``region`` names the region of a
    ``sector`` place.
    """

    kind: str  # "community" | "group" | "sector" | "city"
    label: str
    communities: tuple[str, ...] = ()
    region: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "communities": list(self.communities)}


CITY = Place("city", "City-wide")


@dataclass(frozen=True)
class CommunityInfo:
    """Reference facts about an area (from ``crimecast reference load``); ``sector`` is its region."""

    name: str
    code: str = ""
    sector: str = ""
    klass: str = ""
    population: int | None = None


def _area_aliases(profile: CityProfile) -> dict[str, tuple[str, ...]]:
    return {
        normalise(k): tuple(" ".join(m.split()).upper() for m in v)
        for k, v in profile.areas.items()
    }


@dataclass
class Names(HelpWords, CategoryNames):
    """The vocabulary of one deployment: known areas, categories, reference data and profile.

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
    aliases: Mapping[str, tuple[str, ...]] | None = None
    profile: CityProfile | None = None
    busiest: tuple[str, ...] = ()  # the busiest areas first (for help examples), set by the engine
    busiest_categories: tuple[str, ...] = ()  # likewise the busiest categories

    def __post_init__(self) -> None:
        if self.profile is None:
            self.profile = active_profile()
        profile = self.profile
        if self.aliases is None:
            self.aliases = _area_aliases(profile)
        self.communities = sorted(set(self.communities) | set(self.info))
        known = set(self.communities)
        cats = list(dict.fromkeys(self.categories))
        self.categories = cats
        # categories as the data spell them, by a space-insensitive key
        self._index_categories(profile)
        # regions: from the reference data (an area's region), else the profile's members
        members: dict[str, set[str]] = {}
        for n, i in self.info.items():
            if i.sector:
                members.setdefault(i.sector, set()).add(n)
        if profile.regions is not None:
            for region, areas in profile.regions.members.items():
                members.setdefault(region.upper(), set()).update(a.upper() for a in areas)
        self._region_members = {r: tuple(sorted(m)) for r, m in members.items()}
        self.sectors = sorted(self._region_members)
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
        self._word_index = {w: tuple(sorted(n)) for w, n in word_index.items()}
        # parts of slash names ("bridgeland"), unless they are an area of their own
        for name in self.communities:
            parts = [normalise(p) for p in name.split("/") if p.strip()]
            if len(parts) > 1:
                for p in parts:
                    if p not in vocab and len(word_index.get(p, ())) == 1:
                        vocab[p] = Place("community", name, (name,))
        for alias, group in self.aliases.items():
            present = tuple(m for m in group if m in known)
            if not present or alias in vocab:
                continue
            if len(present) == 1:
                vocab[alias] = Place("community", present[0], present)
            else:
                vocab[alias] = Place("group", alias.title(), present)
        for phrase, region in self.region_phrases().items():
            if region in self._region_members and phrase not in vocab:
                vocab[phrase] = self._region_place(region)
        plural = profile.area.plural.lower()
        for w in CITY_WORDS + (
            f"all {plural}",
            f"every {profile.area.singular.lower()}",
            *(normalise(c) for c in profile.city_words),
            normalise(profile.name),
        ):
            vocab.setdefault(w, CITY)
        self._vocab = vocab
        self._vocab_keys = list(vocab)
        # areas sharing a leading word ("forest" -> FOREST LAWN, FOREST HEIGHTS, ...)
        self._first_word: dict[str, list[str]] = {}
        for name in self.communities:
            first = normalise(name).split(" ")[0] if normalise(name) else ""
            self._first_word.setdefault(first, []).append(name)

    # --- words of this city -------------------------------------------------------------------
    @property
    def area_word(self) -> str:
        """``community``, ``neighborhood``, ``district`` ... (singular)."""
        return self.profile.area.singular

    @property
    def area_words(self) -> str:
        """The plural of :attr:`area_word`."""
        return self.profile.area.plural

    @property
    def region_word(self) -> str | None:
        """``sector``, ``NPU`` ... (None when the city has no regions)."""
        return self.profile.regions.word.singular if self.profile.regions else None

    @property
    def city_name(self) -> str:
        return self.profile.name

    @property
    def region_with_article(self) -> str:
        """``a sector``, ``an NPU`` (the article as the word is said)."""
        word = self.region_word or "region"
        said_with_vowel = word[0] in "aeiouAEIOU" or (word.isupper() and word[0] in "AEFHILMNORSX")
        return f"{'an' if said_with_vowel else 'a'} {word}"

    def region_phrases(self) -> dict[str, str]:
        """Normalised phrase -> region name: each region's label ("npu m", "northeast sector"),
        its name when at least three letters ("northeast"), and the profile's aliases ("ne")."""
        cached = self.__dict__.get("_region_phrases")
        if cached is not None:
            return cached
        regions = self.profile.regions
        if regions is None:
            return {}
        out: dict[str, str] = {}
        for region, phrases in regions.aliases.items():
            for p in phrases:
                out[normalise(p)] = region.upper()
        for region in set(self._region_members) | {r.upper() for r in regions.aliases}:
            out.setdefault(normalise(self.profile.region_label(region)), region)
            if len(region) >= 3:
                out.setdefault(normalise(region), region)
        self.__dict__["_region_phrases"] = out
        return out

    def _region_place(self, region: str) -> Place:
        return Place(
            "sector",
            self.profile.region_label(region),
            self._region_members.get(region, ()),
            region=region,
        )

    # --- places ---------------------------------------------------------------------------------
    def exact(self, text: str) -> Place | None:
        """The place whose normalised name (or alias) is exactly ``text``."""
        hit = self._vocab.get(text)  # already normalised (the parsers' n-grams): no work
        return hit if hit is not None else self._vocab.get(normalise(text))

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
        """Areas whose first word is ``word`` (for "forest" -> ask which)."""
        return sorted(self._first_word.get(normalise(word), []))

    def first_word_close(self, word: str) -> list[str]:
        """Areas whose first word is a close spelling of ``word`` ("forrest" -> FOREST ...).

        >>> Names(["FOREST LAWN", "CRANSTON"]).first_word_close("forrest")
        ['FOREST LAWN']
        """
        norm = normalise(word)
        if len(norm) < 5:
            return []
        hits = process.extract(
            norm, list(self._first_word), scorer=fuzz.ratio, score_cutoff=85, limit=5
        )
        return sorted(c for w, _, _ in hits for c in self._first_word[w])

    def containing(self, word: str) -> tuple[str, ...]:
        """Areas with ``word`` as a whole word of their name ("airport" -> CALGARY INTERNATIONAL
        AIRPORT).

        >>> Names(["CALGARY INTERNATIONAL AIRPORT", "BELTLINE"]).containing("airport")
        ('CALGARY INTERNATIONAL AIRPORT',)
        """
        return self._word_index.get(normalise(word), ())

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
        """Up to ``limit`` area names for an autocomplete box (best matches first)."""
        norm = normalise(prefix)
        if not norm:
            return list(self.communities[:limit])
        starts = [c for c in self.communities if normalise(c).startswith(norm)]
        contains = [c for c in self.communities if norm in normalise(c) and c not in starts]
        out = starts + contains
        if len(out) < limit:
            hits = process.extract(
                norm, [normalise(c) for c in self.communities], scorer=fuzz.WRatio, limit=limit
            )
            for _, score, idx in hits:
                name = self.communities[idx]
                if score >= 50 and name not in out:
                    out.append(name)
        return out[:limit]

    def sector(self, name: str) -> Place | None:
        """A region by name, label or alias ("northeast", "NE", "NPU M", "m")."""
        norm = normalise(name)
        region = self.region_phrases().get(norm)
        if region is None and norm.upper() in self._region_members:
            region = norm.upper()
        if region is None or region not in self._region_members:
            return None
        return self._region_place(region)

    region = sector

    def fallback_note(self, place: Place) -> str | None:
        """What to tell when a place holds incidents placed by a fallback column (the area blank,
        its region known), e.g. Atlanta's rows with no neighborhood counted by NPU."""
        hits = [
            c
            for c in (place.communities if place.kind != "city" else ())
            if self.profile.is_fallback_area(c)
        ]
        if not hits:
            return None
        return (
            f"Includes incidents with no {self.area_word} recorded, counted by their "
            f"{self.region_word or 'region'} as " + ", ".join(f"'{h}'" for h in hits[:3]) + "."
        )

    def region_choices(self) -> list[tuple[str, str]]:
        """``(label, name)`` of every region, for slash-command choices (at most 25)."""
        return [(self.profile.region_label(r), r) for r in self.sectors][:25]

    def population(self, communities: Iterable[str]) -> int | None:
        """Population of the areas (the profile's reference), or None if any is unknown."""
        total = 0
        for c in communities:
            info = self.info.get(c)
            if info is None or not info.population:
                return None
            total += info.population
        return total

    # --- help ----------------------------------------------------------------------------------------
