"""Which crime a question is about: the city's category phrases in its words (longest first),
then single mistyped words; a crime word that names no category is an error, never a neighbour.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from core.crime_words import broader

from .names import Names
from .question import Clarify, QueryError
from .words import STOPWORDS

_SUFFIX = re.compile(r"(?:ings|ing|ers|er|es|s|ed)$")
#: Words that may sit inside a crime phrase ("smash and grab", "theft from vehicle").
_INNER = frozenset({"and", "from", "of", "in", "on", "to", "the", "a", "at", "by", "with"})


def stem(word: str) -> str:
    """A crude stem for matching slang forms of a known phrase: "prowls" / "prowling" -> "prowl".

    >>> [stem(w) for w in ("prowls", "prowling", "grabs", "bus", "thefts")]
    ['prowl', 'prowl', 'grab', 'bus', 'theft']
    """
    cut = _SUFFIX.sub("", word)
    return cut if len(cut) >= 3 else word


def _stem_index(names: Names) -> dict[str, str]:
    """Stemmed multi-word phrase -> the profile's phrase (built once per vocabulary)."""
    index = names.__dict__.get("_stem_index")
    if index is None:
        index = {}
        for phrase in names._phrases:
            if " " in phrase:
                index.setdefault(" ".join(map(stem, phrase.split())), phrase)
        names.__dict__["_stem_index"] = index
    return index


def _near_phrase(window: str, names: Names) -> str | None:
    """The profile's phrase a multi-word window is a form of: same stems ("car prowls" for "car
    prowling"), or one close spelling (ratio >= 90: "vehical break ins")."""
    key = " ".join(map(stem, window.split()))
    hit = _stem_index(names).get(key)
    if hit is not None:
        return hit
    n = window.count(" ") + 1
    same = [p for p in names._phrases if p.count(" ") + 1 == n]
    best = process.extractOne(window, same, scorer=fuzz.ratio, score_cutoff=90)
    return best[0] if best else None


def read_crimes(
    tokens: list[str], used: list[bool], names: Names, read_as: list[str] | None = None
):
    """``(label | None, categories, hits, cat_used)``: the categories named (marking ``used``).

    A form of a known phrase ("car prowls" for "car prowling", "smash and grabs") is read as it
    and said in ``read_as`` (the reply's "Read as" lines).

    >>> n = Names(["BELTLINE"], ["Theft OF Vehicle", "Street Robbery"])
    >>> toks = "car thefts in beltline".split(); used = [False] * 4
    >>> read_crimes(toks, used, n)[:2], used
    (('vehicle theft', ('Theft OF Vehicle',)), [True, True, False, False])
    """
    cat_label, categories = None, ()
    cat_hits: list[tuple[str, tuple[str, ...]]] = []
    cat_used = [False] * len(tokens)  # the tokens a category phrase took
    read_as = [] if read_as is None else read_as
    for n in range(5, 0, -1):  # longest first; at one length the profile's phrases, then derived,
        for mode in ("profile", "derived", "near"):  # then forms of a known phrase
            if mode == "near" and n == 1:
                continue
            for i in range(len(tokens) - n + 1):
                span = tokens[i : i + n]
                if any(used[i : i + n]):
                    continue
                text = " ".join(span)
                edge = span[0] in STOPWORDS or span[-1] in STOPWORDS
                if mode != "profile" and n > 1 and edge and not names.is_crime_word(text):
                    continue  # "cars broken into" is a phrase of its own
                if mode == "near":
                    if any(not t.isalpha() or names.exact(t) for t in span if t not in _INNER):
                        continue
                    phrase = _near_phrase(text, names)
                    hit = names.category_phrase(phrase) if phrase else None
                    if hit is None or not hit[1]:
                        continue
                    read_as.append(f"Read '{text}' as {hit[0]} ('{phrase}').")
                else:
                    hit = names.category_phrase(text, derived=mode == "derived")
                    if hit is not None and text in names.initialisms:
                        read_as.append(f"Read '{text}' as {names.initialisms[text]}.")
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
            plain = broader(tok)  # "aggs" where assaults are not counted by kind: asked back
            hit = names.category_phrase(plain) if plain else None
            if hit is not None and hit[1]:
                raise Clarify(
                    tok,
                    reading=hit[0],
                    options=[hit[0]],
                    message=f"'{_quote(tok)}' are not counted apart here. Did you mean "
                    f"{hit[0]} (all of them)? Categories here: {names.categories_text()}",
                )
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


#: Words after which a run of unknown words is in the crime slot ("how many porch pirates").
_SLOT_BEFORE = frozenset("many number of total count".split())
#: ... and before which, first in the question ("porch pirates in beltline this year").
_SLOT_AFTER = frozenset(
    "in at near around across along throughout within out downtown citywide during since this last".split()
)
#: Words that sit beside a crime without naming one ("assaults projected", "car thefts peak").
_NOT_CRIME = frozenset(
    """peak peaks peaking ballpark rough estimate estimates estimation outlook projection
    projections prediction predictions forecast forecasts expect expecting anticipate happen
    happens happening occur occurs occurring trend trends trending look looks looking total
    totals tally figure figures numbers stats statistics count counts level levels volume
    activity overall combined citywide picture situation scene story problem problems issue
    issues rundown snapshot update updates summary numbers""".split()
)


def check_crime_words(
    tokens: list[str],
    used: list[bool],
    cat_used: list[bool],
    names: Names,
    *,
    named: bool,
    harmless: frozenset[str] = frozenset(),
) -> None:
    """Clarify, never broaden: unknown words where a crime is named ("prowls" beside "car", or
    "porch pirates" after "how many" when no crime was named) get a question back naming the
    nearest categories and groups, rather than an answer for all crime or a wider category."""
    runs: list[list[int]] = []
    for i, tok in enumerate(tokens):
        loose = not used[i] and tok not in STOPWORDS and tok not in harmless and tok.isalpha()
        if loose and len(tok) >= 3 and tok not in _NOT_CRIME and not tok.endswith(("ed", "ly")):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    merged: list[list[int]] = []
    for run in runs:  # "hit and runs": one phrase across an inner word
        if merged and run[0] - merged[-1][-1] == 2 and tokens[run[0] - 1] in _INNER:
            merged[-1] += run
        else:
            merged.append(run)
    for run in merged:
        a, b = run[0], run[-1]
        beside = (a > 0 and cat_used[a - 1]) or (b + 1 < len(tokens) and cat_used[b + 1])
        after = tokens[b + 1] if b + 1 < len(tokens) else ""
        slot = not named and (
            (a > 0 and tokens[a - 1] in _SLOT_BEFORE) or (a == 0 and after in _SLOT_AFTER)
        )
        if beside or slot:
            word = " ".join(tokens[a : b + 1])
            raise Clarify(
                word,
                options=nearest_crimes(word, names),
                message=f"I don't know the crime word '{_quote(word)}'. Which of these do you "
                f"mean: {', '.join(nearest_crimes(word, names))}? Categories here: "
                f"{names.categories_text()}",
            )


def nearest_crimes(text: str, names: Names, limit: int = 4) -> list[str]:
    """The category and group labels whose phrases are nearest ``text`` (best first)."""
    out: list[str] = []
    for phrase, _, _ in process.extract(text, list(names._phrases), scorer=fuzz.WRatio, limit=12):
        hit = names.category_phrase(phrase)
        if hit is not None and hit[1] and hit[0] not in out:
            out.append(hit[0])
    return out[:limit]
