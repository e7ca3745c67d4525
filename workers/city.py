"""One key prefix, one city: the prefix records the city profile its data belong to.

Several cities share one deployment (one Redis, one state directory) under one key prefix each
(``CRIMECAST_KEY_PREFIX``): counts, forecasts, alerts, the feed's state and the model registry
(``STATE_DIR/models/<prefix>/``) are all keyed by it. The first ingest under a prefix records the
city (:func:`claim_city`); a process whose profile names another city is refused with one line
before it sends anything, so a Calgary demo's counts never mix with a new city's.
"""

from __future__ import annotations

import time

from core.profile import CityProfile
from stream.keys import Keys

__all__ = ["CityMismatch", "claim_city", "recorded_city"]


class CityMismatch(RuntimeError):
    """This prefix holds another city's data."""


def _s(v) -> str | None:
    return v.decode() if isinstance(v, bytes) else v


def recorded_city(client, keys: Keys) -> str | None:
    """The city this prefix's data belong to, or None before the first ingest."""
    return _s(client.hget(keys.city, "name"))


def claim_city(client, keys: Keys, profile: CityProfile) -> str:
    """Record ``profile``'s city for this prefix (first ingest) or check it is the recorded one;
    raises :class:`CityMismatch` (its message is the one line to show) when it is not."""
    if client.hsetnx(keys.city, "name", profile.name):
        client.hset(
            keys.city,
            mapping={"profile": profile.path or "(built in)", "claimed_at": f"{time.time():.0f}"},
        )
        return profile.name
    recorded = recorded_city(client, keys) or ""
    if recorded.casefold() != profile.name.casefold():
        raise CityMismatch(
            f"key prefix {keys.prefix!r} holds {recorded}'s data and this city profile is "
            f"{profile.name}'s ({profile.path or 'built in'}): refusing to mix two cities; give "
            f"{profile.name} its own CRIMECAST_KEY_PREFIX"
        )
    return recorded
