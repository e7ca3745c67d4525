"""Text -> one parsed :class:`~bot.language.question.Question`: what the words say, nothing more.

Pure (no Redis). Each part is read on its own: comparisons and periods first (character spans),
then measures, rankings and breakdowns, then the bot's own intents, categories and places. What
the words leave unsaid (past or future, which months "last month" is, defaults) is decided once,
later, by :func:`bot.language.resolve.resolve`. A word left over that would change the answer
gets a question back (:mod:`bot.language.clarify`), never a broader answer.
"""

from __future__ import annotations

import re

from . import measures as M
from .clarify import check_meaningful, check_unplaced
from .crimes import no_category_words, read_crimes
from .horizon import NUM_PATTERN, parse_horizon, word_number
from .names import Names, Place, normalise
from .parse import _blank_spans, _mask, _quote, checked, with_examples
from .periods import PAST_TENSE, YOY, find_periods
from .periods import Period as Spec
from .places import find_places, suggest
from .question import Clarify, Crime, Period, Question, QueryError, Ranking, Where
from .words import AUX, REVIEW, UPDOWN, detect_intent

_FUTURE = re.compile(
    r"\b(?:will|going to|gonna|forecast\w*|forcast|predict\w*|projection\w*|"
    r"project(?:ed)?|expect\w*|outlook|estimate[sd]?|anticipate[sd]?|upcoming|"
    r"should we|next)\b"
)
_COUNTED = re.compile(r"\b(?:reported|recorded|counted|actual|actually|logged)\b")
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
_CAT_NOUN = (
    r"(?:crime types?|crimes? categor(?:y|ies)|types? of (?:crimes?|offen[cs]es?|incidents?)|"
    r"kinds? of (?:crimes?|offen[cs]es?)|offen[cs]e types?|categor(?:y|ies)(?: of crimes?)?|"
    r"crimes?|offen[cs]es?|types?|kinds?)"
)
_CATEGORY_BY = re.compile(
    rf"\b(?:(?:by|per|each|every|breakdown by|broken down by|split by) {_CAT_NOUN}|"
    r"crime types|offen[cs]e types|types of crimes?|kinds of crimes?|categories(?: of crimes?)?|"
    r"(?:which|what) (?:crime type|type of crime|category|kind of crime|offen[cs]e type)|"
    r"(?:which|what) categories)\b"
)
_COMMON = re.compile(
    rf"\b(?:the )?(?:{NUM_PATTERN} )?(most|least) (?:common|frequent|prevalent) "
    rf"({_CAT_NOUN})\b|\b({_CAT_NOUN}) (?:was|were|is|are) (?:the )?(most|least) "
    r"(?:common|frequent|prevalent)\b"
)
_MONTH_BY = re.compile(
    r"\b(?:(?:by|per|each|every|a) month|month by month|monthly(?! average| avg)|"
    r"months)\b"
)
_YEAR_DASH = re.compile(r"\b((?:19|20)\d\d) ?[-\u2013] ?((?:19|20)\d\d)\b")
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
    "district",
    "districts",
)


def parse_question(text: str, names: Names) -> Question:
    """Parse a free-text question into a parsed (unresolved) :class:`Question`.

    >>> n = Names(["BELTLINE", "FOREST LAWN", "DOVER"], ["Theft OF Vehicle", "Street Robbery"])
    >>> q = parse_question("which 2 communities had the most car thefts in Q2 2023?", n)
    >>> q.what, q.by, q.ranking.n, q.when[0].spec.label, q.crime.categories
    ('count', 'area', 2, 'Q2 2023', ('Theft OF Vehicle',))
    """
    return with_examples(_read, text, names)


def _prepare(raw: str, names: Names) -> str:
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


