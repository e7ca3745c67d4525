"""The scheduler: cron parsing, one fire per run across replicas, catching up a missed run once."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from rq.job import Job

from workers.alerts import Subscription, SubscriptionStore
from workers.rq_worker import make_worker
from workers.runtime import open_runtime
from workers.scheduler import JobSpec, Scheduler, default_jobs, parse_cron, previous_run

TZ = ZoneInfo("America/Edmonton")
MONDAY_8 = datetime(2023, 6, 19, 8, 0, tzinfo=TZ)


@pytest.fixture
def rt(settings_env, r):
    runtime = open_runtime(settings_env)
    yield runtime
    runtime.close()


@pytest.fixture
def rt2(settings_env, r):
    """A second replica's connections to the same Redis and prefix."""
    runtime = open_runtime(settings_env)
    yield runtime
    runtime.close()


@pytest.mark.parametrize(
    "expr,after,expected",
    [
        ("mon 08:00", datetime(2023, 6, 14, tzinfo=TZ), datetime(2023, 6, 19, 8, 0, tzinfo=TZ)),
        (
            "daily 03:30",
            datetime(2023, 6, 14, 4, 0, tzinfo=TZ),
            datetime(2023, 6, 15, 3, 30, tzinfo=TZ),
        ),
        ("0 8 * * mon", datetime(2023, 6, 14, tzinfo=TZ), datetime(2023, 6, 19, 8, 0, tzinfo=TZ)),
        ("SUN 3:00", datetime(2023, 6, 14, tzinfo=TZ), datetime(2023, 6, 18, 3, 0, tzinfo=TZ)),
    ],
)
def test_parse_cron_accepts_day_time_and_crontab(expr, after, expected):
    """'DAY HH:MM' and 5-field crontabs both give the expected next run in the zone."""
    assert parse_cron(expr, "America/Edmonton").get_next_fire_time(None, after) == expected


@pytest.mark.parametrize("expr", ["someday 08:00", "mon 25:00", "mon", "0 8 * *", ""])
def test_parse_cron_rejects_nonsense(expr):
    """A schedule that cannot be read is a ValueError quoting it."""
    with pytest.raises(ValueError, match="schedule"):
        parse_cron(expr, "UTC")


def test_unknown_timezone_is_a_clear_error():
    """A misspelt time zone names itself."""
    with pytest.raises(ValueError, match="Mars/Olympus"):
        parse_cron("mon 08:00", "Mars/Olympus")


def test_previous_run_respects_grace():
    """The run due at 08:00 is owed at 09:30 with six hours' grace, not at 14:30."""
    trigger = parse_cron("mon 08:00", TZ)
    assert previous_run(trigger, MONDAY_8 + timedelta(minutes=90), 6 * 3600) == MONDAY_8
    assert previous_run(trigger, MONDAY_8 + timedelta(hours=6, minutes=30), 6 * 3600) is None
    assert previous_run(trigger, MONDAY_8 - timedelta(seconds=1), 6 * 3600) is None


def test_every_job_has_timeout_and_retry(rt):
    """Each scheduled job is enqueued with an explicit timeout and a retry policy with intervals."""
    sched = Scheduler(rt)
    assert set(sched.jobs) == {
        "weekly_alert",
        "accountability_report",
        "fine_tune",
        "month_close",
        "health",
        "ingest",
    }  # ingest: Calgary's profile has a feed
    for spec in default_jobs(rt.settings):
        run = previous_run(
            spec.trigger, MONDAY_8 + timedelta(days=7), 40 * 24 * 3600
        )  # monthly too
        assert sched.fire(spec.id, run)
        job_id = rt.queue(spec.queue).job_ids[-1]
        job = Job.fetch(job_id, connection=rt.raw)
        assert job.timeout == spec.timeout_s > 0
        assert job.retries_left == spec.retry_max >= 1
        assert job.retry_intervals == list(spec.retry_intervals)
        assert job.func_name == spec.func
    weekly = Job.fetch(rt.queue("default").job_ids[0], connection=rt.raw)
    assert weekly.kwargs == {"as_of": "2023-06-26"}


def test_two_replicas_fire_the_weekly_run_once(rt, rt2):
    """Two schedulers against one Redis at the same tick enqueue one weekly alert job."""
    a, b = Scheduler(rt, name="a"), Scheduler(rt2, name="b")
    tick = MONDAY_8 + timedelta(milliseconds=300)
    fired = [a.fire_due("weekly_alert", tick), b.fire_due("weekly_alert", tick)]
    assert sorted(fired) == [False, True]
    assert rt.queue("default").count == 1
    assert a.last_fired("weekly_alert") == MONDAY_8


