"""The category half of a city's vocabulary: what people call its categories.

The profile's phrases and groups come first ("car theft", "break-ins", "violent crime"), then a
category's own name, then words derived from the category names (:mod:`core.crime_words`: "bikes
stolen" for "Theft of Bicycle"). A word that names no category resolves to nothing, never to a
neighbouring category. :class:`bot.language.names.Names` carries these methods.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from core.crime_words import derive, is_crime_word, is_modifier, lexicon_words
from core.profile import CityProfile

ALL = "*"

#: Phrases for every category at once, in any city.
ALL_CRIME = (
    "all crime",
    "all crimes",
    "crime",
    "crimes",
    "all categories",
    "incidents",
    "offences",
    "offenses",
    "total crime",
    "overall crime",
    "everything",
)

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

    >>> canonical_category_key("AGG\\xa0 ASSAULT") == canonical_category_key("agg assault")
    True
    """
    return normalise(name)


class CategoryNames:
    """Category resolution over ``self.categories`` (as the data spell them) and ``self.profile``."""

    categories: list[str]
    profile: CityProfile

    def _index_categories(self, profile: CityProfile) -> None:
        self._cat_by_key = {canonical_category_key(c): c for c in self.categories}
        self._phrases = self._category_phrases(profile)
        self.initialisms = self._add_initialisms(profile)
        self._category_words = sorted(
            {p for p in self._phrases if " " not in p and len(p) >= 5} | set(lexicon_words())
        )

    @staticmethod
    def _category_phrases(profile: CityProfile) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Normalised phrase -> (label, categories), from the profile (groups after categories)."""
        out: dict[str, tuple[str, tuple[str, ...]]] = {}
        for p in ALL_CRIME:
            out[p] = ("all crime", (ALL,))
        for c in profile.categories:
            label = c.label or " ".join(c.name.split())
            for p in (*c.phrases, c.label or ""):
                if normalise(p):
                    out.setdefault(normalise(p), (label, (c.name,)))
        for g in profile.groups:
            for p in (*g.phrases, g.label):
                if normalise(p):
                    out.setdefault(normalise(p), (g.label, tuple(g.members)))
        return out

    def _add_initialisms(self, profile: CityProfile) -> dict[str, str]:
        """Initials of the category names and labels ("tfv" for "Theft FROM Vehicle", "lfv" for
        "LARCENY-FROM VEHICLE"), plural too, added to the phrases: three letters or more, one
        category only, never a common word, a crime word or an area's name; not of a name with
        "and" in it ("Break & Enter - Dwelling" is "B&E dwelling", not "bed"). Returns initialism ->
        the name it stands for (the reply's "Read as" line)."""
        from .words import STOPWORDS  # words holds no names: imported here to keep names a leaf

        cats = list(self.categories) or list(profile.category_names)
        labels = {c.name: c.label for c in profile.categories}
        taken = {normalise(a) for a in getattr(self, "communities", ())}
        found: dict[str, set[str]] = {}
        spelled: dict[str, str] = {}
        for cat in cats:
            label = labels.get(cat) or labels.get(" ".join(cat.split()))
            for text in (cat, label or ""):
                words = normalise(text).split()
                initials = "".join(w[0] for w in words)
                if len(words) >= 3 and "and" not in words:  # "b and e" is said as such
                    found.setdefault(initials, set()).add(cat)
                    spelled.setdefault(initials, " ".join(cat.split()))
        out: dict[str, str] = {}
        for initials, members in found.items():
            if len(members) > 1 or initials in STOPWORDS or is_crime_word(initials):
                continue
            for form in (initials, initials + "s"):
                if form in taken or form in self._phrases or form in STOPWORDS:
                    continue
                cat = next(iter(members))
                label = labels.get(cat) or spelled[initials]
                self._phrases[form] = (label, (cat,))
                out[form] = spelled[initials]
        return out

    def _present(self, cats: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            self._cat_by_key[canonical_category_key(c)]
            for c in cats
            if canonical_category_key(c) in self._cat_by_key
        )

    def category_phrase(
        self, phrase: str, *, derived: bool = True
    ) -> tuple[str, tuple[str, ...]] | None:
        """(label, categories as the data spell them) for a phrase, or None.

        The profile's phrases first, then a category's own name, then words derived from the
        category names ("bikes stolen" for "Theft of Bicycle"). None when it names no category.

        >>> from bot.language.names import Names
        >>> Names([], ["Theft OF Vehicle"]).category_phrase("stolen cars")
        ('vehicle theft', ('Theft OF Vehicle',))
        """
        memo = self.__dict__.setdefault("_phrase_memo", {})
        key = (phrase, derived)
        if key not in memo:
            if len(memo) > 50_000:
                memo.clear()
            memo[key] = self._category_phrase(phrase, derived)
        return memo[key]

    def _category_phrase(self, phrase: str, derived: bool) -> tuple[str, tuple[str, ...]] | None:
        norm = normalise(phrase)
        if not norm:
            return None
        hit = self._phrases.get(norm)
        if hit is None and norm in self._cat_by_key:
            cat = self._cat_by_key[norm]
            return " ".join(cat.split()), (cat,)
        if hit is not None:
            label, cats = hit
            if cats == (ALL,):
                return label, ()
            present = self._present(cats)
            if present or not self.categories:
                return label, present or cats
        if not derived:
            return None
        found = derive(norm, self.categories or list(self.profile.category_names))
        if found is None:
            return None
        label, cats = found
        return " ".join(label.split()), cats

    def category_word(self, word: str) -> str | None:
        """A single mistyped category word ("assualts", "burglery") -> the word it stands for."""
        norm = normalise(word)
        if len(norm) < 6:
            return None
        hit = process.extractOne(norm, self._category_words, scorer=fuzz.ratio, score_cutoff=85)
        return hit[0] if hit else None

    @staticmethod
    def is_crime_word(word: str, *, modifier: bool = False) -> bool:
        """A word that names a kind of crime ("bikes", "arson"); with ``modifier``, also a word
        that narrows one ("residential")."""
        return is_crime_word(word) or (modifier and is_modifier(word))

    def category(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """Resolve a category option (exact name, phrase, derived words, or close spelling)."""
        hit = self.category_phrase(text)
        if hit is not None:
            return hit
        word = self.category_word(text)
        if word is not None:
            return self.category_phrase(word)
        norm = normalise(text)
        if self.is_crime_word(norm) or any(self.is_crime_word(w) for w in norm.split()):
            return None  # a crime word naming no category: never a close spelling of another
        keys = list(self._cat_by_key)
        best = process.extractOne(norm, keys, scorer=fuzz.WRatio, score_cutoff=80) if keys else None
        if best:
            cat = self._cat_by_key[best[0]]
            return " ".join(cat.split()), (cat,)
        return None

    def category_choices(self) -> list[str]:
        """Category names and the profile's group names, for an autocomplete box."""
        groups = [g.label for g in self.profile.groups]
        cats = list(self.categories) or list(self.profile.category_names)
        return cats + [g for g in groups if g not in cats]

    def categories_text(self) -> str:
        """The categories that exist here, in words (for "I have no category for that")."""
        cats = list(self.categories) or list(self.profile.category_names)
        text = ", ".join(" ".join(c.split()) for c in cats)
        if self.profile.groups:
            text += "; groups: " + ", ".join(g.label for g in self.profile.groups)
        return text
