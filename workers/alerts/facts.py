"""The week's facts, computed once for the whole city as they stood on the alert's day.

Every channel's alert is a view of one :class:`WeekFacts`: the running-hot test is one family of
every forecast series of the city, so a series is flagged the same way in every channel, and it is
computed once per weekly run, not once per subscription.

"As of DAY" means what would have been known that day: no record dated after DAY counts (the
watermark is the newest day on or before DAY with a count, so the data age is never negative), and
no forecast made after DAY is used (a set resting on data through month M was made after M ended;
older sets come from :class:`stream.forecast_archive.ForecastArchive`).

The source decides what can be said (:meth:`stream.store.CountStore.resolution`): a source that
publishes whole months has no week and no month to date, so the alert leads with the newest
complete month against the forecast made before it; a day-level source keeps the week and the month
to date.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

import numpy as np
import redis

from core.months import add_months, month_end, month_name, month_of, month_range, month_start
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.keys import Keys
from stream.store import CountStore

from .alert import iso_week
from .hot import HotTest, flag_month
from .subscriptions import AlertError

__all__ = ["Forecasts", "STALE_DAYS", "WeekFacts", "forecasts_as_of", "parse_as_of", "running_hot"]

STALE_DAYS = 14  # day-level data older than two weeks at alert time is called stale
STALE_MONTHS = 2  # a monthly source whose newest complete month is older than this is stale

Series = tuple[str, str]


def parse_as_of(as_of: date | str | None) -> date:
    """The alert's day: a date, an ISO string, or None for today (UTC)."""
    if as_of is None:
        return datetime.now(timezone.utc).date()
    if isinstance(as_of, date):
        return as_of
    try:
        return date.fromisoformat(str(as_of))
    except ValueError as exc:
        raise AlertError(f"as-of must be a date YYYY-MM-DD, not {as_of!r}") from exc


@dataclass
class Forecasts:
    """The forecast set in effect on a day, the set before it, and where they came from."""

    current: dict[Series, CachedForecast]
    previous: dict[Series, CachedForecast]
    data_through: str | None
    origin: str  # "served", "archive" or "none"
    meta: dict[str, str]

    def for_month(self, archive: ForecastArchive, month: str) -> dict[Series, CachedForecast]:
        """Each series' forecast for ``month`` from the newest set made before ``month``: the
        archive's, else the set in effect when it covers ``month``."""
        found = {s: f for s, (f, _) in archive.forecasts_for(month).items()}
        if found:
            return found
        if self.data_through is not None and self.data_through < month:
            return {s: f for s, f in self.current.items() if month in f.months}
        return {}


def forecasts_as_of(client: redis.Redis, keys: Keys, as_of: date) -> Forecasts:
    """The newest forecast set made before ``as_of`` (data through a month before as-of's month):
    the served set when it qualifies, else the newest archived one."""
    cache = ForecastCache(client, keys)
    archive = ForecastArchive(client, keys)
    meta = cache.meta()
    served_through = meta.get("data_through") or None
    this_month = month_of(as_of)
    archived = archive.made_before(this_month)
    if (
        served_through
        and served_through < this_month
        and (archived is None or served_through >= archived)
    ):
        older = archive.made_before(served_through)
        previous = archive.read(older) if older else cache.previous_all()
        return Forecasts(cache.read_all(), previous, served_through, "served", meta)
    if archived is not None:
        older = archive.made_before(archived)
        return Forecasts(
            archive.read(archived), archive.read(older) if older else {}, archived, "archive", {}
        )
    return Forecasts({}, {}, None, "none", meta if served_through else {})


def _newest_complete(watermark: date | None, as_of: date) -> str | None:
    """The newest month whose every day is on or before both the watermark and the day before
    ``as_of`` (a month the data covers to its end).

    >>> _newest_complete(date(2023, 12, 31), date(2024, 1, 22))
    '2023-12'
    >>> _newest_complete(date(2024, 1, 20), date(2024, 1, 22))
    '2023-12'
    """
    if watermark is None:
        return None
    last = min(watermark, as_of - timedelta(days=1))
    month = month_of(last)
    return month if last == month_end(month) else add_months(month, -1)


def _hot_window(week_end: date, covered: set[str]) -> tuple[str, date, date]:
    """``(month, first day, last day)`` a day-level source's running-hot test covers: the month to
    date, or, when fewer than seven days of the month have passed, the whole month just ended if
    it is forecast.

    >>> _hot_window(date(2023, 6, 18), set())
    ('2023-06', datetime.date(2023, 6, 1), datetime.date(2023, 6, 18))
    >>> _hot_window(date(2023, 7, 2), {"2023-06"})
    ('2023-06', datetime.date(2023, 6, 1), datetime.date(2023, 6, 30))
    """
    if week_end.day < 7:
        prev = add_months(month_of(week_end), -1)
        if prev in covered:
            return prev, month_start(prev), month_end(prev)
    return month_of(week_end), week_end.replace(day=1), week_end