def _read(raw: str, names: Names) -> Question:
    raw = raw or ""
    norm = _prepare(raw, names)
    spans: list[tuple[int, int]] = []

    def take(pattern: re.Pattern) -> bool:
        hits = M.find_all(pattern, _mask(norm, spans))
        spans.extend(hits)
        return bool(hits)

    compared = "forecast" if take(M.VS_FORECAST) else None
    yoy = YOY.search(_mask(norm, spans))
    if yoy:
        spans.append(yoy.span())
        compared = "year_before"
    seasons = names.profile.season_months if names.profile else None
    found = find_periods(_mask(norm, spans), seasons)
    specs = [s for s, _ in found]
    spans += [sp for _, sp in found]
    h, hspans = parse_horizon(_mask(norm, spans))
    if h is not None and h.kind in ("next", "this_month"):
        specs.append(
            Spec("next", h.label, n=h.n) if h.kind == "next" else Spec("this_month", "this month")
        )
        spans += hspans
    if yoy and yoy.group(0).endswith("last year") and [s.kind for s in specs] == ["this_year"]:
        specs.insert(0, Spec("last_year", "last year"))  # "this year against last year"
        compared = None
    if len(specs) > 2:
        raise Clarify(
            " / ".join(s.label for s in specs),
            message="I can compare two periods at "
            "a time; which two do you mean: " + ", ".join(s.label for s in specs) + "?",
            options=[s.label for s in specs],
        )
    accurate = take(M.ACCURACY)  # "how accurate", "bias": the accountability report
    review = bool(REVIEW.search(norm))  # "how did the forecast do": month by month
    accuracy = accurate or review
    peak, trough = take(M.PEAK), take(M.TROUGH)
    average = take(M.AVERAGE)
    if average:
        take(M.PER_MONTH)  # "average thefts per month": the average's own words
    common = _COMMON.search(_mask(norm, spans))
    rank = None
    if common:
        spans.append(common.span())
        g = common.groups()
        noun = (g[2] or g[3] or "").split()
        rank = M.RankRead(
            word_number(g[0]) if g[0] else None,
            "bottom" if "least" in (g[1], g[4]) else "top",
            single=bool(noun) and not noun[0].endswith("s") and not g[0],
        )
    by_category = take(_CATEGORY_BY) or bool(common)
    pct = take(M.PCT_CHANGE)
    listing = take(M.LIST)
    more, rspans = M.find_rank(_mask(norm, spans))
    if more is not None and not (listing and more.n is None):
        rank = more if rank is None else M.RankRead(rank.n or more.n, rank.order, rank.single)
        spans += rspans
    rate = take(M.RATE)
    change = take(M.CHANGE) or pct
    if not change and UPDOWN.search(_mask(norm, spans)) and AUX.search(norm):
        change = take(UPDOWN)  # "is crime up in marlborough"
    share = take(M.SHARE)
    listing = listing and rank is None
    by_month = take(_MONTH_BY) if (rank or not (peak or trough or average)) else False
    compare_words = bool(M.COMPARE.search(_mask(norm, spans)))
    chart = not re.search(r"\b(?:no chart|text only|without chart)\b", norm)
    tokens = _blank_spans(norm, spans).split()
    used = [t == "|" for t in tokens]

    by, single, noun = _by(tokens, used, names, by_category, by_month, bool(rank) or listing)
    single = single or bool(rank and rank.single)
    named = [
        i
        for i in range(len(tokens))
        if not used[i] and len(tokens[i]) <= 2 and _in_name(tokens, i, names)
    ]  # the "v" of "npu v" is no "versus"
    for i in named:
        used[i] = True
    intent = detect_intent(tokens, used, [(f"which {normalise(names.area_words)}", "top")])
    for i in named:
        used[i] = False
    cat_label, categories, cat_hits, cat_used = read_crimes(tokens, used, names)
    quiet = intent if intent in ("status", "help", "coverage", "unsubscribe") else None
    if quiet is None:
        check_meaningful(
            tokens, used, periods=len(specs), in_name=lambda i: _in_name(tokens, i, names)
        )
    places, _, ambiguous, unknown = find_places(tokens, used, names)
    no_category_words(tokens, used, cat_used, names)
    if len(places) > 1:
        places = [p for p in places if p.kind != "city"] or places[:1]
    if ambiguous:
        word, options = ambiguous[0]
        raise Clarify(
            word, message=f"Which '{_quote(word)}' do you mean? Name one.", options=options[:8]
        )
    if (
        unknown
        and not places
        and intent in (None, "compare", "forecast", "trend", "explain")
        and not (cat_hits or specs or rank or by or accuracy)
    ):
        if intent is None:  # no word of a question at all: help, with the city's examples
            raise QueryError(
                "I didn't understand that.",
                kind="junk",
                suggestions=suggest(names, unknown, strict=True),
            )
        raise QueryError(
            f"I couldn't find a {names.area_word} called '{_quote(' '.join(unknown))}'.",
            kind="unknown_place",
            suggestions=suggest(names, unknown, strict=not places),
        )
    if intent == "compare" and len(places) < 2 and not (cat_hits or len(specs) == 2):
        example = next((e for e in names.examples() if e.startswith("compare ")), "")
        raise QueryError(
            "Name two places to compare" + (f", e.g. `{example}`." if example else "."),
            kind="bad_option",
            suggestions=[p.label for p in places],
        )
    regions = names.region_phrases()
    if not names.sectors and any(w in regions for w in unknown):
        word = next(w for w in unknown if w in regions)
        raise QueryError(
            f"{names.region_word} names such as '{word}' are unknown until the "
            f"{names.area_word} reference data are loaded (an admin runs "
            "`crimecast reference load`).",
            kind="no_reference",
        )
    unplaced: list[str] = []
    if quiet is None:
        unplaced = check_unplaced(tokens, used, names, place_like=_place_like(raw, unknown))

    words = set(norm.split())
    tense = "past" if (words & PAST_TENSE or _COUNTED.search(norm)) else None
    if _FUTURE.search(norm) and tense is None:
        tense = "future"
    if rank is None and intent == "top":
        rank = M.RankRead(None, "top")
    what = _what(
        intent,
        accuracy=accuracy,
        listing=listing,
        peak=peak,
        trough=trough,
        share=share,
        average=average,
        change=change,
        rate=rate,
        rank=rank,
        by=by,
        two=len(specs) == 2,
        compared=compared,
        compare_words=compare_words,
        forecast_word=bool(
            re.search(
                r"\b(?:forecast\w*|forcast|predict\w*|outlook|"
                r"projection\w*|expect\w*|will)\b",
                norm,
            )
        ),
    )
    if (
        what is None
        and noun
        and places
        and not (cat_hits or specs or rank)
        and all(p.kind in ("group", "sector") for p in places)
    ):
        what = "list"  # "communities in the northeast"
    if what == "list":
        by = None
    if what == "trend" and by == "month":
        what = "count"  # "the monthly trend": a count by month
    if what is None:
        if not (places or cat_hits or specs or unknown or rank):
            raise QueryError("I didn't understand that.", kind="junk")
        what = "count"
    ranking = None
    if rank is not None and what not in (
        "peak",
        "trough",
        "list",
        "hot",
        "accuracy",
        "help",
        "status",
        "coverage",
        "subscribe",
        "unsubscribe",
    ):
        measure = {
            "rate": "rate",
            "change": "pct" if pct else "change",
            "share": "share",
            "average": "average",
            "forecast": "forecast",
        }.get(what, "count")
        order = M.change_order(norm) if what == "change" else rank.order
        n = M.rank_n(rank, single)
        ranking = Ranking(n=n, order=order, measure=measure, asked=rank.n is not None or single)
        by = by or ("month" if "months" in words else "area")
    if (
        len(specs) == 1
        and specs[0].unit.startswith("years")
        and not compared
        and (what == "change" or intent == "compare" or (what == "count" and compare_words))
    ):
        what = "change"
        a, b = specs[0].start[:4], specs[0].end[:4]  # "between 2021 and 2023": the two years
        specs = [Spec("year", a, year=int(a)), Spec("year", b, year=int(b))]
    if len(specs) == 2 and compared is None:
        compared = "period"
    if what == "change" and compared is None and specs:
        compared = "year_before"
    crime = Crime(tuple(categories), cat_label or "all crime")
    return Question(
        what,
        where=tuple(_where(p) for p in places),
        by=by,
        crime=crime,
        when=tuple(Period(label=s.label, spec=s) for s in specs),
        compared_with=compared,
        ranking=ranking,
        unplaced=tuple(unplaced),
        chart=chart,
        text=raw,
        tense=tense,
        review=what == "accuracy" and review and (not accurate or tense == "past" or bool(specs)),
    )


