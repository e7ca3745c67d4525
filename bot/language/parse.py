"""The older query parser: what someone typed (or picked in a slash command) -> a :class:`Query`.

Kept for the intent handlers until the engine answers :class:`~bot.language.question.Question`
values (issue 16): new code reads text with :func:`bot.language.read` (``understand`` parses,
``resolve`` alone decides past vs future). The tense overrides in :func:`_parse` below, and the
handlers' re-routing between count and forecast, go with this module and those handlers.
The chat-cleaning helpers here (:func:`clean`, :func:`horizon_option`) are shared by both.

Pure: no Redis, no Discord, no torch. It needs only a :class:`bot.language.names.Names` vocabulary. Anything
it cannot resolve raises :class:`QueryError` whose message is a short help reply with the closest
suggestions: it is shown to the user as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .horizon import NUM_PATTERN, Horizon, parse_horizon, word_number
from .words import AUX, REVIEW, UPDOWN, detect_intent
from .names import CITY, Names, Place, normalise
from .places import find_places, option_place, suggest
from .periods import MEANINGFUL, PAST_TENSE, YOY, Period, parse_period
from .crimes import no_category_words, option_crime, read_crimes
from .question import QueryError

INTENTS = (
    "forecast",
    "top",
    "trend",
    "compare",
    "explain",
    "count",
    "change",
    "hot",
    "review",
    "coverage",
    "status",
    "help",
    "subscribe",
    "unsubscribe",
    "accuracy",
)
MAX_CHARS = 400
MAX_HORIZON = 24
MAX_TOP = 25


@dataclass(frozen=True)
class Query:
    """A resolved question."""

    intent: str
    places: tuple[Place, ...] = ()
    categories: tuple[str, ...] = ()  # empty = every category
    category_label: str = "all crime"
    horizon: Horizon = field(default_factory=Horizon)
    top_n: int = 5
    per_1000: bool = False
    chart: bool = True
    period: Period | None = None  # a period named ("last month", "in 2022", "since June")
    yoy: bool = False  # "compared to last year"
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    text: str = ""

    @property
    def place(self) -> Place:
        """The first place asked about (the whole city when none was named)."""
        return self.places[0] if self.places else CITY

    def to_dict(self) -> dict:
        return {
            "intent": self.intent,
            "places": [p.to_dict() for p in self.places],
            "categories": list(self.categories),
            "category_label": self.category_label,
            "horizon": self.horizon.to_dict(),
            "top_n": self.top_n,
            "per_1000": self.per_1000,
            "period": self.period.to_dict() if self.period else None,
            "yoy": self.yoy,
            "ignored": list(self.ignored),
            "notes": list(self.notes),
        }


# --- cleaning ----------------------------------------------------------------------------------
_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b|@\w+", re.I)
_CODE = re.compile(r"`{1,3}(?:[a-z]+\n)?", re.I)
_MARKDOWN = re.compile(r"[*_~|>#]+")
_URL = re.compile(r"https?://\S+", re.I)


def clean(text: str) -> str:
    """Strip what chat adds around a question: mentions, code fences, markdown, links.

    >>> clean("<@123> **forecast** `Beltline` @everyone")
    'forecast Beltline'
    >>> clean("```\\ntrend forest lawn\\n```")
    'trend forest lawn'
    """
    t = _MENTION.sub(" ", text)
    t = _URL.sub(" ", t)
    t = _CODE.sub(" ", t)
    t = _MARKDOWN.sub(" ", t)
    return re.sub(r"\s+", " ", t).strip()


def horizon_option(text: str | None) -> Horizon:
    """A horizon typed in a slash-command option ("next month", "3", "2024-03", "March")."""
    if text is None or not str(text).strip():
        return Horizon()
    t = normalise(str(text))
    if t.isdigit():
        n = int(t)
        if not 1 <= n <= MAX_HORIZON:
            raise QueryError(f"Horizon must be 1 to {MAX_HORIZON} months.", kind="bad_option")
        return Horizon("next", n, label=f"next {n} months" if n > 1 else "next month")
    h, _ = parse_horizon(
        t if t.startswith(("next", "this", "in ")) or t[:1].isdigit() else "in " + t
    )
    if h is None:
        h, _ = parse_horizon("next " + t)
    if h is None:
        raise QueryError(
            f"I don't understand the horizon '{_quote(text)}'. Use e.g. `next month`, "
            "`3` (next 3 months), `this month`, `March` or `2024-03`.",
            kind="bad_option",
        )
    return h


# --- parsing ------------------------------------------------------------------------------------
def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = "\x00"
    # a blank splits n-grams: turn each blanked run into a barrier token
    out = re.sub("\x00+", " | ", "".join(chars))
    return re.sub(r"\s+", " ", out).strip()


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans blanked by spaces (positions kept, so later spans still apply)."""
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def _quote(text: str, limit: int = 40) -> str:
    """Echo a bit of user text safely (no pings, no markdown, short)."""
    t = clean(str(text))
    t = re.sub(r"[`*_~|<>@]", "", t)
    return t[:limit] + ("…" if len(t) > limit else "")


