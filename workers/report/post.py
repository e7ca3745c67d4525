"""The monthly accountability post: the report for the admin channel, through the alert outbox.

The outbox entry's payload is ``{"kind": "accountability", "channel_id", "iso_week": period label,
"webhook", "report"}``; the poster renders it with ``bot.rendering.render.report_embed``. Queued once per
(channel, report month), like the weekly alert per ISO week.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import redis

from core.text import as_text

from stream.keys import Keys
from workers.alerts import enqueue_post

__all__ = ["KIND", "ReportChannels", "period_label", "post_report"]

KIND = "accountability"


def period_label(report: Mapping[str, Any]) -> str:
    """``report-2023-12``: the outbox's once-only label of a report ending in that month."""
    return f"report-{report['period']['end']}"


def post_report(
    client: redis.Redis,
    keys: Keys,
    channel_id: str,
    report: Mapping[str, Any],
    *,
    webhook: bool = False,
) -> bool:
    """Queue ``report`` for ``channel_id``; False when this month's report is already queued or
    posted there."""
    label = period_label(report)
    payload = {
        "kind": KIND,
        "channel_id": str(channel_id),
        "iso_week": label,
        "webhook": webhook,
        "report": report,
    }
    return enqueue_post(
        client,
        keys,
        str(channel_id),
        label,
        json.dumps(payload, separators=(",", ":"), default=str),
        webhook=webhook,
    )


class ReportChannels:
    """The channels (or webhook names) subscribed to the monthly report, in ``keys.report_channels``."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def add(self, channel_id: str, webhook: bool = False) -> bool:
        """Subscribe ``channel_id``; True when it is new."""
        channel_id = str(channel_id).strip()
        if not channel_id:
            raise ValueError("a report subscription needs a channel id")
        return bool(
            self.client.hset(self.keys.report_channels, channel_id, "1" if webhook else "0")
        )

    def remove(self, channel_id: str) -> bool:
        return bool(self.client.hdel(self.keys.report_channels, str(channel_id)))

    def all(self) -> dict[str, bool]:
        """``channel id -> webhook?``, ordered by channel id."""
        raw = self.client.hgetall(self.keys.report_channels)
        return {as_text(k): as_text(v) == "1" for k, v in sorted(raw.items())}
