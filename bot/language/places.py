"""Finding the places named in a question's words: exact names first (longest first), then typos,
then unique first words; what stays ambiguous or unknown is returned for the parser to ask about.
"""

from __future__ import annotations

from .breakdown import GEO_NOUNS
from .names import Names, Place
from .words import STOPWORDS


def find_places(tokens: list[str], used: list[bool], names: Names):
    """Longest exact names first, then typo-tolerant phrases, then ambiguous first words, then a
    word inside the names ("the airport": one area is read as it and said in the notes; several
    are asked about). Returns (places, notes, ambiguous, unknown)."""
    places: list[tuple[int, Place]] = []

    def take(i: int, n: int, place: Place) -> None:
        for j in range(i, i + n):
            used[j] = True
        if place not in [p for _, p in places]:
            places.append((i, place))

    def candidates(n: int):
        for i in range(len(tokens) - n + 1):
            span = tokens[i : i + n]
            if any(used[i : i + n]):
                continue
            if (
                n > 1
                and (span[0] in STOPWORDS or span[-1] in STOPWORDS)
                and names.exact(" ".join(span)) is None
            ):
                continue  # "the beltline area" is a name, "in beltline" is not
            if all(t in STOPWORDS for t in span) and names.exact(" ".join(span)) is None:
                continue
            yield i, " ".join(span)

    for n in range(5, 0, -1):
        for i, phrase in list(candidates(n)):
            if any(used[i : i + n]):
                continue
            place = names.exact(phrase)
            if place is not None and not (n == 1 and phrase in STOPWORDS and place.kind != "city"):
                take(i, n, place)
    ambiguous: list[tuple[str, list[str]]] = []
    for i, tok in enumerate(tokens):
        if used[i] or tok in STOPWORDS:
            continue
        starts = names.prefix_matches(tok)
        if len(starts) > 1:
            ambiguous.append((tok, starts))
            used[i] = True
    for n in range(3, 0, -1):
        for i, phrase in list(candidates(n)):
            if any(used[i : i + n]) or any(t in STOPWORDS for t in tokens[i : i + n]):
                continue
            hit = names.fuzzy(phrase)
            if hit is not None:
                take(i, n, hit[0])
    for i, tok in enumerate(tokens):  # a unique first word ("cranston" of "CRANSTON ...")
        if used[i] or tok in STOPWORDS or len(tok) < 4:
            continue
        starts = names.prefix_matches(tok) or names.first_word_close(tok)
        if len(starts) == 1:
            take(i, 1, Place("community", starts[0], (starts[0],)))
        elif len(starts) > 1:
            ambiguous.append((tok, starts))
            used[i] = True
    notes: list[str] = []
    for i, tok in enumerate(tokens):  # a word inside one area's name ("the airport")
        if used[i] or tok in STOPWORDS or tok in _NOT_PLACE or len(tok) < 4 or not tok.isalpha():
            continue
        if tok in GEO_NOUNS:
            continue  # "which district": a breakdown word, not UNIVERSITY DISTRICT
        if names.is_crime_word(tok, modifier=True):
            continue
        inside = names.containing(tok)
        if len(inside) == 1:
            take(i, 1, Place("community", inside[0], inside))
            notes.append(f"Read '{tok}' as {inside[0]}, the only {names.area_word} named so.")
        elif len(inside) > 1:
            ambiguous.append((tok, list(inside)))
            used[i] = True
    unknown = [
        t for i, t in enumerate(tokens) if not used[i] and t not in STOPWORDS and not t.isdigit()
    ]
    places.sort(key=lambda x: x[0])
    return [p for _, p in places], notes, ambiguous, unknown


def _not_place() -> frozenset[str]:
    from .clarify import HARMLESS, MEASURE_WORDS

    return HARMLESS | MEASURE_WORDS


_NOT_PLACE = _not_place()


def suggest(names: Names, words: list[str], strict: bool = False) -> list[str]:
    out: list[str] = []
    for text in [" ".join(words)] + list(words):
        for p in names.suggest(text, limit=5, min_score=85 if strict else 72):
            if p.label not in out:
                out.append(p.label)
    return out[:5]


def option_place(names: Names, value: str) -> Place:
    """The place a slash-command option names, or a :class:`QueryError` with suggestions."""
    from .question import QueryError

    place = names.community(value) or names.sector(value)
    if place is not None:
        return place
    shown = "".join(ch for ch in str(value) if ch not in "`*_~|<>@")[:40]
    starts = names.prefix_matches(value)
    if len(starts) > 1:
        raise QueryError(f"Which '{shown}' do you mean?", kind="ambiguous", suggestions=starts[:8])
    raise QueryError(
        f"I couldn't find a {names.area_word} called '{shown}'.",
        kind="unknown_place",
        suggestions=[p.label for p in names.suggest(value)],
    )