def parse(text: str, names: Names) -> Query:
    """Parse a free-text question; a :class:`QueryError` carries the city's example questions.

    >>> n = Names(["BELTLINE", "FOREST LAWN"], ["Theft OF Vehicle", "Street Robbery"])
    >>> parse("bike thefts in forest lawn", n)
    Traceback (most recent call last):
    ...
    bot.language.question.QueryError: I have no category for 'bike'. Categories here: Theft OF Vehicle, Street Robbery; groups: break-ins, violent crime, robbery, vehicle crime, property crime
    """
    return with_examples(_parse, text, names)


def with_examples(read, text: str, names: Names):
    """``read(text, names)``; a :class:`QueryError` it raises carries the city's examples."""
    try:
        return read(text, names)
    except QueryError as err:
        if not err.examples:
            err.examples = names.examples()
        raise


def checked(raw: str) -> str:
    """The question without chat noise, or a :class:`QueryError` when it is too long."""
    if len(raw) > MAX_CHARS * 4:
        raise QueryError(
            f"That message is too long ({len(raw)} characters). Ask one short question at a time.",
            kind="too_long",
        )
    cleaned = clean(raw)
    if len(cleaned) > MAX_CHARS:
        raise QueryError(
            f"That question is too long ({len(cleaned)} characters; the limit is "
            f"{MAX_CHARS}). Ask one short question at a time.",
            kind="too_long",
        )
    return cleaned


