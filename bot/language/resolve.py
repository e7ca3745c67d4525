"""The one resolve step: a parsed :class:`Question` + what the data are (:class:`DataFacts`) -> a
resolved question, ready to evaluate.

The only place that decides past vs future and fills what the words left unsaid: which months
"last month" / "Q2" / "last summer" are (against the newest complete month), a forecast for
months after the data, the default period of each measure, the year before a single period of a
change, the default and the cap of a ranking. Each reading it had to assume is recorded in
``assumptions`` (the reply says it). Pure: no Redis; the facts come from the frozen data state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol, runtime_checkable

from core.months import add_months, month_name, month_of

from .periods import Period as Spec
from .question import MAX_RANK, Clarify, Period, Question, QueryError
from .spans import PeriodError, months_label, resolve as resolve_months, resolve_days

#: what the bot says while no forecast has been written (the data state has none to serve)
NO_FORECASTS = (
    "No forecasts yet. Run `crimecast demo` (sample data, one command) or ingest data and "
    "run `crimecast train`; answers appear as soon as the workers have written forecasts."
)
_RELATIVE = {"recent", "ago", "this_year", "last_year", "latest", "qtd"}
_NO_PERIOD = ("help", "status", "coverage", "subscribe", "unsubscribe", "list", "explain")


@runtime_checkable
class DataFacts(Protocol):
    """What the resolver needs to know about the data (the frozen state provides it)."""

    newest: str  # newest complete month of the counts, YYYY-MM
    first: str  # first month of the counts
    forecast_through: str | None  # the served forecasts' data-through month (None: none served)
    max_horizon: int  # months ahead the forecasts reach
    day_level: bool  # the source has days (else months only)
    first_day: date | None
    last_day: date | None
    today: date
    has_regions: bool
    has_population: bool


@dataclass(frozen=True)
class Facts:
    """A plain :class:`DataFacts` (tests, the console, the engine's state)."""

    newest: str
    first: str
    forecast_through: str | None = None
    max_horizon: int = 24
    day_level: bool = False
    first_day: date | None = None
    last_day: date | None = None
    today: date = date(2000, 1, 1)
    has_regions: bool = True
    has_population: bool = True


def resolve(q: Question, facts: DataFacts) -> Question:
    """Decide tense and defaults once; raise :class:`QueryError` (or :class:`Clarify`) when the
    data cannot answer the question as asked.

    >>> from bot.language.periods import find_periods
    >>> f = Facts("2023-12", "2018-01", forecast_through="2024-06", today=date(2024, 1, 20))
    >>> spec = find_periods("last month")[0][0]
    >>> r = resolve(Question("count", when=(Period(label="last month", spec=spec),)), f)
    >>> r.what, r.when[0].start, r.assumptions[0]
    ('count', '2023-12', "Read 'last month' as December 2023, the newest complete month in the data.")
    >>> r = resolve(Question("count"), f); r.what, r.when[0].label
    ('forecast', 'January 2024')
    """
    if q.resolved:
        return q
    what, assumed, compared = q.what, list(q.assumptions), q.compared_with
    if what in _NO_PERIOD[:5]:
        return replace(q, resolved=True)
    specs = [p.spec for p in q.when if p.spec is not None]
    ahead = what == "forecast" or q.tense == "future"
    periods = [_period(s, facts, ahead, assumed) for s in specs]
    future = [p for p in periods if p.future]

    if what == "explain" and periods and not future:
        what = "change"
        assumed.append(
            "I explain forecasts; for a past period this is how it compares with a year earlier."
        )
    if what == "trend" and periods and not future and specs[0].kind != "this_year":
        what = "change"
    if what == "change" and q.tense == "future" and future and len(future) == len(periods):
        # "will it go up next month": its forecast ("is it up in March 2024" is refused below)
        what = "forecast"
        assumed.append(
            f"Whether it goes up is not known yet: this is the forecast for {future[-1].label}, "
            "a range to set against the latest counts."
        )
    if what in ("count", "forecast", "rate") and future:
        if len(future) != len(periods):
            raise QueryError(
                "One of those periods is in the data and the other is not yet: "
                "ask about each on its own.",
                kind="bad_option",
            )
        what = "rate" if what == "rate" else "forecast"  # a rate ahead: the forecast per 1,000
        if q.tense == "past":
            label = periods[-1].label
            assumed.append(
                f"You wrote in the past tense but named {label}: this is the forecast for {label}."
            )
    elif what == "forecast" and periods:
        what, compared = "count", compared or "forecast"
        assumed.append(
            f"{periods[-1].label} is in the past: these are the reported counts, "
            "set against the forecast made before it."
        )
    elif future and what not in ("hot",):
        raise QueryError(
            f"{future[0].label} is not in the data yet: the counts run "
            f"{month_name(facts.first)} – {month_name(facts.newest)}.",
            kind="out_of_range",
        )
    if not periods and what not in _NO_PERIOD and what not in ("accuracy", "hot"):
        periods = [_default(what, q, facts, assumed)]
        if periods[0].future and what != "rate":
            what = "forecast"
    if what == "forecast" or (what == "rate" and any(p.future for p in periods)):
        _check_horizon(periods, facts)
    if what == "change":
        periods, compared = _change_periods(periods, compared, facts)
    elif len(periods) == 2:
        periods = sorted(periods, key=lambda p: p.start)

    ranking = q.ranking
    if ranking is not None and ranking.n > MAX_RANK:
        assumed.append(f"Showing the {ranking.order} {MAX_RANK} (the most I list).")
        ranking = replace(ranking, n=MAX_RANK)
    if ranking is not None and what == "forecast" and ranking.measure == "count":
        ranking = replace(ranking, measure="forecast")
    if (what == "rate" or (ranking and ranking.measure == "rate")) and not facts.has_population:
        raise QueryError(
            "I have no population figures here, so no rates per 1,000 residents: "
            "ask for counts instead.",
            kind="no_population",
        )
    if (q.by == "region" or any(w.kind == "region" for w in q.where)) and not facts.has_regions:
        raise QueryError(
            "Regions are unknown until the reference data are loaded (an admin runs "
            "`crimecast reference load`).",
            kind="no_reference",
        )
    return replace(
        q,
        what=what,
        when=tuple(periods),
        compared_with=compared,
        ranking=ranking,
        assumptions=tuple(dict.fromkeys(assumed)),
        resolved=True,
    )


def _period(spec: Spec, facts: DataFacts, ahead: bool, assumed: list[str]) -> Period:
    """One named period as months (a future one flagged), noting any reading assumed."""
    newest = facts.newest
    if spec.kind in ("next", "this_month"):
        start = add_months(newest, 1)
        end = add_months(start, spec.n - 1)
        label = month_name(start) if start == end else months_label([start, end])
        return Period(start, end, label, relative=True, future=True, spec=spec)
    if spec.is_days:
        if not facts.day_level:
            raise Clarify(
                spec.label,
                reading="last month",
                options=["last month", "the last 3 months"],
                message=f"The counts here are by month, so I can't answer for "
                f"{spec.label}. Did you mean last month?",
            )
        try:
            span = resolve_days(spec, facts.today, facts.first_day, facts.last_day)
        except PeriodError as err:
            raise QueryError(str(err), kind="out_of_range") from err
        a, b = span.days
        return Period(
            month_of(a),
            month_of(b),
            span.label,
            a.isoformat(),
            b.isoformat(),
            relative=True,
            spec=spec,
        )
    try:
        span = resolve_months(spec, newest, facts.first, facts.today, ahead=ahead, data_year=True)
    except PeriodError as err:
        if err.future:
            return Period(
                err.future[0], err.future[-1], months_label(err.future), future=True, spec=spec
            )
        raise QueryError(str(err), kind="out_of_range") from err
    assumed.extend(span.notes)
    if spec.kind == "this_year":
        assumed.extend(_newest_year(newest))
    relative = spec.kind in _RELATIVE or (
        spec.kind in ("months_of_year", "since", "range") and spec.year is None and not spec.start
    )
    if relative and span.label != spec.label:
        why = (
            "the newest complete month in the data"
            if span.months == [newest]
            else "the most recent complete one in the data"
            if spec.kind == "months_of_year"
            else f"the data run through {month_name(newest)}"
        )
        assumed.append(f"Read '{spec.label}' as {span.label}, {why}.")
    return Period(span.months[0], span.months[-1], span.label, relative=relative, spec=spec)


def _default(what: str, q: Question, facts: DataFacts, assumed: list[str]) -> Period:
    """The period a measure is about when none was named."""
    newest = facts.newest
    if (what == "count" and q.tense != "past") or what == "forecast":
        start = add_months(newest, 1)
        assumed.append(f"No period named: the forecast for next month, {month_name(start)}.")
        return Period(start, start, month_name(start), relative=True, future=True)
    if what in ("average", "peak", "trough", "trend"):
        start = add_months(newest, -11)
        label = months_label([start, newest])
        assumed.append(f"No period named: the last 12 complete months, {label}.")
        return Period(start, newest, label, relative=True)
    if what == "change":
        start = f"{newest[:4]}-01"
        label = months_label([start, newest])
        assumed.append(
            f"No period named: {label} (this year so far) against the same months a year earlier."
        )
        assumed.extend(_newest_year(newest))
        return Period(start, newest, label, relative=True)
    assumed.append(f"No period named: {month_name(newest)}, the newest complete month in the data.")
    return Period(newest, newest, month_name(newest), relative=True)


def _newest_year(newest: str) -> list[str]:
    """Why "this year" is the newest month's year when the calendar has moved on (December)."""
    year = int(newest[:4])
    if add_months(newest, 1)[:4] == newest[:4]:
        return []
    return [f"No month of {year + 1} is complete in the data yet: this is {year}, the newest year."]


def _change_periods(
    periods: list[Period], compared: str | None, facts: DataFacts
) -> tuple[list[Period], str]:
    """A change compares two periods, the earlier first; one period is set against the same
    months a year earlier (``year_before``: the evaluator shifts it by 12 months)."""
    if len(periods) == 2:
        return sorted(periods, key=lambda p: p.start), compared or "period"
    if compared == "forecast":
        return periods, compared
    if add_months(periods[0].end, -12) < facts.first:
        raise QueryError(
            f"There is nothing to compare {periods[0].label} with: a year before it is before "
            f"the data (they start in {month_name(facts.first)}).",
            kind="nothing_to_compare",
        )
    return periods, "year_before"


def _check_horizon(periods: list[Period], facts: DataFacts) -> None:
    if facts.forecast_through is None or facts.max_horizon < 1:
        raise QueryError(NO_FORECASTS, kind="no_forecasts")
    for p in periods:
        ahead = (
            (int(p.end[:4]) - int(facts.newest[:4])) * 12 + int(p.end[5:]) - int(facts.newest[5:])
        )
        if ahead > facts.max_horizon:
            reach = month_name(add_months(facts.newest, facts.max_horizon))
            raise QueryError(
                f"{p.label} is not in the data yet and is beyond the forecasts: the forecasts "
                f"reach {reach} (I forecast at most {facts.max_horizon} months ahead).",
                kind="bad_option",
            )
