"""The query parser: what someone typed (or picked in a slash command) -> a :class:`Query`.

Pure: no Redis, no Discord, no torch. It needs only a :class:`bot.names.Names` vocabulary. Anything
it cannot resolve raises :class:`QueryError` whose message is a short help reply with the closest
suggestions: it is shown to the user as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .names import CITY, Names, Place, normalise

INTENTS = ("forecast", "top", "trend", "compare", "explain", "status", "help", "subscribe",
           "unsubscribe")
MAX_CHARS = 400
MAX_HORIZON = 24
MAX_TOP = 25

MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
          "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
          "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
          "sept": 9, "oct": 10, "nov": 11, "dec": 12}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple": 2,
                "couple": 2, "few": 3, "a few": 3, "fifteen": 15, "twenty": 20}
_NUM = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|couple|few)"



class QueryError(ValueError):
    """A question that could not be understood; ``str(err)`` is the reply to show.

    ``kind`` is one of ``empty``, ``too_long``, ``unknown_place``, ``ambiguous``, ``junk``,
    ``bad_option``; ``suggestions`` lists the closest names (may be empty).
    """

    def __init__(self, message: str, *, kind: str = "junk", suggestions: list[str] | None = None,
                 examples: list[str] | None = None):
        super().__init__(message)
        self.kind = kind
        self.suggestions = list(suggestions or [])
        self.examples = list(examples or [])  # the city's example questions (set by the parser)

    def reply(self) -> str:
        """The help text to show: the message, then suggestions and examples."""
        lines = [str(self)]
        if self.suggestions:
            lines.append("Did you mean: " + ", ".join(self.suggestions) + "?")
        if self.kind in ("empty", "junk", "too_long") and self.examples:
            lines.append("Try: " + " · ".join(f"`{e}`" for e in self.examples[:5]))
        return "\n".join(lines)


@dataclass(frozen=True)
class Horizon:
    """Which month(s) a question is about, before the data say which month is "next".

    ``kind``: ``next`` (the next ``n`` months after the newest complete month), ``named`` (a month
    by name: ``month`` ``YYYY-MM`` if the year was given, else ``month_number``), ``this_month``
    (the month in progress: month to date plus the rest).
    """

    kind: str = "next"
    n: int = 1
    month: str | None = None
    month_number: int | None = None
    label: str = "next month"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "n": self.n, "month": self.month,
                "month_number": self.month_number, "label": self.label}


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
    period: str | None = None  # trend: "this year"
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    text: str = ""

    @property
    def place(self) -> Place:
        """The first place asked about (the whole city when none was named)."""
        return self.places[0] if self.places else CITY

    def to_dict(self) -> dict:
        return {"intent": self.intent, "places": [p.to_dict() for p in self.places],
                "categories": list(self.categories), "category_label": self.category_label,
                "horizon": self.horizon.to_dict(), "top_n": self.top_n, "per_1000": self.per_1000,
                "period": self.period, "ignored": list(self.ignored), "notes": list(self.notes)}


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


# --- intents ------------------------------------------------------------------------------------
_INTENT_PHRASES: list[tuple[str, str]] = [
    ("unsubscribe", "unsubscribe"), ("stop alerts", "unsubscribe"), ("stop the alerts", "unsubscribe"),
    ("alerts off", "unsubscribe"), ("subscribe", "subscribe"), ("alerts on", "subscribe"),
    ("compare", "compare"), ("compared", "compare"), ("versus", "compare"), ("vs", "compare"),
    ("v", "compare"),
    ("what drives", "explain"), ("whats driving", "explain"), ("what is driving", "explain"),
    ("why", "explain"), ("explain", "explain"), ("drivers", "explain"), ("driving", "explain"),
    ("top", "top"), ("highest", "top"), ("hotspots", "top"), ("hotspot", "top"),
    ("hot spots", "top"), ("worst", "top"), ("rank", "top"), ("ranking", "top"),
    ("most", "top"), ("where will", "top"), ("which communities", "top"), ("busiest", "top"),
    ("trend", "trend"), ("trends", "trend"), ("trending", "trend"), ("history", "trend"),
    ("historical", "trend"), ("changed", "trend"), ("over time", "trend"), ("how has", "trend"),
    ("status", "status"), ("health", "status"), ("model version", "status"),
    ("data through", "status"), ("accuracy", "status"), ("how accurate", "status"),
    ("freshness", "status"), ("how fresh", "status"), ("version", "status"),
    ("forecast", "forecast"), ("forcast", "forecast"), ("forecasts", "forecast"),
    ("predict", "forecast"), ("prediction", "forecast"), ("projection", "forecast"),
    ("expect", "forecast"), ("expected", "forecast"), ("how many", "forecast"),
    ("outlook", "forecast"), ("estimate", "forecast"),
    ("help", "help"), ("commands", "help"), ("what can you do", "help"), ("usage", "help"),
]
_PRIORITY = ("unsubscribe", "subscribe", "compare", "top", "explain", "trend", "status",
             "forecast", "help")

STOPWORDS = set("""
a an the in for of on at to is are be will would what whats how many much there please thanks
thank me show give tell about and or with by from this that it its crimecast bot hey hi hello can
you i we our my do does did get has have been was were up down going communities community
neighbourhood neighborhood neighbourhoods area areas sector number count counts which where when
likely gonna look looking like pls plz chart graph plot figure map residents resident us could
should next month months year years so far than then any all some see just now currently current
currently expected going let lets know want need whats s t coming upcoming during over within
into our your am pm ok okay yes no also still again more less rise rising fall falling increase
increasing decrease decreasing high low level levels rate rates per capita thousand k quick
quickly same last previous compared vs versus v be being happen happening happens
""".split())


def _detect_intent(tokens: list[str], used: list[bool], area_words: str = "") -> str | None:
    found: set[str] = set()
    extra = [(f"which {area_words}", "top")] if area_words else []
    for phrase, intent in _INTENT_PHRASES + extra:
        words = phrase.split()
        for i in range(len(tokens) - len(words) + 1):
            if tokens[i:i + len(words)] == words and not any(used[i:i + len(words)]):
                if phrase == "v" and (i == 0 or i == len(tokens) - 1):
                    continue
                found.add(intent)
                for j in range(i, i + len(words)):
                    used[j] = True
    for intent in _PRIORITY:
        if intent in found:
            return intent
    return None


# --- horizons -----------------------------------------------------------------------------------
def _num(s: str) -> int:
    return int(s) if s.isdigit() else NUMBER_WORDS[s]


_H_NEXT_N = re.compile(rf"\b(?:the )?(?:next|coming|following) {_NUM} months?\b")
_H_NEXT_Q = re.compile(r"\b(?:the )?next (quarter|half year|year|six months)\b")
_H_NEXT = re.compile(r"\b(?:the )?(?:next|coming|following|upcoming) month\b")
_H_THIS = re.compile(r"\b(?:this|current) month\b|\bmonth to date\b|\bmtd\b|\brest of (?:the|this) month\b")
_H_ISO = re.compile(r"\b(20\d\d) (0?[1-9]|1[0-2])\b")
_H_NAMED = re.compile(r"\b(?:(in|for|during|of) )?(january|february|march|april|may|june|july|"
                      r"august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|"
                      r"sept|sep|oct|nov|dec)(?: (20\d\d))?\b")
_P_THIS_YEAR = re.compile(r"\b(?:this year|year to date|ytd|so far this year)\b")


def parse_horizon(text: str) -> tuple[Horizon | None, list[tuple[int, int]]]:
    """Find a horizon phrase in normalised text; returns it and the character spans it used.

    >>> parse_horizon("car thefts in the next 3 months")[0].n
    3
    >>> parse_horizon("beltline assaults in march")[0].month_number
    3
    >>> parse_horizon("forest lawn 2024 05")[0].month
    '2024-05'
    >>> parse_horizon("nothing here")[0] is None
    True
    """
    m = _H_NEXT_N.search(text)
    if m:
        n = _num(m.group(1))
        return Horizon("next", n, label=f"next {n} months" if n != 1 else "next month"), [m.span()]
    m = _H_NEXT_Q.search(text)
    if m:
        n = {"quarter": 3, "half year": 6, "year": 12, "six months": 6}[m.group(1)]
        return Horizon("next", n, label=f"next {n} months"), [m.span()]
    m = _H_NEXT.search(text)
    if m:
        return Horizon("next", 1, label="next month"), [m.span()]
    m = _H_THIS.search(text)
    if m:
        return Horizon("this_month", 1, label="this month"), [m.span()]
    m = _H_ISO.search(text)
    if m:
        month = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        return Horizon("named", 1, month=month, label=month), [m.span()]
    for m in _H_NAMED.finditer(text):
        prep, name, year = m.group(1), m.group(2), m.group(3)
        if name == "may" and not (prep or year):
            continue  # "may" is usually the verb
        number = MONTHS[name]
        if year:
            month = f"{year}-{number:02d}"
            return Horizon("named", 1, month=month, label=month), [m.span()]
        return Horizon("named", 1, month_number=number, label=name.title()), [m.span()]
    return None, []


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
    h, _ = parse_horizon(t if t.startswith(("next", "this", "in ")) or t[:1].isdigit() else "in " + t)
    if h is None:
        h, _ = parse_horizon("next " + t)
    if h is None:
        raise QueryError(f"I don't understand the horizon '{_quote(text)}'. Use e.g. `next month`, "
                         "`3` (next 3 months), `this month`, `March` or `2024-03`.", kind="bad_option")
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
    bot.query.QueryError: I have no category for 'bike'. Categories here: Theft OF Vehicle, Street Robbery; groups: break-ins, violent crime, robbery, vehicle crime, property crime
    """
    try:
        return _parse(text, names)
    except QueryError as err:
        if not err.examples:
            err.examples = names.examples()
        raise