def _parse(text: str, names: Names) -> Query:
    """Parse a free-text question.

    >>> n = Names(["BELTLINE", "FOREST LAWN"], ["Theft OF Vehicle", "Street Robbery"])
    >>> q = parse("how many car thefts in Forest Lawn in the next 3 months?", n)
    >>> q.intent, q.place.label, q.categories, q.horizon.n
    ('forecast', 'FOREST LAWN', ('Theft OF Vehicle',), 3)
    """
    raw = text or ""
    norm = normalise(checked(raw))
    if not norm:
        raise QueryError(
            f"Ask me about crime forecasts for {names.city_name} {names.area_words}.", kind="empty"
        )

    notes: list[str] = []
    # year-over-year and period phrases first ("compared to last year", "from March to May 2023"),
    # then the forecast horizon in what is left, then rate, top N and chart (character spans)
    spans: list[tuple[int, int]] = []
    m = YOY.search(norm)
    yoy = m is not None
    if m:
        spans.append(m.span())
    period, pspans = parse_period(_mask(norm, spans))
    spans += pspans
    if period is not None and period.kind == "month":
        horizon: Horizon | None = Horizon("named", 1, month=period.start, label=period.start)
    else:
        horizon, hspans = parse_horizon(_mask(norm, spans))
        spans += hspans
    per_1000 = False
    for m in re.finditer(
        r"\bper (?:1 ?000|1k|one thousand|thousand|capita|person|head|resident)s?"
        r"(?: (?:residents?|people|population|persons?))?\b|\brates?\b",
        norm,
    ):
        per_1000 = True
        spans.append(m.span())
    top_n = None
    m = re.search(rf"\btop {NUM_PATTERN}\b", norm)
    if m:
        top_n = word_number(m.group(1))
        spans.append((m.start(1), m.end(1)))
    chart = not re.search(r"\b(?:no chart|text only|without chart)\b", norm)
    work = _blank_spans(norm, spans)
    tokens = work.split()
    used = [t == "|" for t in tokens]

    intent = detect_intent(tokens, used, [(f"which {normalise(names.area_words)}", "top")])
    area_words = {normalise(names.area_word), normalise(names.area_words)}
    for i, tok in enumerate(tokens):  # "neighborhood", "districts": the city's word for an area
        if tok in area_words and names.exact(tok) is None:
            used[i] = True
    past = any(t in PAST_TENSE for t in tokens)
    future = horizon is not None and horizon.kind in ("next", "this_month")
    if REVIEW.search(norm) and (
        intent in (None, "forecast", "status", "compare", "trend")
        or (intent == "accuracy" and (past or period is not None))
    ):  # "how accurate was May's"
        intent = "review"
    elif (
        intent in (None, "forecast", "trend", "compare")
        and not future
        and (yoy or (UPDOWN.search(_mask(norm, spans)) and AUX.search(norm)))
    ):
        if not (
            intent == "trend" and period is not None and period.kind == "this_year" and not yoy
        ):
            intent = "change"
    elif intent == "trend" and period is not None and period.kind != "this_year":
        intent = "change"  # "trend beltline since june": that period against a year earlier
    elif intent == "explain" and period is not None and not future:
        intent = "change"
        notes.append(
            "I explain forecasts; for a past period this is how it compares with a year earlier."
        )
    if intent in (None, "forecast") and not future:
        if period is None and horizon is not None and horizon.month_number and past:
            period = Period("month_of_year", horizon.label, month_number=horizon.month_number)
        if period is not None and period.kind != "month":
            intent = "count"
        elif period is None and horizon is None and past:
            intent = "count"
            period = Period("latest", "the newest complete month")
    elif past and future:
        notes.append(
            f"You wrote in the past tense but named {horizon.label}: this is the "
            f"forecast for {horizon.label}."
        )
    loose = sorted({t for t in tokens if t in MEANINGFUL})
    if loose:
        notes.append(
            "I didn't read " + ", ".join(f"'{w}'" for w in loose) + " as part of a "
            "period; the title says which period this answers."
        )

    cat_label, categories, cat_hits, cat_used = read_crimes(tokens, used, names)
    places, ignored, ambiguous, unknown = find_places(tokens, used, names)
    no_category_words(tokens, used, cat_used, names)
    if not names.sectors and names.region_word:
        phrases = names.region_phrases()
        region_words = [w for w in unknown if w in phrases]
        if region_words:
            raise QueryError(
                f"{names.region_word} names such as '{region_words[0]}' are unknown "
                f"until the {names.area_word} reference data are loaded (an admin runs "
                "`crimecast reference load`).",
                kind="no_reference",
            )

    if intent is None:
        if places or cat_hits or horizon is not None:
            intent = "forecast"
        elif ambiguous:
            word, options = ambiguous[0]
            raise QueryError(
                f"Which '{_quote(word)}' do you mean? Name one.",
                kind="ambiguous",
                suggestions=options[:8],
            )
        else:
            raise QueryError(
                "I didn't understand that.",
                kind="junk",
                suggestions=suggest(names, unknown, strict=True) if unknown else [],
            )
    if intent == "help":
        return Query("help", text=raw)
    if intent in ("status", "unsubscribe", "coverage"):
        return Query(intent, text=raw)

    if ambiguous and not places:
        word, options = ambiguous[0]
        raise QueryError(
            f"Which '{_quote(word)}' do you mean? Name one.",
            kind="ambiguous",
            suggestions=options[:8],
        )
    if unknown and not places and intent not in ("subscribe",):
        if intent in ("top", "hot", "review", "accuracy") or (
            intent in ("forecast", "trend", "count", "change") and cat_hits
        ):
            ignored.extend(unknown)  # "top 5 for break-ins" needs no place: keep going
        else:
            raise QueryError(
                f"I couldn't find a {names.area_word} called '{_quote(' '.join(unknown))}'.",
                kind="unknown_place",
                suggestions=suggest(names, unknown),
            )
    elif unknown:
        ignored.extend(unknown)
    if ambiguous and places:
        ignored.extend(w for w, _ in ambiguous)
    for p in places:
        if p.kind == "group":
            notes.append(
                f"'{p.label}' covers {len(p.communities)} {names.area_words} "
                f"({', '.join(p.communities)}): answering for the group; name one to "
                "narrow it."
            )

    if intent == "compare" and len(places) < 2:
        if len(places) == 1 and categories:
            pass  # "compare Beltline thefts" -> compare categories within the place
        else:
            example = next((e for e in names.examples() if e.startswith("compare ")), "")
            raise QueryError(
                "Name two places to compare" + (f", e.g. `{example}`." if example else "."),
                kind="bad_option",
                suggestions=[p.label for p in places],
            )
    if top_n is not None and not 1 <= top_n <= MAX_TOP:
        notes.append(f"showing the top {MAX_TOP} (the most I list)")
        top_n = max(1, min(top_n, MAX_TOP))
    h = horizon or Horizon()
    if h.kind == "next" and h.n > MAX_HORIZON:
        raise QueryError(f"I forecast at most {MAX_HORIZON} months ahead.", kind="bad_option")
    if intent == "subscribe":
        return Query(
            "subscribe",
            places=tuple(places),
            categories=categories,
            category_label=cat_label or "all crime",
            text=raw,
            notes=tuple(notes),
        )
    return Query(
        intent,
        places=tuple(places),
        categories=categories,
        category_label=cat_label or "all crime",
        horizon=h,
        top_n=top_n or 5,
        per_1000=per_1000,
        chart=chart,
        period=period,
        yoy=yoy,
        ignored=tuple(dict.fromkeys(ignored)),
        notes=tuple(notes),
        text=raw,
    )


