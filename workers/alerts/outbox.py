"""The outbox the bot posts from, and the weekly run that fills it.

Outbox entries (``keys.alert_outbox``, a stream) have the fields ``channel_id``, ``iso_week``,
``webhook`` (``"1"``/``"0"``) and ``alert`` (the JSON of :meth:`Alert.to_dict`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Any

import redis

from stream.keys import Keys

from .alert import Alert
from .facts import WeekFacts
from .scope import MAX_ITEMS, channel_alert, resolve_scope
from .subscriptions import AlertError, Subscription, SubscriptionStore

log = logging.getLogger(__name__)

__all__ = ["QUEUED_TTL_S", "build_alert", "enqueue_alert", "enqueue_post", "run_weekly_alerts"]

_ENQUEUE = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[5], 'EX', tonumber(ARGV[6]))
redis.call('XADD', KEYS[3], '*', 'channel_id', ARGV[1], 'iso_week', ARGV[2],
           'webhook', ARGV[3], 'alert', ARGV[4])
return 1
"""
QUEUED_TTL_S = 60 * 24 * 3600  # longer than any retry of a week's alert


def _split_source(source: Any, keys: Keys | None) -> tuple[redis.Redis, Keys]:
    if hasattr(source, "client") and hasattr(source, "keys") and keys is None:
        return source.client, source.keys  # a workers.runtime.Runtime
    if keys is None:
        raise TypeError("build_alert(client, ...) needs keys=Keys(...)")
    return source, keys


def build_alert(
    source: Any,
    subscription: Subscription,
    as_of: date | str | None = None,
    *,
    keys: Keys | None = None,
    level: float = 0.1,
    method: str = "bh",
    max_items: int = MAX_ITEMS,
    facts: WeekFacts | None = None,
) -> Alert:
    """One channel's weekly alert as of ``as_of`` (default: today, UTC).

    ``source`` is a :class:`workers.runtime.Runtime` or a decoding Redis client (then pass
    ``keys``). Pass ``facts`` to reuse the city's facts across channels.
    """
    client, keys = _split_source(source, keys)
    if facts is None:
        facts = WeekFacts.compute(client, keys, as_of, level=level, method=method)
    return channel_alert(
        facts, subscription, resolve_scope(client, keys, subscription), max_items=max_items
    )


def enqueue_alert(client: redis.Redis, keys: Keys, alert: Alert) -> bool:
    """Put ``alert`` on the outbox once per (channel, ISO week); False if already queued or posted.

    One Lua script checks the posted and queued markers, sets the queued marker and appends to the
    outbox, so two weekly jobs racing (a retry, two schedulers) can never queue it twice.
    """
    return enqueue_post(
        client, keys, alert.channel_id, alert.iso_week, alert.to_json(), webhook=alert.webhook
    )


def enqueue_post(
    client: redis.Redis,
    keys: Keys,
    channel_id: str,
    period: str,
    payload: str,
    *,
    webhook: bool = False,
) -> bool:
    """Put one post (JSON ``payload``) on the outbox once per (channel, period label); the weekly
    alert's period is its ISO week, the monthly report's ``report-YYYY-MM``."""
    posted = keys.alert_posted(channel_id, period)
    queued = keys.alert_queued(channel_id, period)
    done = client.eval(
        _ENQUEUE,
        3,
        posted,
        queued,
        keys.alert_outbox,
        channel_id,
        period,
        "1" if webhook else "0",
        payload,
        datetime.now(timezone.utc).isoformat(),
        QUEUED_TTL_S,
    )
    return bool(done)


def run_weekly_alerts(
    client: redis.Redis,
    keys: Keys,
    as_of: date | str | None = None,
    *,
    level: float = 0.1,
    method: str = "bh",
) -> dict:
    """Compute the week's facts once, then build and enqueue every subscription's alert; one
    channel's failure never stops the others."""
    subs = SubscriptionStore(client, keys).all()
    summary: dict[str, Any] = {
        "subscriptions": len(subs),
        "queued": 0,
        "already": 0,
        "failed": [],
        "iso_week": None,
    }
    if not subs:
        return summary
    try:
        facts = WeekFacts.compute(client, keys, as_of, level=level, method=method)
    except AlertError:
        raise  # a bad as-of: the caller's mistake, not a failure to retry
    except Exception as exc:  # noqa: BLE001 - every channel fails alike; the job is retried
        log.exception("the week's facts could not be computed")
        summary["failed"] = [
            {"channel_id": s.channel_id, "error": type(exc).__name__} for s in subs
        ]
        return summary
    summary["iso_week"] = facts.iso_week
    for sub in subs:
        try:
            alert = build_alert(client, sub, keys=keys, facts=facts)
        except Exception as exc:  # noqa: BLE001 - logged with context, the rest still go out
            log.exception("weekly alert for channel %s failed", sub.channel_id)
            summary["failed"].append({"channel_id": sub.channel_id, "error": type(exc).__name__})
            continue
        if enqueue_alert(client, keys, alert):
            summary["queued"] += 1
        else:
            summary["already"] += 1
    return summary
