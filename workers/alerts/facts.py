"""The week's facts, computed once for the whole city as they stood on the alert's day.

Every channel's alert is a view of one :class:`WeekFacts`: the running-hot test is one family of
every forecast series of the city, so a series is flagged the same way in every channel, and it is
computed once per weekly run, not once per subscription.

"As of DAY" means what would have been known that day: no record dated after DAY counts (the
watermark is the newest day on or before DAY with a count, so the data age is never negative), and
no forecast made after DAY is used (a set resting on data through month M was made after M ended;
older sets come from :class:`stream.forecast_archive.ForecastArchive`; :mod:`.as_of`).

The source decides what can be said (:meth:`stream.store.CountStore.resolution`): a source that
publishes whole months has no week and no month to date, so the alert leads with the newest
complete month against the forecast made before it; a day-level source keeps the week and the month
to date (:mod:`.plan`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Mapping

import numpy as np
import redis

from core.months import month_end, month_start
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast
from stream.keys import Keys
from stream.store import CountStore

from .alert import iso_week
from .as_of import Forecasts, Series, forecasts_as_of, parse_as_of
from .hot import HotTest, flag_month
from .plan import daily_plan, monthly_plan, newest_complete

__all__ = ["WeekFacts", "running_hot"]


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
        newest = newest_complete(watermark, as_of)
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
            monthly_plan(newest, as_of, fc, week_end)
            if resolution == "month"
            else daily_plan(store, archive, fc, watermark, as_of)
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