def _parse(text: str, names: Names) -> Query:
    """Parse a free-text question.

    >>> n = Names(["BELTLINE", "FOREST LAWN"], ["Theft OF Vehicle", "Street Robbery"])
    >>> q = parse("how many car thefts in Forest Lawn in the next 3 months?", n)
    >>> q.intent, q.place.label, q.categories, q.horizon.n
    ('forecast', 'FOREST LAWN', ('Theft OF Vehicle',), 3)
    """
    raw = text or ""
    if len(raw) > MAX_CHARS * 4:
        raise QueryError(f"That message is too long ({len(raw)} characters). Ask one short "
                         "question at a time.", kind="too_long")
    cleaned = clean(raw)
    if len(cleaned) > MAX_CHARS:
        raise QueryError(f"That question is too long ({len(cleaned)} characters; the limit is "
                         f"{MAX_CHARS}). Ask one short question at a time.", kind="too_long")
    norm = normalise(cleaned)
    if not norm:
        raise QueryError(f"Ask me about crime forecasts for {names.city_name} {names.area_words}.",
                         kind="empty")

    notes: list[str] = []
    # horizon, rate, top N, chart and period phrases (character spans)
    horizon, spans = parse_horizon(norm)
    per_1000 = False
    for m in re.finditer(r"\bper (?:1 ?000|1k|one thousand|thousand|capita|person|head|resident)s?"
                         r"(?: (?:residents?|people|population|persons?))?\b|\brates?\b", norm):
        per_1000 = True
        spans.append(m.span())
    top_n = None
    m = re.search(rf"\btop {_NUM}\b", norm)
    if m:
        top_n = _num(m.group(1))
        spans.append((m.start(1), m.end(1)))
    period = None
    m = _P_THIS_YEAR.search(norm)
    if m:
        period = "this year"
        spans.append(m.span())
    chart = not re.search(r"\b(?:no chart|text only|without chart)\b", norm)
    work = _blank_spans(norm, spans)
    tokens = work.split()
    used = [t == "|" for t in tokens]

    intent = _detect_intent(tokens, used, normalise(names.area_words))
    area_words = {normalise(names.area_word), normalise(names.area_words)}
    for i, tok in enumerate(tokens):  # "neighborhood", "districts": the city's word for an area
        if tok in area_words and names.exact(tok) is None:
            used[i] = True

    # categories: longest synonym phrase first, then single mistyped words
    cat_label, categories = None, ()
    cat_hits: list[tuple[str, tuple[str, ...]]] = []
    cat_used = [False] * len(tokens)  # the tokens a category phrase took
    for n in range(5, 0, -1):  # longest first; at one length the profile's phrases, then derived
        for derived in (False, True):
            for i in range(len(tokens) - n + 1):
                if any(used[i:i + n]):
                    continue
                if derived and n > 1 and (tokens[i] in STOPWORDS or tokens[i + n - 1] in STOPWORDS):
                    continue
                hit = names.category_phrase(" ".join(tokens[i:i + n]), derived=derived)
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

    places, ignored, ambiguous, unknown = _find_places(tokens, used, names)
    _no_category_words(tokens, used, cat_used, names)
    if not names.sectors and names.region_word:
        phrases = names.region_phrases()
        region_words = [w for w in unknown if w in phrases]
        if region_words:
            raise QueryError(f"{names.region_word} names such as '{region_words[0]}' are unknown "
                             f"until the {names.area_word} reference data are loaded (an admin runs "
                             "`crimecast reference load`).", kind="no_reference")

    if intent is None:
        if places or cat_hits or horizon is not None:
            intent = "forecast"
        elif ambiguous:
            word, options = ambiguous[0]
            raise QueryError(f"Which '{_quote(word)}' do you mean? Name one.", kind="ambiguous",
                             suggestions=options[:8])
        else:
            raise QueryError("I didn't understand that.", kind="junk",
                             suggestions=_suggest(names, unknown, strict=True) if unknown else [])
    if intent == "help":
        return Query("help", text=raw)
    if intent in ("status", "unsubscribe"):
        return Query(intent, text=raw)

    if ambiguous and not places:
        word, options = ambiguous[0]
        raise QueryError(f"Which '{_quote(word)}' do you mean? Name one.", kind="ambiguous",
                         suggestions=options[:8])
    if unknown and not places and intent not in ("subscribe",):
        if intent == "top" or (intent in ("forecast", "trend") and cat_hits):
            ignored.extend(unknown)  # "top 5 for break-ins" needs no place: keep going
        else:
            raise QueryError(f"I couldn't find a {names.area_word} called "
                             f"'{_quote(' '.join(unknown))}'.",
                             kind="unknown_place", suggestions=_suggest(names, unknown))
    elif unknown:
        ignored.extend(unknown)
    if ambiguous and places:
        ignored.extend(w for w, _ in ambiguous)
    for p in places:
        if p.kind == "group":
            notes.append(f"'{p.label}' covers {len(p.communities)} {names.area_words} "
                         f"({', '.join(p.communities)}): answering for the group; name one to "
                         "narrow it.")

    if intent == "compare" and len(places) < 2:
        if len(places) == 1 and categories:
            pass  # "compare Beltline thefts" -> compare categories within the place
        else:
            example = next((e for e in names.examples() if e.startswith("compare ")), "")
            raise QueryError("Name two places to compare" + (f", e.g. `{example}`." if example else "."),
                             kind="bad_option", suggestions=[p.label for p in places])
    if top_n is not None and not 1 <= top_n <= MAX_TOP:
        notes.append(f"showing the top {MAX_TOP} (the most I list)")
        top_n = max(1, min(top_n, MAX_TOP))
    h = horizon or Horizon()
    if h.kind == "next" and h.n > MAX_HORIZON:
        raise QueryError(f"I forecast at most {MAX_HORIZON} months ahead.", kind="bad_option")
    if intent == "subscribe":
        return Query("subscribe", places=tuple(places), categories=categories,
                     category_label=cat_label or "all crime", text=raw, notes=tuple(notes))
    return Query(intent, places=tuple(places), categories=categories,
                 category_label=cat_label or "all crime", horizon=h, top_n=top_n or 5,
                 per_1000=per_1000, chart=chart, period=period, ignored=tuple(dict.fromkeys(ignored)),
                 notes=tuple(notes), text=raw)


