"""The question value: what an officer asked, as one immutable value whose parts vary independently.

The reader (:mod:`bot.language.understand`) fills what the words say; the resolver
(:mod:`bot.language.resolve`) fills what they leave unsaid against the data (tense, periods as
months, defaults) and records each reading it had to assume. Evaluators answer only resolved
questions. The lists of *what*, *by*, *compared with* and ranking measures exist here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

#: What is asked. Measures over the counts first, then the forecast, then the bot's own intents.
WHATS = (
    "count",
    "forecast",
    "rate",
    "change",
    "share",
    "average",
    "peak",
    "trough",
    "accuracy",
    "list",
    "trend",
    "hot",
    "coverage",
    "status",
    "help",
    "subscribe",
    "unsubscribe",
    "explain",
)
#: Measures: a number per place x crime x period (what a ranking can rank by).
MEASURES = ("count", "forecast", "rate", "change", "pct", "share", "average", "accuracy")
WHERE_KINDS = ("area", "group", "region", "city")
BYS = ("area", "region", "category", "month")
COMPARED = ("period", "year_before", "forecast")
ORDERS = ("top", "bottom")
#: A ranking lists at most this many rows; the reply says so when more were asked.
MAX_RANK = 25
DEFAULT_RANK = 5


class QueryError(ValueError):
    """A question that could not be understood; ``str(err)`` is the reply to show.

    ``kind`` is one of ``empty``, ``too_long``, ``unknown_place``, ``ambiguous``, ``junk``,
    ``bad_option``, ``unknown_category``, ``no_reference``, ``clarify``; ``suggestions`` lists
    the closest names (may be empty).
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "junk",
        suggestions: list[str] | None = None,
        examples: list[str] | None = None,
    ):
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


class Clarify(QueryError):
    """A question back: a word that would change the answer could not be placed.

    ``word`` is the word, ``reading`` the reading the bot would take, ``options`` the nearest
    known words. Shown as intent ``clarify`` with ``ok: false``; never answered more broadly.

    >>> c = Clarify("fortnight", reading="the last 2 weeks", options=["last 2 weeks"])
    >>> c.kind, c.reply().splitlines()[0]
    ('clarify', "I can't place 'fortnight'. Did you mean the last 2 weeks?")
    """

    def __init__(
        self, word: str, *, reading: str = "", options: list[str] | None = None, message: str = ""
    ):
        msg = message or (
            f"I can't place '{word}'." + (f" Did you mean {reading}?" if reading else "")
        )
        super().__init__(msg, kind="clarify", suggestions=options)
        self.word = word
        self.reading = reading

    def to_dict(self) -> dict:
        return {"word": self.word, "reading": self.reading, "options": list(self.suggestions)}


@dataclass(frozen=True)
class Period:
    """Months ``start``..``end`` (``YYYY-MM``, inclusive), with day bounds for day-level sources.

    Before resolving, ``start``/``end`` may be empty and ``spec`` holds the words' reading
    (:class:`bot.language.periods.PeriodSpec`); after, ``spec`` stays for the record.
    ``relative`` is true when the words were relative to the data ("last month", "this year").

    >>> p = Period("2023-04", "2023-06", "Q2 2023")
    >>> p.months, p.n_months, p.to_dict()["label"]
    (('2023-04', '2023-05', '2023-06'), 3, 'Q2 2023')
    """

    start: str = ""
    end: str = ""
    label: str = ""
    first_day: str | None = None  # YYYY-MM-DD, day-level sources only
    last_day: str | None = None
    relative: bool = False
    future: bool = False
    spec: Any = field(default=None, compare=False)

    @property
    def resolved(self) -> bool:
        return bool(self.start and self.end)

    @cached_property
    def months(self) -> tuple[str, ...]:
        """Every ``YYYY-MM`` from start to end (worked out once: a ranking asks for each group)."""
        if not self.resolved:
            return ()
        y, m = map(int, self.start.split("-"))
        ey, em = map(int, self.end.split("-"))
        out = []
        while (y, m) <= (ey, em):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    @property
    def n_months(self) -> int:
        return len(self.months)

    def to_dict(self) -> dict:
        d = {"start": self.start or None, "end": self.end or None, "label": self.label}
        if self.first_day:
            d.update(first_day=self.first_day, last_day=self.last_day)
        return d


