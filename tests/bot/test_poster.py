"""The alert outbox: posted once per (channel, ISO week), retried with backoff, failures reported."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.transports.poster import Poster, nonce_for
from bot.transports.webhook import ChannelRestSender, SendError, WebhookSender


class Discordish:
    """A Discord channel endpoint stand-in: records posts, fails the first ``fail`` calls, and
    drops a repeated nonce the way Discord's enforce_nonce does."""

    def __init__(self, fail: int = 0, permanent: bool = False):
        self.fail = fail
        self.permanent = permanent
        self.calls = 0
        self.messages: list[dict] = []
        self.nonces: set[str] = set()

    def send(self, channel_id, embed, png, nonce):
        self.calls += 1
        if self.calls <= self.fail:
            raise SendError("boom", retryable=not self.permanent, status=503)
        if nonce not in self.nonces:
            self.nonces.add(nonce)
            self.messages.append({"channel": channel_id, "embed": embed, "png": png})
        return str(len(self.messages))


def enqueue(r, keys, alert, webhook=False):
    r.xadd(
        keys.alert_outbox,
        {
            "channel_id": alert["channel_id"],
            "iso_week": alert["iso_week"],
            "webhook": "1" if webhook else "0",
            "alert": json.dumps(alert),
        },
    )


@pytest.fixture
def sleeps():
    return []


def poster(r, keys, sender, sleeps, **kw):
    return Poster(r, keys, sender, sleep=sleeps.append, charts=False, **kw)


def test_posts_once_and_marks(r, keys, sleeps, alert_dict):
    """An alert is posted, marked posted, and removed from the outbox."""
    d = Discordish()
    enqueue(r, keys, alert_dict())
    report = poster(r, keys, d, sleeps).drain()
    assert report.posted == ["42/2024-W03"] and len(d.messages) == 1
    assert r.exists(keys.alert_posted("42", "2024-W03")) and r.xlen(keys.alert_outbox) == 0
    assert d.messages[0]["embed"]["title"].startswith("Weekly crime alert")


def test_never_posted_twice(r, keys, sleeps, alert_dict):
    """A second outbox entry for the same channel and week (a retry, a restart) is not posted."""
    d = Discordish()
    enqueue(r, keys, alert_dict())
    poster(r, keys, d, sleeps).drain()
    enqueue(r, keys, alert_dict())
    report = poster(r, keys, d, sleeps).drain()
    assert report.skipped == ["42/2024-W03"] and d.calls == 1 and r.xlen(keys.alert_outbox) == 0


def test_crash_after_post_is_deduplicated_by_nonce(r, keys, sleeps, alert_dict):
    """If the marker was lost after a post, the same nonce makes Discord drop the repeat."""
    d = Discordish()
    enqueue(r, keys, alert_dict())
    poster(r, keys, d, sleeps).drain()
    r.delete(keys.alert_posted("42", "2024-W03"))  # as if we crashed before marking
    enqueue(r, keys, alert_dict())
    poster(r, keys, d, sleeps).drain()
    assert d.calls == 2 and len(d.messages) == 1


def test_retry_with_backoff_then_success(r, keys, sleeps, alert_dict):
    """Transient failures are retried with growing delays, then the post goes through once."""
    d = Discordish(fail=2)
    enqueue(r, keys, alert_dict())
    report = poster(r, keys, d, sleeps, attempts=4, backoff_s=0.5).drain()
    assert report.posted and len(d.messages) == 1
    assert sleeps == [0.5, 1.0]


def test_failure_is_reported_and_kept(r, keys, sleeps, alert_dict):
    """After the last try the failure is recorded and reported, and the alert stays queued."""
    d = Discordish(fail=100)
    enqueue(r, keys, alert_dict())
    report = poster(r, keys, d, sleeps, attempts=3).drain()
    assert report.failed[0]["attempts"] == 3 and not report.failed[0]["gave_up"]
    assert r.xlen(keys.alert_outbox) == 1
    assert json.loads(r.hget(keys.alert_failures, "42|2024-W03"))["attempts"] == 3
    events = r.xrange(keys.events)
    assert events[-1][1]["type"] == "alert_failed"
    d.fail = 0
    d.calls = 0
    assert poster(r, keys, d, sleeps).drain().posted == ["42/2024-W03"]
    assert r.hget(keys.alert_failures, "42|2024-W03") is None


