"""rq job functions run by real rq workers: health check, month-close check, weekly alert."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from rq.job import Job, JobStatus

from stream.liveness import Heartbeat
from stream.producer import Producer
from stream.sources.calgary import read_calgary
from workers.alerts import Subscription, SubscriptionStore
from workers.jobs import collect_health
from workers.rq_worker import make_worker
from workers.runtime import open_runtime


@pytest.fixture
def rt(settings_env, r):
    runtime = open_runtime(settings_env)
    yield runtime
    runtime.close()


def _run(rt, func: str, *args, **kwargs) -> Job:
    job = rt.queue("default").enqueue_call(func, args=args, kwargs=kwargs, timeout=120)
    make_worker(rt, "default").work(burst=True)
    job.refresh()
    return job


def test_health_check_job_records_health(rt):
    """The health job runs in a real (forking) rq worker and stores its findings in Redis."""
    job = _run(rt, "workers.jobs.health_check")
    assert job.get_status() == JobStatus.FINISHED
    stored = rt.client.hgetall(rt.keys.health)
    assert json.loads(stored["ok"]) is False
    assert "no incident has been counted yet" in json.loads(stored["problems"])
    assert stored["redis_version"] == rt.server_version


def test_health_reports_fresh_and_stale_data(rt, calgary_slice, tools, calgary_panel):
    """With counts and forecasts in place, health is ok on a fresh day and flags stale data later."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    from stream.consumer import Consumer

    Consumer(rt.client, rt.keys).run(burst=True)
    tools.write_forecasts(rt.client, rt.keys, calgary_panel, "2023-12")
    fresh = collect_health(rt, today=date(2024, 1, 5))
    assert fresh["ok"], fresh["problems"]
    assert fresh["data_age_days"] == 5 and fresh["forecast_data_through"] == "2023-12"
    stale = collect_health(rt, today=date(2024, 6, 1))
    assert not stale["ok"] and any("days old" in p for p in stale["problems"])


def test_month_close_check_job_closes_and_queues_updates(rt, calgary_slice):
    """The hourly check (as an rq job) closes due months and queues one model update each."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    from stream.consumer import Consumer

    Consumer(rt.client, rt.keys).run(burst=True)  # counted, but no worker closed anything
    job = _run(rt, "workers.jobs.month_close_check")
    assert job.get_status() == JobStatus.FINISHED
    closed = job.return_value()["closed"]
    assert closed and closed[-1] == "2023-11"
    assert len(rt.queue("models").job_ids) == len(closed)
    again = _run(rt, "workers.jobs.month_close_check")
    assert again.return_value()["closed"] == []


def test_weekly_alert_job_queues_each_subscription(rt):
    """The weekly job, run by rq, queues one alert per subscription and reports the week."""
    SubscriptionStore(rt.client, rt.keys).add(Subscription("1", "city"))
    SubscriptionStore(rt.client, rt.keys).add(Subscription("2", "sector", sector="EAST"))
    job = _run(rt, "workers.jobs.weekly_alert", as_of="2023-06-19")
    assert job.return_value() == {
        "subscriptions": 2,
        "queued": 2,
        "already": 0,
        "failed": [],
        "iso_week": "2023-W24",
    }
    assert rt.client.xlen(rt.keys.alert_outbox) == 2


def test_weekly_alert_job_fails_for_retry_but_keeps_the_good_alerts(rt):
    """Alerts that cannot be built fail the job (so rq retries it); once fixed, each is queued once."""
    SubscriptionStore(rt.client, rt.keys).add(Subscription("1", "city"))
    rt.client.hset(rt.keys.subscriptions, "2", '{"channel_id": "2", "scope": "city"}')
    rt.client.set(rt.keys.forecasts_meta, "not a hash")  # the week's facts cannot be read
    job = _run(rt, "workers.jobs.weekly_alert", as_of="2023-06-19")
    assert job.get_status() in (JobStatus.FAILED, JobStatus.SCHEDULED)
    assert "AlertJobError" in (job.latest_result().exc_string or "")
    rt.client.delete(rt.keys.forecasts_meta)
    again = _run(rt, "workers.jobs.weekly_alert", as_of="2023-06-19")
    assert again.return_value()["queued"] == 2
    assert _run(rt, "workers.jobs.weekly_alert", as_of="2023-06-19").return_value()["already"] == 2


def test_health_notices_a_silent_scheduler(rt):
    """Once a scheduler has run, twenty minutes without a tick is reported."""
    from datetime import datetime, timedelta, timezone

    assert not any("scheduler" in p for p in collect_health(rt)["problems"])
    old = datetime.now(timezone.utc) - timedelta(hours=2)
    rt.client.hset(rt.keys.scheduler_last, "health", old.isoformat(timespec="seconds"))
    assert any(
        "scheduler has fired nothing for 120 minutes" in p for p in collect_health(rt)["problems"]
    )


def _hold(rt, name: str, n: int, ttl_ms: int) -> None:
    """Consumer ``name`` beats with ``ttl_ms`` and reads ``n`` entries it does not acknowledge."""
    Heartbeat(rt.client, rt.keys, name, ttl_ms).beat()
    rt.client.xreadgroup(rt.keys.consumer_group, name, {rt.keys.stream: ">"}, count=n)


def test_health_reports_entries_held_by_a_dead_consumer(rt, calgary_slice):
    """A consumer whose heartbeat lapsed while holding entries is counted dead, with what it holds,
    and the health check names it as a problem (as `crimecast status` does)."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    _hold(rt, "gone-7", 30, ttl_ms=100)
    _hold(rt, "live-3", 20, ttl_ms=60_000)
    time.sleep(0.3)  # gone-7's heartbeat lapses; live-3's does not
    health = collect_health(rt)
    assert (health["consumers"], health["dead_consumers"]) == (2, 1)
    assert (health["pending"], health["pending_at_dead_consumers"]) == (50, 30)
    assert not health["ok"]
    assert any("30 entries wait at dead consumers: gone-7 (30)" in p for p in health["problems"])