@dataclass(frozen=True)
class Where:
    """A place: one ``area``, a named ``group``, a ``region`` (sector/NPU/district) or the ``city``.

    ``names`` are the canonical areas it covers (empty for the city = every area); ``region`` is
    the region's own name for a region.
    """

    kind: str
    label: str
    names: tuple[str, ...] = ()
    region: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.label, "names": list(self.names)}


CITY = Where("city", "City-wide")


@dataclass(frozen=True)
class Crime:
    """Categories (empty = every category) and how the asker named them."""

    categories: tuple[str, ...] = ()
    label: str = "all crime"

    def to_dict(self) -> dict:
        return {"categories": list(self.categories), "label": self.label}


ALL_CRIME = Crime()


@dataclass(frozen=True)
class Ranking:
    """Top or bottom ``n`` by a measure; ``asked`` is false when ``n`` is the default."""

    n: int = DEFAULT_RANK
    order: str = "top"
    measure: str = "count"
    asked: bool = False

    def to_dict(self) -> dict:
        return {"n": self.n, "order": self.order, "measure": self.measure}


@dataclass(frozen=True)
class Question:
    """One question. Parsed: what the words say; resolved (``resolved``): ready to evaluate.

    ``when`` holds 0, 1 or 2 periods; with two, the first is the earlier (the previous) and the
    second the later (the value). ``assumptions`` are the readings the resolver assumed (said in
    the reply); ``unplaced`` the words the parser left out because they change nothing.

    >>> q = Question("count", where=(Where("area", "BELTLINE", ("BELTLINE",)),),
    ...              when=(Period("2023-01", "2023-12", "2023"),))
    >>> d = q.to_dict(); d["what"], d["where"], d["when"][0]["end"], d["ranking"]
    ('count', [{'kind': 'area', 'name': 'BELTLINE', 'names': ['BELTLINE']}], '2023-12', None)
    """

    what: str
    where: tuple[Where, ...] = ()
    by: str | None = None
    crime: Crime = ALL_CRIME
    when: tuple[Period, ...] = ()
    compared_with: str | None = None
    ranking: Ranking | None = None
    assumptions: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    chart: bool = True
    text: str = ""
    tense: str | None = None  # parsed: "past" / "future" when the words say; the resolver decides
    review: bool = False  # accuracy asked of the forecasts ("how did it do"): month by month
    resolved: bool = False

    def __post_init__(self):
        if self.what not in WHATS:
            raise ValueError(f"unknown what {self.what!r}")
        if self.by is not None and self.by not in BYS:
            raise ValueError(f"unknown by {self.by!r}")
        if self.compared_with is not None and self.compared_with not in COMPARED:
            raise ValueError(f"unknown compared_with {self.compared_with!r}")
        if len(self.when) > 2:
            raise ValueError("at most two periods")

    @property
    def place(self) -> Where:
        """The first place asked about (the city when none was named)."""
        return self.where[0] if self.where else CITY

    @property
    def period(self) -> Period | None:
        """The (later) period the value is for."""
        return self.when[-1] if self.when else None

    @property
    def previous(self) -> Period | None:
        """The earlier period of two."""
        return self.when[0] if len(self.when) == 2 else None

    def to_dict(self) -> dict:
        """The ``question`` key of the ``--json`` answer contract."""
        return {
            "what": self.what,
            "where": [w.to_dict() for w in self.where],
            "by": self.by,
            "crime": self.crime.to_dict(),
            "when": [p.to_dict() for p in self.when],
            "compared_with": self.compared_with,
            "ranking": self.ranking.to_dict() if self.ranking else None,
        }
