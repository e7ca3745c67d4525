"""Operator commands end to end: worker, close-month, rq-worker, scheduler, status, alerts admin."""

from __future__ import annotations

import json

import pytest
from rq.job import Job
from typer.testing import CliRunner

from stream.producer import Producer
from stream.sources.calgary import read_calgary
from stream.store import CountStore
from workers.alerts import SubscriptionStore
from bot.cli import app
from workers.runtime import queue_name

runner = CliRunner()


def _flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def _jobs(r_raw, settings, kind):
    from rq import Queue

    return [
        Job.fetch(i, connection=r_raw)
        for i in Queue(queue_name(settings, kind), connection=r_raw).job_ids
    ]


def test_worker_burst_drains_closes_and_enqueues(settings_env, r, r_raw, keys, calgary_slice):
    """`crimecast worker --burst` counts everything, closes due months and queues the model jobs."""
    Producer(r, keys).send(read_calgary(calgary_slice))
    result = runner.invoke(app, ["worker", "--burst", "--name", "t1"])
    assert result.exit_code == 0, result.output
    store = CountStore(r, keys)
    assert store.backlog()["pending"] == 0
    closed = store.closed_months()
    assert closed and closed[-1] == "2023-11"
    assert f"months closed: {', '.join(closed)}" in _flat(result.output)
    assert [j.args[0] for j in _jobs(r_raw, settings_env, "models")] == closed


def test_close_month_command(settings_env, r, r_raw):
    """close-month closes and queues once, says so the second time, and refuses a bad month."""
    first = runner.invoke(app, ["close-month", "2024-02"])
    assert first.exit_code == 0 and "closed 2024-02" in first.output
    second = runner.invoke(app, ["close-month", "2024-02"])
    assert second.exit_code == 0 and "already closed" in second.output
    bad = runner.invoke(app, ["close-month", "2024-2"])
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output and "Traceback" not in bad.output
    future = runner.invoke(app, ["close-month", "2099-01"])
    assert future.exit_code == 2 and "has not ended" in _flat(future.output)
    assert [j.args[0] for j in _jobs(r_raw, settings_env, "models")] == ["2024-02"]


def test_rq_worker_burst_runs_the_default_queue(settings_env, r, r_raw, keys):
    """`crimecast rq-worker --burst` runs the queued jobs of its queue and exits."""
    from rq import Queue

    Queue(queue_name(settings_env, "default"), connection=r_raw).enqueue_call(
        "workers.jobs.health_check", timeout=60
    )
    result = runner.invoke(app, ["rq-worker", "--queue", "default", "--burst"])
    assert result.exit_code == 0, result.output
    assert r.hget(keys.health, "ok") == "false"  # nothing counted yet: the check says so
    assert Queue(queue_name(settings_env, "default"), connection=r_raw).count == 0


def test_rq_worker_rejects_unknown_queue(settings_env, r):
    """An unknown queue name is a usage error, not a traceback."""
    result = runner.invoke(app, ["rq-worker", "--queue", "fast"])
    assert result.exit_code == 2 and "default, models" in result.output


def test_scheduler_list_and_catch_up(settings_env, r):
    """`scheduler --list` shows the four jobs; `--catch-up-only` fires what is owed and exits."""
    listed = runner.invoke(app, ["scheduler", "--list"])
    assert listed.exit_code == 0, listed.output
    for job in ("weekly_alert", "fine_tune", "month_close", "health"):
        assert job in listed.output
    caught = runner.invoke(app, ["scheduler", "--catch-up-only"])
    assert caught.exit_code == 0 and "fired" in caught.output


def test_scheduler_bad_setting_is_reported(settings_env, r, monkeypatch):
    """A malformed alert schedule stops the scheduler with a message naming it."""
    monkeypatch.setenv("CRIMECAST_ALERT_CRON", "someday at eight")
    result = runner.invoke(app, ["scheduler", "--list"])
    assert result.exit_code == 2 and "someday at eight" in result.output


def test_status_json_reports_problems(settings_env, r):
    """`status --json` is JSON with health fields and names what is missing."""
    result = runner.invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert "no forecasts are served yet" in data["problems"]
    assert {s["job"] for s in data["schedule"]} == {
        "weekly_alert",
        "accountability_report",
        "fine_tune",
        "month_close",
        "health",
        "ingest",
    }
    assert data["feed"].startswith("drop folder ") and data["feed"].endswith(
        "workbooks, every daily 06:00"
    )
    assert data["last_pull_at"] is None