def test_health_finds_no_problem_with_a_live_consumer_holding_entries(rt, calgary_slice):
    """Entries held by a consumer whose heartbeat is alive are work in progress, not a problem."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    _hold(rt, "live-3", 20, ttl_ms=60_000)
    health = collect_health(rt)
    assert (health["consumers"], health["dead_consumers"]) == (1, 0)
    assert (health["pending"], health["pending_at_dead_consumers"]) == (20, 0)
    assert not any("dead consumer" in p for p in health["problems"])


def test_accountability_job_without_subscribers_keeps_the_report_and_queues_nothing(
    rt, report_data
):
    """With no channel subscribed the monthly job still keeps the report for the bot."""
    from workers.report import latest_report

    job = _run(rt, "workers.jobs.accountability_report", months=2, end="2023-12")
    assert job.return_value() == {
        "period": "report-2023-12",
        "channels": 0,
        "queued": 0,
        "already": 0,
    }
    assert latest_report(rt.client, rt.keys)["period"]["end"] == "2023-12"
    assert not rt.client.exists(rt.keys.alert_outbox)


def test_accountability_job_queues_the_report_for_subscribed_channels(rt, report_data):
    """`report subscribe` channels get this month's report queued once."""
    from typer.testing import CliRunner

    from bot.cli import app

    assert CliRunner().invoke(app, ["report", "subscribe", "777"]).exit_code == 0
    job = _run(rt, "workers.jobs.accountability_report", months=2, end="2023-12")
    assert job.return_value() == {
        "period": "report-2023-12",
        "channels": 1,
        "queued": 1,
        "already": 0,
    }
    ((_, fields),) = rt.client.xrange(rt.keys.alert_outbox)
    payload = json.loads(fields["alert"])
    assert fields["channel_id"] == "777" and payload["kind"] == "accountability"
    assert payload["report"]["period"]["end"] == "2023-12"
    again = _run(rt, "workers.jobs.accountability_report", months=2, end="2023-12")
    assert again.return_value()["already"] == 1
    assert CliRunner().invoke(app, ["report", "unsubscribe", "777"]).exit_code == 0
    assert CliRunner().invoke(app, ["report", "unsubscribe", "777"]).exit_code == 1


@pytest.fixture
def report_data(rt, calgary_slice, tools):
    """A slice of the real file counted, and two forecast sets archived."""
    import pandas as pd

    from stream.consumer import Consumer
    from stream.forecast_archive import ForecastArchive
    from stream.producer import Producer
    from stream.sources.calgary import read_calgary

    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    Consumer(rt.client, rt.keys).run(burst=True)
    panel = tools.panel_of(pd.read_csv(calgary_slice))
    for through in ("2023-10", "2023-11"):
        ForecastArchive(rt.client, rt.keys).write(through, tools.mean_forecasts(panel, through))
