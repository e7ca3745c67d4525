"""Which crime a question is about: the city's category phrases in its words (longest first),
then single mistyped words; a crime word that names no category is an error, never a neighbour.
"""

from __future__ import annotations

from .names import Names
from .question import QueryError
from .words import STOPWORDS


def read_crimes(tokens: list[str], used: list[bool], names: Names):
    """``(label | None, categories, hits, cat_used)``: the categories named (marking ``used``).

    >>> n = Names(["BELTLINE"], ["Theft OF Vehicle", "Street Robbery"])
    >>> toks = "car thefts in beltline".split(); used = [False] * 4
    >>> read_crimes(toks, used, n)[:2], used
    (('vehicle theft', ('Theft OF Vehicle',)), [True, True, False, False])
    """
    cat_label, categories = None, ()
    cat_hits: list[tuple[str, tuple[str, ...]]] = []
    cat_used = [False] * len(tokens)  # the tokens a category phrase took
    for n in range(5, 0, -1):  # longest first; at one length the profile's phrases, then derived
        for derived in (False, True):
            for i in range(len(tokens) - n + 1):
                if any(used[i : i + n]):
                    continue
                if derived and n > 1 and (tokens[i] in STOPWORDS or tokens[i + n - 1] in STOPWORDS):
                    continue
                hit = names.category_phrase(" ".join(tokens[i : i + n]), derived=derived)
                if hit is not None:
                    cat_hits.append(hit)
                    for j in range(i, i + n):
                        used[j] = cat_used[j] = True
    for i, tok in enumerate(tokens):
        if not used[i] and tok not in STOPWORDS and names.exact(tok) is None:
            word = names.category_word(tok)
            if word is not None:
                hit = names.category_phrase(word)
                if hit is not None:
                    cat_hits.append(hit)
                    used[i] = cat_used[i] = True
    if cat_hits:
        if any(not c for _, c in cat_hits):  # "all crime" with something else: the specific wins
            specific = [(lbl, c) for lbl, c in cat_hits if c]
            cat_hits = specific or cat_hits[:1]
        labels, cats = [], []
        for lbl, c in cat_hits:
            labels.append(lbl)
            cats.extend(x for x in c if x not in cats)
        cat_label, categories = " + ".join(dict.fromkeys(labels)), tuple(cats)
    return cat_label, categories, cat_hits, cat_used


def _quote(text: str, limit: int = 40) -> str:
    t = "".join(ch for ch in str(text) if ch not in "`*_~|<>@")
    return t[:limit] + ("…" if len(t) > limit else "")


def no_category_words(
    tokens: list[str], used: list[bool], cat_used: list[bool], names: Names
) -> None:
    """A crime word left over ("bike" of "bike thefts" where no category is about bikes), or a
    narrowing word next to a category phrase ("residential" thefts), names no category: say so and
    list the categories, rather than answer for another one."""
    for i, tok in enumerate(tokens):
        if used[i] or tok in STOPWORDS:
            continue
        near = any(0 <= j < len(tokens) and cat_used[j] for j in (i - 1, i + 1))
        if names.is_crime_word(tok) or (near and names.is_crime_word(tok, modifier=True)):
            raise QueryError(
                f"I have no category for '{_quote(tok)}'. Categories here: "
                f"{names.categories_text()}",
                kind="unknown_category",
                suggestions=names.category_choices()[:8],
            )


def option_crime(names: Names, category: str | None) -> tuple[str, tuple[str, ...]]:
    """(label, categories) a slash-command option names ("all crime" when empty), or an error."""
    if not category or not str(category).strip():
        return "all crime", ()
    hit = names.category(category)
    if hit is None:
        raise QueryError(
            f"Unknown category '{_quote(category)}'. Categories here: {names.categories_text()}",
            kind="bad_option",
            suggestions=names.category_choices()[:8],
        )
    return hit[0], tuple(hit[1])
