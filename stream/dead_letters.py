"""Reading the dead-letter stream: records that could not be counted, with their reason.

Entries hold ``reason``, ``stage`` (``producer`` or ``consumer``), where they came from (``origin``
file:line or the stream ``entry_id``) and the original fields prefixed ``f:``. Original bytes are
kept as they were (invalid UTF-8 included); :func:`read_dead_letters` shows them safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import redis

from .keys import Keys


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered record, decoded for display (bad bytes shown as U+FFFD)."""

    id: str
    at: datetime
    reason: str
    stage: str
    origin: str
    fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(), "reason": self.reason,
                "stage": self.stage, "origin": self.origin, "fields": self.fields}


def _text(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def read_dead_letters(client: redis.Redis, keys: Keys, limit: int = 20) -> list[DeadLetter]:
    """The ``limit`` most recent dead letters, newest first (works with any client)."""
    out = []
    for entry_id, raw in client.xrevrange(keys.dead_letter, "+", "-", count=limit):
        fields = {_text(k): _text(v) for k, v in raw.items()}
        eid = _text(entry_id)
        at = datetime.fromtimestamp(int(eid.split("-")[0]) / 1000, tz=timezone.utc)
        original = {k[2:]: v for k, v in fields.items() if k.startswith("f:")}
        origin = fields.get("origin") or (f"stream entry {fields['entry_id']}"
                                          if fields.get("entry_id") else "")
        out.append(DeadLetter(eid, at, fields.get("reason", ""), fields.get("stage", ""), origin,
                              original))
    return out


def dead_letter_count(client: redis.Redis, keys: Keys) -> int:
    return int(client.xlen(keys.dead_letter))
