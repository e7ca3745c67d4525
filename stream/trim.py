"""Trimming counted entries off the incident stream: the counts are the record, the stream stays
small, and an entry still pending or not yet delivered is never dropped."""

from __future__ import annotations

import redis

from core.text import as_text

from .keys import Keys


def _id_tuple(entry_id: str) -> tuple[int, int]:
    """
    >>> _id_tuple("1700000000000-3"), _id_tuple("5")
    ((1700000000000, 3), (5, 0))
    """
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def trim_acked(client: redis.Redis, keys: Keys) -> int:
    """``XTRIM MINID`` below the oldest entry still pending or undelivered; returns how many went.

    Reads the group's last-delivered id *before* its oldest pending id, so that an entry
    delivered in between is still seen as pending: only acked entries are ever trimmed.
    """
    last = None
    for g in client.xinfo_groups(keys.stream):
        if as_text(g["name"]) == keys.consumer_group:
            last = as_text(g["last-delivered-id"])
    if last is None or last == "0-0":
        return 0
    summary = client.xpending(keys.stream, keys.consumer_group)
    minid = as_text(summary["min"]) if summary["pending"] else last
    if _id_tuple(minid) > _id_tuple(last):
        minid = last
    if minid == last and not summary["pending"]:
        ms, seq = _id_tuple(last)  # everything up to and including ``last`` is done
        minid = f"{ms}-{seq + 1}"
    return int(client.xtrim(keys.stream, minid=minid, approximate=False))