def test_permanent_failure_is_not_retried_and_gives_up(r, keys, sleeps, alert_dict):
    """A refusal (4xx) is not retried within a drain; after enough drains the alert is dropped."""
    d = Discordish(fail=100, permanent=True)
    enqueue(r, keys, alert_dict())
    p = poster(r, keys, d, sleeps, attempts=4, give_up_after=2)
    assert p.drain().failed[0]["attempts"] == 1 and sleeps == []
    assert p.drain().failed[0]["gave_up"] and r.xlen(keys.alert_outbox) == 0


def test_claimed_alert_is_left_to_its_poster(r, keys, sleeps, alert_dict):
    """While another poster holds the claim, this one does not post."""
    d = Discordish()
    enqueue(r, keys, alert_dict())
    r.set(keys.alert_claim("42", "2024-W03"), "other", ex=60)
    assert poster(r, keys, d, sleeps).drain().skipped and d.calls == 0


def test_webhook_entries_use_the_webhook(r, keys, sleeps, alert_dict):
    """An alert flagged for the webhook goes through the webhook sender; none configured = failure."""
    d, hook = Discordish(), Discordish()
    enqueue(r, keys, alert_dict(), webhook=True)
    assert poster(r, keys, d, sleeps, webhook=hook).drain().posted
    assert len(hook.messages) == 1 and d.calls == 0
    a = alert_dict()
    a["iso_week"] = "2024-W04"
    enqueue(r, keys, a, webhook=True)
    report = poster(r, keys, d, sleeps).drain()
    assert "webhook URL unset" in report.failed[0]["error"]


def test_unreadable_entry_is_dropped(r, keys, sleeps, alert_dict):
    """A malformed outbox entry is dropped (and logged) without blocking the others."""
    r.xadd(keys.alert_outbox, {"channel_id": "1", "iso_week": "2024-W01", "alert": "{not json"})
    enqueue(r, keys, alert_dict())
    report = poster(r, keys, Discordish(), sleeps).drain()
    assert report.dropped == ["1/2024-W01"] and report.posted == ["42/2024-W03"]


def _capture(status=200, body=None):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body if body is not None else {"id": "777"})

    return seen, httpx.Client(transport=httpx.MockTransport(handler))


def _payload(request: httpx.Request) -> dict:
    body = request.content.decode("latin-1")
    start = body.index("{")
    depth = 0
    for i, ch in enumerate(body[start:], start):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            return json.loads(body[start : i + 1])
    raise AssertionError("no JSON payload")


def test_rest_sender_sends_nonce_and_no_mentions():
    """The channel sender posts the embed and chart with a nonce, enforce_nonce and no mentions."""
    seen, http = _capture()
    sender = ChannelRestSender("secret-token", http=http)
    assert sender.send("123", {"title": "t"}, b"\x89PNG", nonce_for("123", "2024-W03")) == "777"
    req = seen[0]
    assert req.url.path == "/api/v10/channels/123/messages"
    assert req.headers["authorization"] == "Bot secret-token"
    payload = _payload(req)
    assert payload["nonce"] == nonce_for("123", "2024-W03") and payload["enforce_nonce"] is True
    assert payload["allowed_mentions"]["parse"] == []
    assert payload["embeds"][0]["image"]["url"] == "attachment://chart.png"
    assert b'filename="chart.png"' in req.content
    assert "secret" not in repr(sender)


def test_webhook_sender_errors_are_classified_and_secret_free():
    """429 is retryable with Discord's delay, 4xx is not; the URL never appears in an error."""
    url = "https://discord.com/api/webhooks/1/very-secret"
    _, http = _capture(429, {"retry_after": 2.5})
    with pytest.raises(SendError) as info:
        WebhookSender(url, http=http).send("x", {"title": "t"}, None, "n")
    assert info.value.retryable and info.value.retry_after == 2.5
    assert "very-secret" not in str(info.value)
    _, http = _capture(404, {"message": "Unknown Webhook"})
    with pytest.raises(SendError) as info:
        WebhookSender(url, http=http).send("x", {"title": "t"}, None, "n")
    assert not info.value.retryable and "very-secret" not in str(info.value)
    seen, http = _capture()
    WebhookSender(url, http=http).send("x", {"title": "t"}, None, "n")
    assert seen[0].url.params["wait"] == "true"