def _health(
    meta: Mapping[str, str], model: str | None, watermark: date | None, as_of: date
) -> dict:
    """Model health from the served forecast meta (recent MAE of the served model against the
    baselines); figures not given are ``None`` (shown as unknown, never invented).

    >>> _health({"model": "ens@2", "health": '{"mae": {"model": 1.2, "ses": 1.3}, "months": 6}'},
    ...         None, date(2023, 12, 31), date(2024, 1, 1))
    {'model': 'ens@2', 'mae': {'model': 1.2, 'snaive': None, 'ses': 1.3}, 'months': 6, 'data_age_days': 1}
    """
    mae: dict[str, float | None] = {"model": None, "snaive": None, "ses": None}
    months = 0
    try:
        health = json.loads(meta.get("health") or "null")
    except ValueError:
        health = None
    if isinstance(health, dict):
        months = int(_number(health.get("months")) or 0)
        given = health.get("mae") if isinstance(health.get("mae"), dict) else health
        for name in mae:
            mae[name] = _number(given.get(name, given.get(f"mae_{name}")))
    for name in mae:
        if mae[name] is None:
            mae[name] = _number(meta.get(f"mae_{name}"))
    age = (as_of - watermark).days if watermark is not None else None
    return {
        "model": meta.get("model") or model or "none",
        "mae": mae,
        "months": months,
        "data_age_days": age,
    }


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _target_month(forecasts: Mapping[Series, CachedForecast], after: str) -> str | None:
    """The month after ``after`` when forecast, else the first forecast month after it, else the
    earliest forecast month."""
    months = sorted({m for f in forecasts.values() for m in f.months})
    if not months:
        return None
    nxt = add_months(after, 1)
    later = [m for m in months if m > after]
    return nxt if nxt in months else (later[0] if later else months[0])


@dataclass
class _Plan:
    """What the source's resolution lets the alert say: staleness, the running-hot test's window,
    the week's counts (day-level only), the month "highest forecast" ranks, and notes."""

    stale: bool
    month: str | None
    first: date | None
    last: date | None
    week_counts: dict[Series, int]
    target: str | None
    lead: list[str]
    notes: list[str]


def _monthly_plan(newest: str | None, as_of: date, fc: Forecasts, week_end: date) -> _Plan:
    """A monthly source: the newest complete month, tested whole; no week, no month to date."""
    if newest is None:
        return _Plan(
            True, None, None, None, {}, _target_month(fc.current, month_of(week_end)), [], []
        )
    gap = month_range(add_months(newest, 1), month_of(as_of))
    stale = len(gap) > STALE_MONTHS
    missing = (
        month_name(gap[0]) if len(gap) == 1 else f"{month_name(gap[0])} to {month_name(gap[-1])}"
    )
    lead = [
        f"The source publishes whole months: {missing} {'has' if len(gap) == 1 else 'have'} no "
        f"data yet, so this alert covers {month_name(newest)}, the newest complete month. There "
        f"are no week or month-to-date figures."
    ]
    notes = (
        [
            f"The newest complete month is {month_name(newest)}: the source is {len(gap)} months "
            f"behind."
        ]
        if stale
        else []
    )
    return _Plan(
        stale,
        newest,
        month_start(newest),
        month_end(newest),
        {},
        add_months(newest, 1),
        lead,
        notes,
    )


def _daily_plan(
    store: CountStore, archive: ForecastArchive, fc: Forecasts, watermark: date | None, as_of: date
) -> _Plan:
    """A day-level source: the week just ended and the month to date."""
    week_end, week_start = as_of - timedelta(days=1), as_of - timedelta(days=7)
    notes = []
    age = (as_of - watermark).days if watermark is not None else None
    stale = watermark is None or age > STALE_DAYS
    if watermark is not None and stale:
        notes.append(
            f"Data run only to {watermark.isoformat()} ({age} days before this alert): "
            f"recent weeks are incomplete."
        )
    covered = {m for f in fc.current.values() for m in f.months}
    prev = add_months(month_of(week_end), -1)
    if archive.made_before(prev) is not None:
        covered.add(prev)
    month, first, last = _hot_window(week_end, covered)
    if month != month_of(week_end):
        notes.append(
            f"Only {week_end.day} day(s) of {month_of(week_end)} have passed, so the "
            f"running-hot test covers all of {month}."
        )
    return _Plan(
        stale,
        month,
        first,
        last,
        store.day_counts(week_start, week_end),
        _target_month(fc.current, month_of(week_end)),
        [],
        notes,
    )


