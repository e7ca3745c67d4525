"""A resolved question's shape in one word (:func:`intent_of`: which renderer or command words
it) and its ``--json`` ``query`` (:func:`asked`).

The question value (:class:`~bot.language.question.Question`) is the only reading of what was
asked; :func:`asked` restates a *resolved* one for the ``query`` key of ``--json`` (places as
:class:`~bot.language.names.Place`, the period as months already decided by the resolver, the
forecast months as a :class:`~bot.language.horizon.Horizon`). Nothing is read or decided again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.language.horizon import Horizon
from bot.language.names import CITY, Place
from bot.language.question import Period, Question, Where
from bot.language.spans import Span

#: whats answered by a command of their own (no evaluator)
OWN = ("status", "help", "subscribe", "unsubscribe")
#: whats whose evaluator's figures are worded as a report of their own (:mod:`bot.rendering.reports`)
REPORTED = ("trend", "hot", "coverage", "explain")


@dataclass(frozen=True)
class Asked:
    """A resolved question as ``--json``'s ``query`` shows it."""

    intent: str
    places: tuple[Place, ...] = ()
    categories: tuple[str, ...] = ()  # empty = every category
    category_label: str = "all crime"
    horizon: Horizon = field(default_factory=Horizon)
    top_n: int = 5
    per_1000: bool = False
    chart: bool = True
    period: Period | None = None  # the resolved period (months decided), None when none applies
    notes: tuple[str, ...] = ()
    text: str = ""

    @property
    def place(self) -> Place:
        """The first place asked about (the whole city when none was named)."""
        return self.places[0] if self.places else CITY

    def span(self) -> Span | None:
        """The resolved period as a :class:`Span` (months, or days on a day-level source)."""
        p = self.period
        if p is None:
            return None
        if p.first_day:
            a, b = date.fromisoformat(p.first_day), date.fromisoformat(p.last_day)
            return Span(p.label, days=(a, b))
        return Span(p.label, list(p.months))

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
        }


def intent_of(q: Question) -> str | None:
    """The renderer (:data:`bot.rendering.reports.REPORTS`) or command that words this resolved
    question, or None when its evaluator's result, in words, is the answer (new measures, two
    periods, breakdowns, other rankings).

    ``review`` is how the forecasts did, month by month ("how did last month's forecast do");
    ``accuracy`` the accountability report with accuracy on demand beside it; ``top`` a ranking of areas by count or forecast; ``compare`` several
    places' forecasts.
    """
    if q.what in OWN or q.what in REPORTED:
        return q.what
    if q.what == "accuracy":
        return "review" if q.review else "accuracy"
    if len(q.when) != 1 or q.what not in ("count", "forecast", "change", "rate"):
        return None
    future = q.when[0].future
    if q.ranking is not None:
        r = q.ranking
        one_area = len(q.where) == 1 and q.where[0].kind == "area"
        ok = (
            r.order == "top"
            and (future if one_area else q.by in (None, "area"))
            and (r.measure in ("count", "forecast") or (r.measure == "rate" and future))
        )
        return "top" if ok else None
    if q.by not in (None, "month"):
        return None
    if q.what == "change":
        return "change" if q.compared_with == "year_before" else None
    if q.what == "rate":
        return ("compare" if len(q.where) > 1 else "forecast") if future else None
    if q.what == "forecast":
        return "compare" if len(q.where) > 1 else "forecast"
    return "count" if q.compared_with in (None, "forecast") else None


def asked(q: Question, intent: str) -> Asked:
    """The resolved question ``q`` as ``--json``'s ``query`` shows it, for ``intent``."""
    p = q.period
    horizon = Horizon()
    if p is not None and p.future:
        if p.spec is not None and p.spec.kind == "this_month":
            horizon = Horizon("this_month", 1, label="this month")
        else:
            horizon = Horizon("span", p.n_months, month=p.start, label=p.label)
    rate = q.what == "rate" or (q.ranking is not None and q.ranking.measure == "rate")
    return Asked(
        intent,
        places=tuple(place_of(w) for w in q.where),
        categories=q.crime.categories,
        category_label=q.crime.label,
        horizon=horizon,
        top_n=q.ranking.n if q.ranking else 5,
        per_1000=rate,
        chart=q.chart,
        period=None if p is None or p.future else p,
        notes=q.notes,
        text=q.text,
    )


def place_of(w: Where) -> Place:
    """A question's place as a :class:`Place` (areas as ``community``, regions as ``sector``)."""
    if w.kind == "city":
        return CITY
    kind = {"area": "community", "region": "sector"}.get(w.kind, w.kind)
    return Place(kind, w.label, tuple(w.names), w.region)
