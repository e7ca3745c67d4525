"""Who may ask, how often, and the record of what was asked (no Discord import).

- :class:`Access`: the guilds, channels and roles the bot serves (empty = any), and the roles that
  may manage alert subscriptions.
- :class:`Gate`: applies it, keeps a per-user rate limit in Redis (a fixed one-minute window, so
  that several bot replicas share it) and appends every question to the audit stream
  ``keys.audit`` (who asked what, when, where, what was answered, how long it took).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

import redis

from stream.keys import Keys

AUDIT_MAXLEN = 100_000
WINDOW_S = 60


@dataclass(frozen=True)
class Access:
    """Allowed guilds, channels and roles (empty = no restriction) and admin roles."""

    guild_ids: frozenset[int] = frozenset()
    channel_ids: frozenset[int] = frozenset()
    role_ids: frozenset[int] = frozenset()
    admin_role_ids: frozenset[int] = frozenset()

    @classmethod
    def from_settings(cls, settings) -> "Access":
        return cls(
            frozenset(settings.discord_guild_ids),
            frozenset(settings.discord_channel_ids),
            frozenset(settings.discord_role_ids),
            frozenset(settings.discord_admin_role_ids),
        )

    @property
    def restricted(self) -> bool:
        return bool(self.guild_ids or self.channel_ids or self.role_ids)

    def refusal(
        self,
        *,
        guild_id: int | None,
        channel_id: int | None,
        role_ids: Iterable[int] = (),
        is_dm: bool = False,
    ) -> str | None:
        """None when allowed, else the reason to show (it names no configuration details).

        >>> a = Access(guild_ids=frozenset({1}), role_ids=frozenset({7}))
        >>> a.refusal(guild_id=1, channel_id=5, role_ids=[7]) is None
        True
        >>> a.refusal(guild_id=1, channel_id=5, role_ids=[8])
        'Sorry, this bot is limited to certain roles.'
        """
        roles = set(role_ids)
        if is_dm:
            if self.restricted:
                return "Sorry, I only answer in the team's server channels, not in direct messages."
            return None
        if self.guild_ids and guild_id not in self.guild_ids:
            return "Sorry, this bot is not enabled on this server."
        if self.channel_ids and channel_id not in self.channel_ids:
            return "Sorry, I only answer in the channels set up for crime analysis."
        if self.role_ids and not (roles & (self.role_ids | self.admin_role_ids)):
            return "Sorry, this bot is limited to certain roles."
        return None

    def is_admin(self, role_ids: Iterable[int] = (), *, manage_guild: bool = False) -> bool:
        """Admins hold a configured admin role, or (none configured) the Manage Server right."""
        if self.admin_role_ids:
            return bool(set(role_ids) & self.admin_role_ids)
        return manage_guild


class Gate:
    """Access control, the per-user rate limit and the audit log, against one Redis."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        access: Access,
        *,
        per_minute: int = 10,
        audit_policy=None,
    ):
        if per_minute < 1:
            raise ValueError("per_minute must be >= 1")
        self.client = client
        self.keys = keys
        self.access = access
        self.per_minute = per_minute
        self.audit_policy = audit_policy  # workers.audit.AuditPolicy: pseudonyms and retention

    def hit(self, user_id: int | str) -> tuple[bool, int]:
        """Count one request; returns (allowed, seconds until the window resets)."""
        key = self.keys.rate_limit(str(user_id))
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, ex=WINDOW_S, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
        return int(count) <= self.per_minute, max(int(ttl), 1)

    def audit(
        self,
        *,
        user_id,
        user: str = "",
        transport: str,
        text: str,
        intent: str = "",
        ok: bool = True,
        answer: str = "",
        guild_id=None,
        channel_id=None,
        ms: float | None = None,
        outcome: str = "answered",
    ) -> str:
        """Append one record to the audit stream; returns its id. With an audit policy the user
        is a pseudonym (unless it keeps names) and records past its retention are trimmed."""
        policy = self.audit_policy
        user_id, user = policy.who(user_id, user) if policy else (str(user_id), str(user)[:100])
        fields = {
            "at": datetime.now(timezone.utc).isoformat(),
            "user_id": str(user_id),
            "user": str(user)[:100],
            "transport": transport,
            "guild_id": str(guild_id or ""),
            "channel_id": str(channel_id or ""),
            "text": str(text)[:500],
            "intent": intent,
            "ok": "1" if ok else "0",
            "outcome": outcome,
            "answer": str(answer)[:300],
            "ms": f"{ms:.1f}" if ms is not None else "",
        }
        if policy is not None:
            return self.client.xadd(
                self.keys.audit, fields, minid=policy.min_id(), approximate=True
            )
        return self.client.xadd(self.keys.audit, fields, maxlen=AUDIT_MAXLEN, approximate=True)

    def recent(self, count: int = 20) -> list[dict]:
        """The latest audit records, newest first."""
        return [dict(f, id=i) for i, f in self.client.xrevrange(self.keys.audit, count=count)]


def monotonic_ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), default=str)