@dataclass
class WeekFacts:
    """Everything the city's weekly alerts say, before any channel's scope is applied."""

    as_of: date
    week_start: date
    week_end: date
    resolution: str | None  # "day", "month" or None (no data)
    watermark: date | None
    stale: bool
    synthetic: bool
    forecasts: Forecasts
    health: dict
    hot: HotTest | None  # the running-hot test (month to date, or the newest complete month)
    last_month: str | None  # newest complete month
    last_month_forecasts: dict[Series, CachedForecast]  # made before last_month
    last_month_counts: dict[Series, int]
    week_counts: dict[Series, int]  # day-level sources only
    target: str | None  # the month "highest forecast" ranks
    notes: list[str] = field(default_factory=list)
    level: float = 0.1
    method: str = "bh"

    @property
    def monthly(self) -> bool:
        return self.resolution == "month"

    @property
    def iso_week(self) -> str:
        return iso_week(self.week_end)

    @classmethod
    def compute(
        cls,
        client: redis.Redis,
        keys: Keys,
        as_of: date | str | None = None,
        *,
        level: float = 0.1,
        method: str = "bh",
    ) -> "WeekFacts":
        """The facts as of ``as_of`` (default today, UTC); ``level`` is the false-discovery rate,
        ``method`` ``"bh"`` (Benjamini-Hochberg) or ``"heyse"`` (discrete-aware)."""
        as_of = parse_as_of(as_of)
        week_end, week_start = as_of - timedelta(days=1), as_of - timedelta(days=7)
        store = CountStore(client, keys)
        archive = ForecastArchive(client, keys)
        notes: list[str] = []
        watermark = store.last_day(as_of)
        resolution = store.resolution(as_of)
        fc = forecasts_as_of(client, keys, as_of)
        newest = _newest_complete(watermark, as_of)
        if fc.origin == "none":
            if fc.meta:
                notes.append(
                    f"The served forecasts rest on data through {fc.meta['data_through']}, "
                    f"after {as_of}, and no forecast made before {as_of} is archived: "
                    f"nothing is compared with a forecast."
                )
            else:
                notes.append("No forecasts yet: run `crimecast train` (or `crimecast demo`).")
        if watermark is None:
            notes.append("No incident data has been counted yet.")
        if as_of >= datetime.now(timezone.utc).date() - timedelta(days=1):  # not a replay
            from ..feed import quiet_note
            from ..settings import Settings

            quiet = quiet_note(client, keys, Settings())
            if quiet:
                notes.append(quiet)

        plan = (
            _monthly_plan(newest, as_of, fc, week_end)
            if resolution == "month"
            else _daily_plan(store, archive, fc, watermark, as_of)
        )
        notes = plan.lead + notes + plan.notes
        stale, hot_month, first, last = plan.stale, plan.month, plan.first, plan.last
        week_counts, target = plan.week_counts, plan.target

        hot = None
        if hot_month is not None and fc.origin != "none":
            family = fc.for_month(archive, hot_month)
            if family:
                counts = store.day_counts(first, last)  # last < as_of: nothing dated later
                hot = flag_month(
                    counts, family, hot_month, (last - first).days + 1, level=level, method=method
                )
            elif fc.current:
                notes.append(
                    f"No forecast made before {hot_month} covers it, so no series can be "
                    f"called hot this week."
                )
        last_fc: dict[Series, CachedForecast] = {}
        last_counts: dict[Series, int] = {}
        if newest is not None:
            last_fc = fc.for_month(archive, newest)
            if hot is not None and hot.month == newest and hot.whole_month:
                last_counts = {s: int(v) for s, v in zip(hot.series, hot.observed) if v}
                last_counts.update(hot.untested)
            else:
                last_counts = store.day_counts(month_start(newest), month_end(newest))
        model = next(iter(fc.current.values())).model if fc.current else None
        health = _health(fc.meta if fc.origin == "served" else {}, model, watermark, as_of)
        return cls(
            as_of,
            week_start,
            week_end,
            resolution,
            watermark,
            bool(stale),
            store.is_synthetic(),
            fc,
            health,
            hot,
            newest,
            last_fc,
            last_counts,
            week_counts,
            target,
            notes,
            level,
            method,
        )


def running_hot(
    client: redis.Redis,
    keys: Keys,
    as_of: date | str | None = None,
    *,
    level: float = 0.1,
    method: str = "bh",
) -> HotTest | None:
    """The weekly alert's running-hot test for the newest data as of ``as_of`` (default today):
    the same family, counts and forecasts the alert flags (None when nothing can be tested).

    ``result.flags(contains=lambda s: s[0] in communities)`` lists the flagged series of a scope.
    """
    return WeekFacts.compute(client, keys, as_of, level=level, method=method).hot