def _what(
    intent,
    *,
    accuracy,
    listing,
    peak,
    trough,
    share,
    average,
    change,
    rate,
    rank,
    by,
    two,
    compared,
    compare_words,
    forecast_word,
) -> str | None:
    """The one *what* the words name (the bot's intents first, then measures)."""
    if intent in ("subscribe", "unsubscribe"):
        return intent
    if accuracy:
        return "accuracy"
    if intent in ("coverage", "status", "hot"):
        return intent
    if listing:
        return "list"
    for hit, what in ((peak, "peak"), (trough, "trough"), (share, "share"), (average, "average")):
        if hit:
            return what
    if intent == "explain" and not two:
        return "explain"  # "why is beltline up": the resolver makes a past period a change
    if (
        change
        or (two and (compare_words or intent in (None, "compare", "trend")))
        or compared == "year_before"
    ):
        return "change"
    if rate:
        return "rate"
    if intent in ("explain", "trend"):
        return intent
    if intent == "help":
        return "help"
    if intent == "forecast" and forecast_word:
        return "forecast"
    return None


def _by(
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
        if _in_name(tokens, i, names):
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


def _year_range(m: re.Match) -> str:
    """ "2019-2021" is the years 2019 to 2021, except a season's "winter 2021-2022"."""
    before = m.string[: m.start()].split()[-1:] or [""]
    if before[0].lower() in ("winter", "summer", "spring", "fall", "autumn", "of"):
        return m.group(0)
    return f"{m.group(1)} to {m.group(2)}"


def _place_like(raw: str, unknown: list[str]) -> frozenset[str]:
    """Unknown words written as a name: capitalised after the first word ("Beltline and Gotham"),
    or right after "in" / "at" / "near"."""
    words = re.findall(r"[A-Za-z][\w'-]*", raw)
    out = set()
    for i, w in enumerate(words):
        low = normalise(w)
        if low in unknown and (
            (i and w[0].isupper()) or (i and words[i - 1].lower() in ("in", "at", "near"))
        ):
            out.add(low)
    return frozenset(out)


def _in_name(tokens: list[str], i: int, names: Names) -> bool:
    """Whether token ``i`` is part of a place's name ("north sector", "npu m")."""
    for a in range(max(0, i - 2), i + 1):
        for b in range(i + 1, min(len(tokens), i + 3) + 1):
            place = names.exact(" ".join(tokens[a:b]))
            if place is not None and place.kind != "city":
                return True
    return False


def _where(place: Place) -> Where:
    kind = {"community": "area", "sector": "region"}.get(place.kind, place.kind)
    return Where(kind, place.label, tuple(place.communities), place.region)
