"""The monthly accountability post: the report for the admin channel, through the alert outbox.

The outbox entry's payload is ``{"kind": "accountability", "channel_id", "iso_week": period label,
"webhook", "report"}``; the poster renders it with ``bot.render.report_embed``. Queued once per
(channel, report month), like the weekly alert per ISO week.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

import redis

from stream.keys import Keys
from workers.alerts import enqueue_post

__all__ = ["KIND", "period_label", "post_report"]

KIND = "accountability"


def period_label(report: Mapping[str, Any]) -> str:
    """``report-2023-12``: the outbox's once-only label of a report ending in that month."""
    return f"report-{report['period']['end']}"


def post_report(client: redis.Redis, keys: Keys, channel_id: str, report: Mapping[str, Any], *,
                webhook: bool = False) -> bool:
    """Queue ``report`` for ``channel_id``; False when this month's report is already queued or
    posted there."""
    label = period_label(report)
    payload = {"kind": KIND, "channel_id": str(channel_id), "iso_week": label, "webhook": webhook,
               "report": report}
    return enqueue_post(client, keys, str(channel_id), label,
                        json.dumps(payload, separators=(",", ":"), default=str), webhook=webhook)