def _no_category_words(tokens: list[str], used: list[bool], cat_used: list[bool],
                       names: Names) -> None:
    """A crime word left over ("bike" of "bike thefts" where no category is about bikes), or a
    narrowing word next to a category phrase ("residential" thefts), names no category: say so and
    list the categories, rather than answer for another one."""
    for i, tok in enumerate(tokens):
        if used[i] or tok in STOPWORDS:
            continue
        near = any(0 <= j < len(tokens) and cat_used[j] for j in (i - 1, i + 1))
        if names.is_crime_word(tok) or (near and names.is_crime_word(tok, modifier=True)):
            raise QueryError(f"I have no category for '{_quote(tok)}'. Categories here: "
                             f"{names.categories_text()}", kind="unknown_category",
                             suggestions=names.category_choices()[:8])


def _find_places(tokens: list[str], used: list[bool], names: Names):
    """Longest exact names first, then typo-tolerant phrases, then ambiguous first words."""
    places: list[tuple[int, Place]] = []

    def take(i: int, n: int, place: Place) -> None:
        for j in range(i, i + n):
            used[j] = True
        if place not in [p for _, p in places]:
            places.append((i, place))

    def candidates(n: int):
        for i in range(len(tokens) - n + 1):
            span = tokens[i:i + n]
            if any(used[i:i + n]):
                continue
            if n > 1 and (span[0] in STOPWORDS or span[-1] in STOPWORDS):
                continue
            if all(t in STOPWORDS for t in span) and names.exact(" ".join(span)) is None:
                continue
            yield i, " ".join(span)

    for n in range(5, 0, -1):
        for i, phrase in list(candidates(n)):
            if any(used[i:i + n]):
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
            if any(used[i:i + n]) or any(t in STOPWORDS for t in tokens[i:i + n]):
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
    unknown = [t for i, t in enumerate(tokens) if not used[i] and t not in STOPWORDS
               and not t.isdigit()]
    places.sort(key=lambda x: x[0])
    return [p for _, p in places], [], ambiguous, unknown


