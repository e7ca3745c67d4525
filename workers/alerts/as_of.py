"""What was known on the alert's day: the day itself and the forecast set in effect then.

No forecast made after the day is used: a set resting on data through month M was made after M
ended; older sets come from :class:`stream.forecast_archive.ForecastArchive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

import redis

from core.months import month_of
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.keys import Keys

from .subscriptions import AlertError

__all__ = ["Forecasts", "Series", "forecasts_as_of", "parse_as_of"]

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
