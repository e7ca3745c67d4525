"""Slash-command options -> a parsed :class:`~bot.language.question.Question` (the same value the
text parser makes, so slash and message questions share one resolve step and one pipeline).

Every name is re-validated against the vocabulary; a bad option is a :class:`QueryError` whose
message says what is allowed.
"""

from __future__ import annotations

from .crimes import option_crime
from .names import Names, normalise
from .parse import _quote, horizon_option
from .periods import Period as Spec
from .periods import find_periods
from .places import option_place
from .question import MAX_RANK, WHATS, Crime, Period, Question, QueryError, Ranking
from .understand import _where

#: Older command names -> (what, ranked): /top is a ranking of counts, /compare two places.
COMMANDS = {
    "top": ("count", True),
    "compare": ("count", False),
    "review": ("accuracy", False),
    "change": ("change", False),
}


def question_from_options(
    command: str,
    names: Names,
    *,
    community: str | None = None,
    other: str | None = None,
    category: str | None = None,
    period: str | None = None,
    horizon: str | None = None,
    n: int | None = None,
    sector: str | None = None,
    per_1000: bool = False,
    by: str | None = None,
    order: str = "top",
    chart: bool = True,
) -> Question:
    """Build a parsed question from structured options.

    >>> nm = Names(["BELTLINE", "DOVER"], ["Theft OF Vehicle"])
    >>> q = question_from_options("top", nm, category="car theft", n=3, period="Q2 2023")
    >>> q.what, q.by, q.ranking.n, q.when[0].label, q.crime.categories
    ('count', 'area', 3, 'Q2 2023', ('Theft OF Vehicle',))
    >>> question_from_options("forecast", nm, community="beltlin", horizon="3").when[0].label
    'next 3 months'
    """
    what, ranked = COMMANDS.get(command, (command, False))
    if what not in WHATS:
        raise QueryError(f"Unknown command '{_quote(command)}'.", kind="bad_option")
    places = []
    for value in (community, other):
        if value is None or not str(value).strip():
            continue
        places.append(option_place(names, value))
    if sector:
        place = names.sector(sector)
        if place is None:
            word = names.region_word or "region"
            raise QueryError(
                f"Unknown {word} '{_quote(sector)}'.",
                kind="bad_option",
                suggestions=list(names.sectors),
            )
        places.append(place)
    label, categories = option_crime(names, category)
    crime = Crime(categories, label)
    when = _when(period, horizon, names)
    if command == "compare" and len(places) < 2:
        raise QueryError("Name two places to compare.", kind="bad_option")
    if per_1000 and what in ("count", "forecast"):
        what = "rate"
    if by is not None and by not in ("area", "region", "category", "month"):
        raise QueryError(
            f"Unknown breakdown '{_quote(by)}': area, region, category or month.", kind="bad_option"
        )
    ranking = None
    if ranked or n is not None:
        k = 5 if n is None else n
        if not 1 <= k <= MAX_RANK:
            raise QueryError(f"N must be 1 to {MAX_RANK}.", kind="bad_option")
        measure = {"rate": "rate", "change": "change", "forecast": "forecast"}.get(what, "count")
        ranking = Ranking(k, "bottom" if order == "bottom" else "top", measure, asked=n is not None)
        by = by or "area"
    tense = "future" if (what == "forecast" or horizon) else None
    return Question(
        what,
        where=tuple(_where(p) for p in places),
        by=by,
        crime=crime,
        when=when,
        ranking=ranking,
        compared_with="period" if len(when) == 2 else None,
        chart=chart,
        text=f"/{command}",
        tense=tense,
        review=command == "review",
    )


def _when(period: str | None, horizon: str | None, names: Names) -> tuple[Period, ...]:
    out: list[Period] = []
    if period and str(period).strip():
        seasons = names.profile.season_months if names.profile else None
        found = find_periods(normalise(str(period)), seasons)
        if not found or len(found) > 2:
            raise QueryError(
                f"I don't understand the period '{_quote(period)}'. Use e.g. `last "
                "month`, `2023`, `Q2 2023`, `summer 2022`, `since March`.",
                kind="bad_option",
            )
        out += [Period(label=s.label, spec=s) for s, _ in found]
    if horizon and str(horizon).strip():
        h = horizon_option(horizon)
        if h.kind == "next":
            spec = Spec("next", h.label, n=h.n)
        elif h.kind == "this_month":
            spec = Spec("this_month", "this month")
        elif h.month:
            spec = Spec("month", h.month, h.month, h.month)
        else:
            spec = Spec(
                "months_of_year",
                h.label,
                month_number=h.month_number,
                end_number=h.month_number,
                unit="month",
            )
        out.append(Period(label=spec.label, spec=spec))
    return tuple(out)