def _suggest(names: Names, words: list[str], strict: bool = False) -> list[str]:
    out: list[str] = []
    for text in [" ".join(words)] + list(words):
        for p in names.suggest(text, limit=5, min_score=85 if strict else 72):
            if p.label not in out:
                out.append(p.label)
    return out[:5]


def from_options(intent: str, names: Names, *, community: str | None = None,
                 other: str | None = None, category: str | None = None,
                 horizon: str | None = None, n: int | None = None, sector: str | None = None,
                 per_1000: bool = False, chart: bool = True) -> Query:
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
        place = names.community(value) or names.sector(value)
        if place is None:
            starts = names.prefix_matches(value)
            if len(starts) > 1:
                raise QueryError(f"Which '{_quote(value)}' do you mean?", kind="ambiguous",
                                 suggestions=starts[:8])
            raise QueryError(f"I couldn't find a {names.area_word} called '{_quote(value)}'.",
                             kind="unknown_place",
                             suggestions=[p.label for p in names.suggest(value)])
        if place.kind == "group":
            notes.append(f"'{place.label}' covers {len(place.communities)} {names.area_words} "
                         f"({', '.join(place.communities)}): answering for the group.")
        places.append(place)
    if sector:
        sec = names.sector(sector)
        if sec is None:
            word = names.region_word or "region"
            if not names.sectors:
                raise QueryError(f"{word[:1].upper()}{word[1:]}s are unknown until reference data "
                                 "are loaded (`crimecast reference load`).", kind="bad_option")
            raise QueryError(f"Unknown {word} '{_quote(sector)}'.", kind="bad_option",
                             suggestions=list(names.sectors))
        places.append(sec)
    cat_label, categories = "all crime", ()
    if category and str(category).strip():
        hit = names.category(category)
        if hit is None:
            raise QueryError(f"Unknown category '{_quote(category)}'. Categories here: "
                             f"{names.categories_text()}", kind="bad_option",
                             suggestions=names.category_choices()[:8])
        cat_label, categories = hit
    h = horizon_option(horizon)
    if intent == "compare" and len(places) < 2:
        raise QueryError("Name two places to compare.", kind="bad_option")
    if intent in ("forecast", "trend", "explain") and not places:
        places.append(CITY)
    top_n = 5 if n is None else n
    if not 1 <= top_n <= MAX_TOP:
        raise QueryError(f"N must be 1 to {MAX_TOP}.", kind="bad_option")
    return Query(intent, places=tuple(places), categories=tuple(categories),
                 category_label=cat_label, horizon=h, top_n=top_n, per_1000=per_1000,
                 chart=chart, notes=tuple(notes), text=f"/{intent}")


def with_places(query: Query, places: tuple[Place, ...]) -> Query:
    """A copy of ``query`` about other places."""
    return replace(query, places=places)
