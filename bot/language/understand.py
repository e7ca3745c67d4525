"""Text -> one parsed :class:`~bot.language.question.Question`: what the words say, nothing more.

Pure (no Redis). Each part is read on its own: comparisons and periods first (character spans),
then measures, rankings and breakdowns, then the bot's own intents, categories and places. What
the words leave unsaid (past or future, which months "last month" is, defaults) is decided once,
later, by :func:`bot.language.resolve.resolve`. A word left over that would change the answer
gets a question back (:mod:`bot.language.clarify`), never a broader answer.
"""

from __future__ import annotations

import re

from . import breakdown as B
from . import measures as M
from .breakdown import check_by_word, in_name, read_by
from .clarify import HARMLESS, check_meaningful, check_unplaced
from .comparisons import check_lone_comparison, check_norm, month_over_month
from .crimes import check_crime_words, no_category_words, read_crimes
from .events import check_events
from .horizon import parse_horizon, word_number
from .names import Names, Place, normalise
from .parse import _blank_spans, _mask, _quote, with_examples
from .prepare import prepare
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
_UP_TO = re.compile(
    r"\b(?:through|until|till|by|to|up to) the end of\b(?= (?:the |this |next )?\w)"
)
_COUNTED = re.compile(r"\b(?:reported|recorded|counted|actual|actually|logged)\b")


def parse_question(text: str, names: Names) -> Question:
    """Parse a free-text question into a parsed (unresolved) :class:`Question`.

    >>> n = Names(["BELTLINE", "FOREST LAWN", "DOVER"], ["Theft OF Vehicle", "Street Robbery"])
    >>> q = parse_question("which 2 communities had the most car thefts in Q2 2023?", n)
    >>> q.what, q.by, q.ranking.n, q.when[0].spec.label, q.crime.categories
    ('count', 'area', 2, 'Q2 2023', ('Theft OF Vehicle',))
    """
    return with_examples(_read, text, names)


def _read(raw: str, names: Names) -> Question:
    raw = raw or ""
    norm = prepare(raw, names)
    check_events(norm, names)  # "over thanksgiving": its month, asked back (counts are monthly)
    spans: list[tuple[int, int]] = []

    def take(pattern: re.Pattern) -> bool:
        hits = M.find_all(pattern, _mask(norm, spans))
        spans.extend(hits)
        return bool(hits)

    compared = "forecast" if take(M.VS_FORECAST) else None
    check_norm(_mask(norm, spans))
    take(_UP_TO)  # "through the end of next quarter": the period itself
    yoy = YOY.search(_mask(norm, spans))
    if yoy:
        spans.append(yoy.span())
        compared = "year_before"
    seasons = names.profile.season_months if names.profile else None
    absorbed: list[tuple[int, int]] = []
    found = find_periods(_mask(norm, spans), seasons, absorbed)
    if not yoy and compared is None:
        check_lone_comparison(_mask(norm, spans), found)
    specs = [s for s, _ in found]
    spans += [sp for _, sp in found] + absorbed
    specs, mom = month_over_month(_mask(norm, spans), specs, norm)
    spans += [mom] if mom else []
    h, hspans = parse_horizon(_mask(norm, spans))
    if h is not None and h.kind in ("next", "this_month"):
        specs.append(
            Spec("next", h.label, n=h.n) if h.kind == "next" else Spec("this_month", "this month")
        )
        spans += hspans
    if (
        yoy
        and yoy.group(0).endswith("last year")  # "against last year", not "vs ytd last year"
        and not any(w in yoy.group(0) for w in ("same", "ytd", "to date"))
        and [s.kind for s in specs] == ["this_year"]
    ):
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
    common = B.COMMON.search(_mask(norm, spans))
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
    ranked_cats = B.RANKED_CATEGORY.search(_mask(norm, spans))
    if ranked_cats:
        spans.append(ranked_cats.span("noun"))  # the noun only: "top 3" is the ranking's
    by_category = take(B.CATEGORY_BY) or bool(common) or bool(ranked_cats)
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
    by_month = take(B.MONTH_BY) if (rank or not (peak or trough or average)) else False
    compare_words = bool(M.COMPARE.search(_mask(norm, spans)))
    chart = not re.search(r"\b(?:no chart|text only|without chart)\b", norm)
    tokens = _blank_spans(norm, spans).split()
    used = [t == "|" for t in tokens]

    by, single, noun = read_by(tokens, used, names, by_category, by_month, bool(rank) or listing)
    single = single or bool(rank and rank.single)
    named = [
        i
        for i in range(len(tokens))
        if not used[i] and len(tokens[i]) <= 2 and in_name(tokens, i, names)
    ]  # the "v" of "npu v" is no "versus"
    for i in named:
        used[i] = True
    intent = detect_intent(tokens, used, [(f"which {normalise(names.area_words)}", "top")])
    for i in named:
        used[i] = False
    read_as: list[str] = []
    cat_label, categories, cat_hits, cat_used = read_crimes(tokens, used, names, read_as)
    quiet = intent if intent in ("status", "help", "coverage", "unsubscribe") else None
    if quiet is None:
        check_meaningful(
            tokens, used, periods=len(specs), in_name=lambda i: in_name(tokens, i, names)
        )
    places, notes, ambiguous, unknown = find_places(tokens, used, names)
    read_as += notes
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
        check_by_word(tokens, used, names, HARMLESS)
        check_crime_words(tokens, used, cat_used, names, named=bool(cat_hits), harmless=HARMLESS)
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
        and all(p.kind != "city" for p in places)
    ):
        what = "list"  # "communities in the northeast" (an alias of one area: that area)
    if what == "list":
        by = None
    if what == "trend" and by == "month":
        what = "count"  # "the monthly trend": a count by month
    if what is None:
        if not (places or cat_hits or specs or unknown or rank or by):
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
        every = rank.n is None and not single and by != "month" and M.RANK_ALL.search(norm)
        if every:  # "rank the sectors": every one of them (resolve caps it at MAX_RANK)
            n = max(1, _how_many(names, by or "area"))
        ranking = Ranking(
            n=n, order=order, measure=measure, asked=rank.n is not None or single or bool(every)
        )
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
        assumptions=tuple(read_as),
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


def _how_many(names: Names, by: str) -> int:
    """How many regions, categories or areas a ranking of every one of them lists."""
    if by == "region":
        return len(names.sectors)
    if by == "category":
        return len(names.categories) or len(names.profile.category_names)
    return len(names.communities)


#: Words a place follows ("robberies along 17 ave", "stolen cars out of beltline")
_PLACE_PREPS = frozenset("in at near around along throughout across within".split())


def _place_like(raw: str, unknown: list[str]) -> frozenset[str]:
    """Unknown words written as a name: capitalised after the first word ("Beltline and Gotham"),
    or right after a place preposition ("in", "near", "along", ...; the / a between: "near the
    airport")."""
    words = re.findall(r"[A-Za-z][\w'-]*", raw)
    out = set()
    for i, w in enumerate(words):
        low = normalise(w)
        before = [x.lower() for x in words[max(0, i - 2) : i]]
        if before[-1:] and before[-1] in ("the", "a") and len(before) == 2:
            before = before[:1]
        if low in unknown and (
            (i and w[0].isupper())
            or (before[-1:] and before[-1] in _PLACE_PREPS)
            or before[-2:] == ["out", "of"]
        ):
            out.add(low)
    return frozenset(out)


def _where(place: Place) -> Where:
    kind = {"community": "area", "sector": "region"}.get(place.kind, place.kind)
    return Where(kind, place.label, tuple(place.communities), place.region)