def test_weekly_alert_end_to_end_posts_once(filled, sleeps):
    """Workers queue the week's alert (twice, as two schedulers would); the bot posts it once."""
    from workers.alerts import Subscription, SubscriptionStore, run_weekly_alerts

    r, keys = filled
    SubscriptionStore(r, keys).add(Subscription("77", "communities", communities=["BELTLINE"]))
    first = run_weekly_alerts(r, keys, "2024-01-15")
    again = run_weekly_alerts(r, keys, "2024-01-15")
    assert first["queued"] == 1 and again["queued"] == 0
    d = Discordish()
    report = Poster(r, keys, d, sleep=sleeps.append).drain()
    assert report.posted == ["77/2024-W02"] and len(d.messages) == 1  # the week just ended
    msg = d.messages[0]
    assert "BELTLINE" in msg["embed"]["title"] and msg["png"].startswith(b"\x89PNG")
    run_weekly_alerts(r, keys, "2024-01-15")
    assert Poster(r, keys, d, sleep=sleeps.append).drain().posted == [] and len(d.messages) == 1


# --- the monthly accountability report, through the same outbox -------------------------------------
def _small_report(r, keys):
    """A real report over two months of a tiny day-level city (two areas, archived forecasts)."""
    from datetime import date

    from stream.consumer import Consumer
    from stream.forecast_archive import ForecastArchive
    from stream.forecast_cache import CachedForecast
    from stream.producer import Producer
    from stream.records import Incident
    from workers.report import accountability_report

    incidents = [
        Incident(f"i{m}-{d}-{c}", c, "Street Robbery", date(2023, m, d), 1, "t")
        for m in (10, 11, 12)
        for d in (3, 9, 17, 24)
        for c in ("ALPHA", "BETA")
    ]
    Producer(r, keys).send(incidents)
    consumer = Consumer(r, keys)
    consumer.run(burst=True)
    consumer.close()
    for through, months in (
        ("2023-10", ["2023-11", "2023-12"]),
        ("2023-11", ["2023-12", "2024-01"]),
    ):
        ForecastArchive(r, keys).write(
            through,
            [
                CachedForecast(
                    c,
                    "Street Robbery",
                    months,
                    [4.0, 4.0],
                    [0.1, 0.1],
                    [1, 1],
                    [7, 7],
                    "m",
                    through,
                )
                for c in ("ALPHA", "BETA")
            ],
        )
    return accountability_report(r, keys, months=2, end="2023-12")


def test_accountability_report_posts_once_a_month(r, keys, sleeps):
    """The report queued for the admin channel posts once, as a report embed, and never again."""
    from workers.report.post import post_report

    report = _small_report(r, keys)
    assert post_report(r, keys, "99", report) and not post_report(r, keys, "99", report)
    d = Discordish()
    assert poster(r, keys, d, sleeps).drain().posted == ["99/report-2023-12"]
    embed = d.messages[0]["embed"]
    assert embed["title"] == "Accountability report · 2023-11 to 2023-12"
    assert "docs/data.md" in embed["footer"]["text"] and "Where it pointed" in embed["description"]
    assert not post_report(r, keys, "99", report)  # posted: this month's report is never re-queued


def test_alert_with_hot_series_attaches_a_map(r, keys, sleeps, alert_dict):
    """With area polygons stored, the weekly alert's one image is a map of what runs hot; with
    none it keeps its chart of the highest forecasts."""
    import io

    from PIL import Image
    from shapely.geometry import box

    from stream.boundaries import store_boundaries

    alert = alert_dict(n_hot=3)
    enqueue(r, keys, alert)
    d = Discordish()
    Poster(r, keys, d, sleep=sleeps.append).drain()
    chart = Image.open(io.BytesIO(d.messages[0]["png"]))
    assert "Title" not in getattr(chart, "text", {})  # the bar chart (no map text chunks)
    store_boundaries(r, keys, {f"C{i} <@123>": box(i, 0, i + 1, 1) for i in range(5)}, "t", "name")
    alert = {**alert, "iso_week": "2024-W04"}
    enqueue(r, keys, alert)
    Poster(r, keys, d, sleep=sleeps.append).drain()
    image = Image.open(io.BytesIO(d.messages[1]["png"]))
    assert "Running hot" in image.text["Title"] and image.text["Description"] == alert["caveat"]
