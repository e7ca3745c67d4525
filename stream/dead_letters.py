"""Reading the dead-letter stream: records that could not be counted, with their reason.

Entries hold ``reason``, ``stage`` (``producer`` or ``consumer``), where they came from (``origin``
file:line or the stream ``entry_id``) and the original fields prefixed ``f:``. Original bytes are
kept as they were (invalid UTF-8 included); :func:`read_dead_letters` shows them safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import redis

from core.text import as_text

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
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "stage": self.stage,
            "origin": self.origin,
            "fields": self.fields,
        }


def read_dead_letters(client: redis.Redis, keys: Keys, limit: int = 20) -> list[DeadLetter]:
    """The ``limit`` most recent dead letters, newest first (works with any client)."""
    out = []
    for entry_id, raw in client.xrevrange(keys.dead_letter, "+", "-", count=limit):
        fields = {as_text(k): as_text(v) for k, v in raw.items()}
        eid = as_text(entry_id)
        at = datetime.fromtimestamp(int(eid.split("-")[0]) / 1000, tz=timezone.utc)
        original = {k[2:]: v for k, v in fields.items() if k.startswith("f:")}
        origin = fields.get("origin") or (
            f"stream entry {fields['entry_id']}" if fields.get("entry_id") else ""
        )
        out.append(
            DeadLetter(eid, at, fields.get("reason", ""), fields.get("stage", ""), origin, original)
        )
    return out


def dead_letter_count(client: redis.Redis, keys: Keys) -> int:
    return int(client.xlen(keys.dead_letter))


def replay_dead_letters(
    client: redis.Redis, keys: Keys, limit: int | None = None
) -> tuple[int, int]:
    """Put dead-lettered stream records back on the incident stream (after a fix: a category
    added to the set, a consumer bug mended); returns ``(replayed, left)``.

    Only records the consumer refused (stage ``consumer``) can be replayed: their original fields
    are a stream entry. Rows a producer refused came from a file: fix the file and ingest it again.
    Each replay moves one entry atomically (XADD to the stream and XDEL from the dead letters in
    one transaction). A record that is still bad simply comes back with its reason; one that had
    already counted under its id counts as a duplicate, never twice.
    """
    replayed = left = 0
    for entry_id, raw in client.xrange(keys.dead_letter, "-", "+", count=limit):
        stage = raw.get(b"stage", raw.get("stage"))
        fields = {}
        for k, v in raw.items():
            name = k.decode("utf-8", "replace") if isinstance(k, bytes) else k
            if name.startswith("f:"):
                fields[name[2:]] = v
        truncated = raw.get(b"truncated", raw.get("truncated"))
        if as_text(stage or "") != "consumer" or not fields or as_text(truncated or "") == "1":
            left += 1
            continue
        pipe = client.pipeline(transaction=True)
        pipe.xadd(keys.stream, fields)
        pipe.xdel(keys.dead_letter, entry_id)
        pipe.execute()
        replayed += 1
    return replayed, left
