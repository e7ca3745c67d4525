"""The audit log's policy: how long questions are kept, and who asked them, pseudonymised.

The bot appends every question to ``keys.audit`` (``bot.access.Gate.audit``): when, where, the
text, the intent, the outcome. :class:`AuditPolicy` decides what of the asker is kept: by default
a **pseudonym**, ``u-`` plus 16 hex digits of an HMAC-SHA256 of the user id under a secret salt
(``CRIMECAST_AUDIT_SALT``; unset, a random salt made once per deployment and kept in Redis), so
one person's questions can be followed and counted without the log naming them, and no user name.
``CRIMECAST_AUDIT_KEEP_NAMES=true`` (an admin decision) keeps ids and names as Discord gives them.
Records older than ``CRIMECAST_AUDIT_RETENTION_DAYS`` are trimmed on every append and by the
health job (stream ids are their times, so ``XTRIM MINID`` cuts by age).

>>> p = AuditPolicy(retention_days=30, keep_names=False, salt=b"s")
>>> p.who("123456", "alice")
('u-2bc3935ff5951967', '')
>>> AuditPolicy(30, True, b"s").who("123456", "alice")
('123456', 'alice')
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

__all__ = ["AuditPolicy", "read_audit", "trim_audit"]


@dataclass(frozen=True)
class AuditPolicy:
    retention_days: int
    keep_names: bool
    salt: bytes

    @classmethod
    def from_settings(cls, settings, client, keys) -> "AuditPolicy":
        """The deployment's policy; the salt from the settings (a secret) or, unset, made once."""
        if settings.audit_salt is not None:
            salt = settings.audit_salt.get_secret_value().encode()
        else:
            client.hsetnx(keys.audit_salt, "salt", secrets.token_hex(32))
            raw = client.hget(keys.audit_salt, "salt")
            salt = raw if isinstance(raw, bytes) else raw.encode()
        return cls(settings.audit_retention_days, settings.audit_keep_names, salt)

    def who(self, user_id, user: str = "") -> tuple[str, str]:
        """``(user id as kept, user name as kept)``."""
        if self.keep_names:
            return str(user_id), str(user)[:100]
        digest = hmac.new(self.salt, str(user_id).encode(), hashlib.sha256).hexdigest()
        return f"u-{digest[:16]}", ""

    def min_id(self, now: float | None = None) -> str:
        """The oldest stream id kept (``<ms>-0``)."""
        now = time.time() if now is None else now
        return f"{int((now - self.retention_days * 86400) * 1000)}-0"


def trim_audit(client, keys, retention_days: int) -> int:
    """Drop audit records older than ``retention_days``; returns how many went."""
    policy = AuditPolicy(retention_days, False, b"")
    return int(client.xtrim(keys.audit, minid=policy.min_id(), approximate=False) or 0)


def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def read_audit(client, keys, *, limit: int = 50, days: float | None = None) -> list[dict]:
    """The newest ``limit`` records (within ``days`` when given), newest first."""
    low = "-"
    if days is not None:
        low = f"{int((time.time() - days * 86400) * 1000)}-0"
    rows = client.xrevrange(keys.audit, "+", low, count=limit)
    out = []
    for entry_id, fields in rows:
        rec = {_s(k): _s(v) for k, v in fields.items()}
        rec["id"] = _s(entry_id)
        rec.setdefault(
            "at",
            datetime.fromtimestamp(int(rec["id"].split("-")[0]) / 1000, timezone.utc).isoformat(),
        )
        out.append(rec)
    return out
