"""Who subscribed to the weekly alert: one scope (the city, a sector, some communities) per channel.

Subscriptions are JSON in the ``keys.subscriptions`` hash, one field per channel.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

import redis

from core.profile import active_profile
from core.text import area_name
from stream.keys import Keys

log = logging.getLogger(__name__)

__all__ = ["AlertError", "SCOPES", "Subscription", "SubscriptionStore"]

SCOPES = ("city", "sector", "communities")


class AlertError(ValueError):
    """A subscription or alert request that cannot be honoured; the message is shown as is."""


@dataclass(frozen=True)
class Subscription:
    """What one channel (or webhook) wants each week: a scope and, optionally, some categories.

    >>> Subscription("42", "communities", communities=["beltline ", "Forest  Lawn"]).communities
    ['BELTLINE', 'FOREST LAWN']
    >>> Subscription("42", "sector")
    Traceback (most recent call last):
    ...
    workers.alerts.subscriptions.AlertError: a sector subscription needs a sector of Calgary
    """

    channel_id: str
    scope: str = "city"
    sector: str | None = None
    communities: list[str] = field(default_factory=list)
    categories: list[str] | None = None
    webhook: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "channel_id", str(self.channel_id).strip())
        if not self.channel_id:
            raise AlertError("a subscription needs a channel id")
        if self.scope not in SCOPES:
            raise AlertError(f"scope must be one of {', '.join(SCOPES)}, not {self.scope!r}")
        if self.scope == "sector":  # a region of the city profile: a sector, an NPU, a district
            profile = active_profile()
            sector = area_name(self.sector or "")
            sector = profile.region_of_label(sector) or sector
            known = {r.upper() for r in (profile.regions.aliases if profile.regions else {})}
            if not sector or (known and sector not in known):
                word = profile.regions.word.singular if profile.regions else "region"
                shown = f" (one of {', '.join(sorted(known))})" if sector and known else ""
                raise AlertError(f"a {word} subscription needs a {word} of {profile.name}{shown}")
            set_(self, "sector", sector)
        else:
            set_(self, "sector", None)
        comms = [area_name(c) for c in (self.communities or []) if str(c).strip()]
        if self.scope == "communities" and not comms:
            raise AlertError("a communities subscription needs at least one community")
        set_(self, "communities", list(dict.fromkeys(comms)) if self.scope == "communities" else [])
        if self.categories is not None:
            cats = [str(c) for c in self.categories if str(c).strip()]
            set_(self, "categories", cats or None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Subscription":
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class SubscriptionStore:
    """Subscriptions as JSON in the ``keys.subscriptions`` hash, one per channel."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def add(self, sub: Subscription) -> bool:
        """Store (or replace) the channel's subscription; True when it is new."""
        return bool(self.client.hset(self.keys.subscriptions, sub.channel_id, sub.to_json()))

    def remove(self, channel_id: str) -> bool:
        return bool(self.client.hdel(self.keys.subscriptions, str(channel_id)))

    def get(self, channel_id: str) -> Subscription | None:
        raw = self.client.hget(self.keys.subscriptions, str(channel_id))
        return None if raw is None else Subscription.from_json(raw)

    def all(self) -> list[Subscription]:
        """Every subscription, ordered by channel id; an unreadable entry is logged and skipped."""
        out = []
        for channel, raw in sorted(self.client.hgetall(self.keys.subscriptions).items()):
            try:
                out.append(Subscription.from_json(raw))
            except (ValueError, TypeError) as exc:
                log.warning("skipping unreadable subscription for channel %s: %s", channel, exc)
        return out
