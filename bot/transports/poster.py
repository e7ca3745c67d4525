"""Posting the weekly alerts from the outbox, once per (channel, ISO week).

The workers put alerts on ``keys.alert_outbox`` (fields ``channel_id``, ``iso_week``, ``webhook``,
``alert``). :meth:`Poster.drain` renders each one (:mod:`bot.rendering`), posts it through a
:class:`~bot.webhook.Sender` and only then marks ``keys.alert_posted(channel, week)`` and removes the
entry. Idempotency has three layers: an alert already marked posted is dropped unposted; a
short-lived claim stops two posters working on the same alert at once; and the channel sender's
``nonce`` + ``enforce_nonce`` lets Discord drop a retry of a post it already accepted (a crash
between the post and the marker). A failed post is retried with exponential backoff; after the
last try it is reported (log, ``keys.alert_failures``, an ``alert_failed`` event) and stays on the
outbox for the next drain, until ``give_up_after`` failed drains.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import redis

from core.text import as_text as _s
from stream.keys import Keys

from bot.rendering.render import alert_embed, alert_png, report_embed, report_png
from bot.transports.webhook import SendError, Sender

log = logging.getLogger(__name__)

POSTED_TTL_S = 120 * 24 * 3600


def nonce_for(channel_id: str, iso_week: str) -> str:
    """A deterministic Discord nonce (at most 25 characters) for one (channel, week).

    >>> nonce_for("42", "2026-W48") == nonce_for("42", "2026-W48"), len(nonce_for("42", "2026-W48"))
    (True, 25)
    """
    return "cc" + hashlib.sha256(f"{channel_id}|{iso_week}".encode()).hexdigest()[:23]


@dataclass
class DrainReport:
    """What one drain did."""

    posted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "posted": self.posted,
            "skipped": self.skipped,
            "failed": self.failed,
            "dropped": self.dropped,
        }


class Poster:
    """Drains the alert outbox through ``sender`` (channels) or ``webhook`` (webhook entries)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        sender: Sender | None = None,
        *,
        webhook: Sender | None = None,
        attempts: int = 4,
        backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        claim_ttl_s: int = 300,
        give_up_after: int = 12,
        sleep: Callable[[float], None] = time.sleep,
        charts: bool = True,
    ):
        if attempts < 1:
            raise ValueError("attempts must be >= 1")
        self.client = client
        self.keys = keys
        self.sender = sender
        self.webhook = webhook
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.claim_ttl_s = claim_ttl_s
        self.give_up_after = give_up_after
        self.sleep = sleep
        self.charts = charts
        self._maps = None  # area geometry, read on the first alert with something running hot

    def drain(self) -> DrainReport:
        """Post every alert waiting on the outbox once; returns what happened."""
        report = DrainReport()
        for entry_id, raw in self.client.xrange(self.keys.alert_outbox, "-", "+"):
            fields = {_s(k): _s(v) for k, v in raw.items()}
            self._one(_s(entry_id), fields, report)
        return report

    def _one(self, entry_id: str, fields: dict, report: DrainReport) -> None:
        k = self.keys
        channel, week = fields.get("channel_id", ""), fields.get("iso_week", "")
        label = f"{channel}/{week}"
        try:
            alert = json.loads(fields["alert"])
        except (KeyError, ValueError):
            log.error("dropping unreadable outbox entry %s (%s)", entry_id, label)
            self.client.xdel(k.alert_outbox, entry_id)
            report.dropped.append(label)
            return
        channel = channel or str(alert.get("channel_id", ""))
        week = week or str(alert.get("iso_week", ""))
        label = f"{channel}/{week}"
        posted_key = k.alert_posted(channel, week)
        if self.client.exists(posted_key):
            self.client.xdel(k.alert_outbox, entry_id)
            report.skipped.append(label)
            return
        claim = k.alert_claim(channel, week)
        if not self.client.set(claim, entry_id, nx=True, ex=self.claim_ttl_s):
            report.skipped.append(label)  # another poster is on it
            return
        try:
            use_webhook = fields.get("webhook") == "1" or bool(alert.get("webhook"))
            sender = self.webhook if use_webhook else self.sender
            if sender is None:
                self._failed(
                    label,
                    channel,
                    week,
                    "no sender configured for this alert ("
                    + ("webhook URL unset" if use_webhook else "no bot token")
                    + ")",
                    entry_id,
                    report,
                    attempts=0,
                )
                return
            is_report = alert.get("kind") == "accountability"  # the monthly report, same outbox
            embed = report_embed(alert) if is_report else alert_embed(alert)
            png = (
                (report_png(alert) if is_report else self._picture(alert)) if self.charts else None
            )
            error, tries = None, 0
            message_id = ""
            for attempt in range(self.attempts):
                tries = attempt + 1
                try:
                    message_id = sender.send(channel, embed, png, nonce_for(channel, week))
                    error = None
                    break
                except SendError as exc:
                    error = str(exc)
                    log.warning("alert %s: post attempt %d failed: %s", label, tries, exc)
                    if not exc.retryable or tries == self.attempts:
                        break
                    delay = (
                        exc.retry_after
                        if exc.retry_after is not None
                        else self.backoff_s * 2**attempt
                    )
                    self.sleep(min(delay, self.max_backoff_s))
            if error is not None:
                self._failed(label, channel, week, error, entry_id, report, attempts=tries)
                return
            now = datetime.now(timezone.utc).isoformat()
            pipe = self.client.pipeline(transaction=True)
            pipe.set(posted_key, json.dumps({"at": now, "message_id": message_id}), ex=POSTED_TTL_S)
            pipe.xdel(k.alert_outbox, entry_id)
            pipe.hdel(k.alert_failures, f"{channel}|{week}")
            pipe.execute()
            report.posted.append(label)
            log.info("alert %s posted", label)
        finally:
            self.client.delete(claim)

    def _picture(self, alert: dict) -> bytes | None:
        """The alert's one image: a map of what runs hot in its scope when the areas can be
        placed (polygons or incident locations), else the chart of the highest forecasts."""
        from bot.answering.maps import Geometries, alert_map_png

        if self._maps is None:
            self._maps = Geometries(self.client, self.keys)
        try:
            png = alert_map_png(self.client, self.keys, alert, self._maps)
        except Exception:  # a map is a nicety: the alert goes out with its chart
            log.exception("alert map failed; posting the chart")
            png = None
        return png or alert_png(alert)

    def _failed(self, label, channel, week, error, entry_id, report, *, attempts: int) -> None:
        k = self.keys
        fkey = f"{channel}|{week}"
        prev = self.client.hget(k.alert_failures, fkey)
        drains = (json.loads(prev).get("drains", 0) if prev else 0) + 1
        now = datetime.now(timezone.utc).isoformat()
        record = {"attempts": attempts, "drains": drains, "error": error[:300], "at": now}
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(k.alert_failures, fkey, json.dumps(record))
        pipe.xadd(
            k.events,
            {
                "type": "alert_failed",
                "channel_id": channel,
                "iso_week": week,
                "error": error[:300],
                "at": now,
            },
            maxlen=10_000,
            approximate=True,
        )
        gave_up = drains >= self.give_up_after
        if gave_up:
            pipe.xdel(k.alert_outbox, entry_id)
        pipe.execute()
        log.error(
            "alert %s not posted after %d attempt(s): %s%s",
            label,
            attempts,
            error,
            " (giving up)" if gave_up else " (stays on the outbox)",
        )
        report.failed.append(
            {"alert": label, "error": error, "attempts": attempts, "gave_up": gave_up}
        )