def test_two_running_apschedulers_fire_each_run_once(rt, rt2):
    """Two live APScheduler replicas of an every-second job enqueue one job per second."""
    spec = JobSpec(
        "tick",
        "workers.jobs.health_check",
        "default",
        CronTrigger(second="*", timezone=TZ),
        grace_s=30,
        timeout_s=10,
        retry_max=1,
        retry_intervals=(1,),
    )
    replicas = [Scheduler(rt, [spec], name="a"), Scheduler(rt2, [spec], name="b")]
    for s in replicas:
        s.build(blocking=False)
        s.start(blocking=False)
    time.sleep(3.2)
    for s in replicas:
        s.shutdown()
    ids = rt.queue("default").job_ids
    assert len(ids) >= 3
    assert len(ids) == len(set(ids))  # one rq job per run: the run time is in the job id
    runs = sorted(i.rsplit("-", 1)[1] for i in ids)
    assert len(runs) == len(set(runs))


def test_restart_after_missed_run_fires_once(rt, rt2):
    """Down at 08:00, back at 09:30: the run fires once; later restarts and replicas add nothing."""
    first = Scheduler(rt, name="a")
    fired = first.catch_up(MONDAY_8 + timedelta(minutes=90))
    assert "weekly_alert" in fired and "fine_tune" not in fired
    assert first.last_fired("weekly_alert") == MONDAY_8
    assert Scheduler(rt2, name="b").due_run("weekly_alert", MONDAY_8 + timedelta(hours=2)) is None
    assert "weekly_alert" not in Scheduler(rt2, name="b").catch_up(MONDAY_8 + timedelta(hours=2))
    weekly = [
        j for j in rt.queue("default").get_jobs() if j.func_name == "workers.jobs.weekly_alert"
    ]
    assert len(weekly) == 1


def test_restart_beyond_grace_does_not_fire(rt):
    """Back only after the grace period: the missed weekly run is skipped, not fired late."""
    sched = Scheduler(rt)
    late = MONDAY_8 + timedelta(seconds=rt.settings.misfire_grace_s + 60)
    assert "weekly_alert" not in sched.catch_up(late)
    assert sched.last_fired("weekly_alert") is None


def test_missed_run_caught_up_posts_one_alert_per_channel(rt, rt2):
    """Catch-up on two restarted replicas, then a real rq worker: one alert per channel on the outbox."""
    store = SubscriptionStore(rt.client, rt.keys)
    store.add(Subscription("100", "city"))
    store.add(Subscription("200", "communities", communities=["BELTLINE"]))
    back = MONDAY_8 + timedelta(hours=1)
    Scheduler(rt, name="a").catch_up(back)
    Scheduler(rt2, name="b").catch_up(back + timedelta(minutes=5))
    make_worker(rt, "default").work(burst=True)
    entries = rt.client.xrange(rt.keys.alert_outbox)
    assert sorted(e[1]["channel_id"] for e in entries) == ["100", "200"]
    assert {e[1]["iso_week"] for e in entries} == {"2023-W24"}


class RecordingSender:
    """Stands in for Discord: records what would have been posted."""

    def __init__(self):
        self.posts: list[tuple[str, dict]] = []

    def send(self, channel_id, embed, png, nonce):
        self.posts.append((channel_id, embed))
        return f"msg-{len(self.posts)}"


def test_restarts_and_reruns_post_each_channel_once(rt, rt2):
    """Missed run, two restarts, a re-run of the job and two drains: each channel is posted once."""
    from bot.transports.poster import Poster

    SubscriptionStore(rt.client, rt.keys).add(Subscription("100", "city"))
    SubscriptionStore(rt.client, rt.keys).add(Subscription("200", "sector", sector="EAST"))
    sender = RecordingSender()
    for replica, minutes in ((rt, 60), (rt2, 65), (rt, 200)):
        Scheduler(replica, name=f"r{minutes}").catch_up(MONDAY_8 + timedelta(minutes=minutes))
        rt.queue("default").enqueue_call(
            "workers.jobs.weekly_alert", kwargs={"as_of": "2023-06-19"}, timeout=60
        )  # an operator re-running the job by hand
        make_worker(rt, "default").work(burst=True)
        Poster(rt.client, rt.keys, sender, charts=False, sleep=lambda s: None).drain()
    assert sorted(channel for channel, _ in sender.posts) == ["100", "200"]
    assert rt.client.xlen(rt.keys.alert_outbox) == 0


def test_failed_enqueue_gives_the_run_back(rt, rt2):
    """If enqueueing fails (e.g. a bad job spec or Redis hiccup), the run stays owed and fires later."""
    spec = default_jobs(rt.settings)[0]
    broken = JobSpec(
        spec.id,
        spec.func,
        spec.queue,
        spec.trigger,
        spec.grace_s,
        spec.timeout_s,
        spec.retry_max,
        spec.retry_intervals,
        run_kwargs=lambda run: {"as_of": threading.Lock()},
    )  # unpicklable: enqueue fails
    with pytest.raises(Exception):  # noqa: B017 - whatever the pickler raises
        Scheduler(rt, [broken]).fire_due("weekly_alert", MONDAY_8 + timedelta(minutes=5))
    assert Scheduler(rt2).last_fired("weekly_alert") is None
    assert Scheduler(rt2).fire_due("weekly_alert", MONDAY_8 + timedelta(minutes=10))
    assert rt.queue("default").count == 1