def from_options(
    intent: str,
    names: Names,
    *,
    community: str | None = None,
    other: str | None = None,
    category: str | None = None,
    horizon: str | None = None,
    n: int | None = None,
    sector: str | None = None,
    per_1000: bool = False,
    chart: bool = True,
) -> Query:
    """Build a query from structured options (slash commands), re-validating every name.

    >>> n = Names(["BELTLINE"], ["Theft OF Vehicle"])
    >>> from_options("forecast", n, community="beltline", category="car theft").categories
    ('Theft OF Vehicle',)
    """
    if intent not in INTENTS:
        raise QueryError(f"Unknown command '{_quote(intent)}'.", kind="bad_option")
    places: list[Place] = []
    notes: list[str] = []
    for value in (community, other):
        if value is None or not str(value).strip():
            continue
        place = option_place(names, value)
        if place.kind == "group":
            notes.append(
                f"'{place.label}' covers {len(place.communities)} {names.area_words} "
                f"({', '.join(place.communities)}): answering for the group."
            )
        places.append(place)
    if sector:
        sec = names.sector(sector)
        if sec is None:
            word = names.region_word or "region"
            if not names.sectors:
                raise QueryError(
                    f"{word[:1].upper()}{word[1:]}s are unknown until reference data "
                    "are loaded (`crimecast reference load`).",
                    kind="bad_option",
                )
            raise QueryError(
                f"Unknown {word} '{_quote(sector)}'.",
                kind="bad_option",
                suggestions=list(names.sectors),
            )
        places.append(sec)
    cat_label, categories = option_crime(names, category)
    h = horizon_option(horizon)
    if intent == "compare" and len(places) < 2:
        raise QueryError("Name two places to compare.", kind="bad_option")
    if intent in ("forecast", "trend", "explain") and not places:
        places.append(CITY)
    top_n = 5 if n is None else n
    if not 1 <= top_n <= MAX_TOP:
        raise QueryError(f"N must be 1 to {MAX_TOP}.", kind="bad_option")
    return Query(
        intent,
        places=tuple(places),
        categories=tuple(categories),
        category_label=cat_label,
        horizon=h,
        top_n=top_n,
        per_1000=per_1000,
        chart=chart,
        notes=tuple(notes),
        text=f"/{intent}",
    )


def with_places(query: Query, places: tuple[Place, ...]) -> Query:
    """A copy of ``query`` about other places."""
    return replace(query, places=places)