def test_status_unreachable_redis_is_a_clear_error(settings_env, r, monkeypatch):
    """With Redis down, status says it cannot use Redis (no traceback, no password)."""
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 1
    assert "cannot use Redis" in result.output and "hunter2" not in result.output


def test_alerts_subscribe_list_unsubscribe(settings_env, r, keys):
    """Admins subscribe channels by scope and categories, list them, and unsubscribe."""
    ok = runner.invoke(
        app,
        [
            "alerts",
            "subscribe",
            "111",
            "--community",
            "Beltline",
            "--community",
            "forest lawn",
            "--category",
            "theft of vehicle",
        ],
    )
    assert ok.exit_code == 0, ok.output
    runner.invoke(app, ["alerts", "subscribe", "222", "--sector", "northeast"])
    runner.invoke(app, ["alerts", "subscribe", "333"])
    subs = {s.channel_id: s for s in SubscriptionStore(r, keys).all()}
    assert subs["111"].communities == ["BELTLINE", "FOREST LAWN"]
    assert subs["111"].categories == ["Theft OF Vehicle"]
    assert subs["222"].sector == "NORTHEAST" and subs["333"].scope == "city"
    listed = runner.invoke(app, ["alerts", "list", "--json"])
    assert [s["channel_id"] for s in json.loads(listed.stdout)] == ["111", "222", "333"]
    gone = runner.invoke(app, ["alerts", "unsubscribe", "222"])
    assert gone.exit_code == 0
    again = runner.invoke(app, ["alerts", "unsubscribe", "222"])
    assert again.exit_code == 1 and "no subscription" in again.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["alerts", "subscribe", "1", "--category", "jaywalking"], "unknown category"),
        (["alerts", "subscribe", "1", "--sector", "centre", "--community", "BELTLINE"], "not both"),
        (["alerts", "subscribe", "1", "--sector", "middle earth"], "needs a sector"),
        (["alerts", "subscribe", "1", "--webhook"], "CRIMECAST_WEBHOOK_URL"),
    ],
)
def test_alerts_subscribe_rejects_bad_requests(settings_env, r, keys, args, message):
    """Bad subscriptions are refused with a message and nothing is stored."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in _flat(result.output)
    assert SubscriptionStore(r, keys).all() == []


def test_status_shows_consumers_alive_or_dead_and_warns_about_dead_ones(
    settings_env, r, r_raw, keys, calgary_slice
):
    """`status` lists each consumer alive or dead with its pending count and idle time, the
    oldest unacknowledged entry's age and the dead letters, and warns about a dead one's entries."""
    Producer(r, keys).send(read_calgary(calgary_slice))
    r_raw.xreadgroup(keys.consumer_group, "gone-7", {keys.stream: ">"}, count=30)
    r_raw.xreadgroup(keys.consumer_group, "live-3", {keys.stream: ">"}, count=20)
    r.set(keys.heartbeat("live-3"), '{"host": "box", "pid": 3}', px=60_000)
    data = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    by = {c["name"]: c for c in data["stream_consumers"]}
    assert (by["gone-7"]["alive"], by["gone-7"]["pending"]) == (False, 30)
    assert (by["live-3"]["alive"], by["live-3"]["pending"]) == (True, 20)
    assert data["pending_at_dead_consumers"] == 30 and data["oldest_unacked_age_s"] >= 0
    assert data["dead_letters"] == 0
    assert any("30 entries wait at dead consumers: gone-7 (30)" in p for p in data["problems"])
    text = _flat(runner.invoke(app, ["status"]).output.replace("│", " "))
    assert "gone-7 dead 30" in text and "live-3 alive 20" in text
    assert "entries wait at dead consumers" in text


def test_burst_worker_names_entries_held_by_live_consumers(
    settings_env, r, r_raw, keys, calgary_slice
):
    """`worker --burst` counts the rest and says which live consumers still hold entries."""
    Producer(r, keys).send(read_calgary(calgary_slice))
    r_raw.xreadgroup(keys.consumer_group, "busy-1", {keys.stream: ">"}, count=25)
    r.set(keys.heartbeat("busy-1"), "{}", px=60_000)
    result = runner.invoke(app, ["worker", "--burst", "--name", "b1"])
    assert result.exit_code == 0, result.output
    assert "25 entries are still pending at live consumers: busy-1 (25)" in _flat(result.output)
    assert "drained: nothing unread" not in result.output
