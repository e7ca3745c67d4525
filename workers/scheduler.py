"""The scheduler decides *when*; rq workers do the work.

Every scheduled run goes through :meth:`Scheduler.fire_due`, which works out the run the trigger
was due for (the latest scheduled time not after now, within the job's grace period) and fires it
at most once across every replica and restart:

- a Redis lock ``SET NX EX`` keyed by job id and scheduled run time (``keys.scheduler_lock``), so
  two replicas firing the same run enqueue one job;
- a persistent record of the last run fired per job (``keys.scheduler_last``), so a scheduler that
  was down at 08:00 and comes back within the grace period fires the missed run once (at start-up,
  :meth:`Scheduler.catch_up`), and a later restart does not fire it again.

APScheduler (3.x) provides the timing: cron triggers in ``settings.zone()`` (the city's), ``coalesce=True``
and ``misfire_grace_time=settings.misfire_grace_s``. Each fire enqueues an rq job with an explicit
``job_timeout`` and ``Retry(max=..., interval=[...])``; job functions are named by dotted path so
that the scheduler never imports the model code (or torch).
"""

from __future__ import annotations

import logging
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from rq import Retry

from core.text import as_text

from .runtime import Runtime
from .settings import Settings

log = logging.getLogger(__name__)

__all__ = ["JobSpec", "Scheduler", "default_jobs", "parse_cron", "previous_run"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SIMPLE = re.compile(
    r"^\s*(?P<day>[a-z*]+(?:-[a-z]+)?(?:,[a-z]+)*)\s+(?P<h>\d{1,2}):(?P<m>\d{2})\s*$", re.I
)

# Fire the last-run record only forward (ISO UTC strings of one format sort as times).
_FIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', tonumber(ARGV[2])) == false then
  return false
end
local last = redis.call('HGET', KEYS[2], ARGV[3])
if (not last) or last < ARGV[4] then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
end
return last or ''
"""
# Give a run back when its enqueue failed: drop the lock, restore the previous last-run record.
_UNFIRE = """
redis.call('DEL', KEYS[1])
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  if ARGV[3] == '' then redis.call('HDEL', KEYS[2], ARGV[1])
  else redis.call('HSET', KEYS[2], ARGV[1], ARGV[3]) end
end
return 1
"""


def parse_cron(expr: str, tz: str | ZoneInfo) -> CronTrigger:
    """``"mon 08:00"`` (day HH:MM; day ``*`` or ``daily`` = every day) or a 5-field crontab.

    >>> t = parse_cron("mon 08:00", "America/Edmonton")
    >>> t.get_next_fire_time(None, datetime(2026, 11, 25, tzinfo=ZoneInfo("America/Edmonton"))).isoformat()
    '2026-11-30T08:00:00-07:00'
    >>> parse_cron("someday", "UTC")
    Traceback (most recent call last):
    ...
    ValueError: schedule 'someday' is neither 'DAY HH:MM' (e.g. 'mon 08:00') nor a 5-field crontab
    """
    zone = _zone(tz)
    text = (expr or "").strip().lower()
    match = _SIMPLE.match(text)
    if match:
        day, hour, minute = match["day"], int(match["h"]), int(match["m"])
        if day in ("daily", "*"):
            day = "*"
        elif not all(part[:3] in _DAYS for chunk in day.split(",") for part in chunk.split("-")):
            raise ValueError(f"schedule {expr!r}: unknown day {day!r} (use mon..sun, daily or *)")
        if hour > 23 or minute > 59:
            raise ValueError(f"schedule {expr!r}: time must be HH:MM within 00:00..23:59")
        return CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=zone)
    if len(text.split()) == 5:
        try:
            return CronTrigger.from_crontab(text, timezone=zone)
        except ValueError as exc:
            raise ValueError(f"schedule {expr!r} is not a valid crontab: {exc}") from exc
    raise ValueError(
        f"schedule {expr!r} is neither 'DAY HH:MM' (e.g. 'mon 08:00') nor a 5-field crontab"
    )


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {tz!r} (use an IANA name such as America/Edmonton)"
        ) from exc


def previous_run(trigger: CronTrigger, now: datetime, grace_s: float) -> datetime | None:
    """The latest time ``trigger`` was due at or before ``now``, if within ``grace_s`` of now."""
    start = now - timedelta(seconds=grace_s)
    t = trigger.get_next_fire_time(None, start)
    last = None
    while t is not None and t <= now:
        last = t
        t = trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
    return last


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: when (trigger, grace), what (an rq job by dotted path, on a queue), and
    its timeout and retry policy. ``run_kwargs`` builds the job's arguments from the run time."""

    id: str
    func: str
    queue: str
    trigger: CronTrigger
    grace_s: int
    timeout_s: int
    retry_max: int
    retry_intervals: tuple[int, ...]
    run_kwargs: Callable[[datetime], dict[str, Any]] = field(default=lambda run: {})
    description: str = ""

    def retry(self) -> Retry:
        return Retry(max=self.retry_max, interval=list(self.retry_intervals))


def _alert_kwargs(run: datetime) -> dict[str, Any]:
    return {"as_of": run.date().isoformat()}


REPORT_CRON = "0 9 3 * *"  # the accountability report: the 3rd of each month, 09:00 local


def default_jobs(settings: Settings) -> list[JobSpec]:
    """The scheduled jobs of a deployment, timed from ``settings``."""
    tz = settings.zone()  # CRIMECAST_TIMEZONE, else the city profile's
    grace = settings.misfire_grace_s
    return [
        JobSpec(
            "weekly_alert",
            "workers.jobs.weekly_alert",
            "default",
            parse_cron(settings.alert_cron, tz),
            grace,
            900,
            3,
            (60, 300, 900),
            _alert_kwargs,
            "build every subscription's weekly alert and queue it for posting",
        ),
        JobSpec(
            "accountability_report",
            "workers.jobs.accountability_report",
            "default",
            parse_cron(REPORT_CRON, tz),
            grace,
            1800,
            3,
            (300, 900, 1800),
            description="build the monthly accountability report and queue it for the "
            "channels subscribed to it",
        ),
        JobSpec(
            "fine_tune",
            "workers.model_jobs.fine_tune",
            "models",
            parse_cron(settings.finetune_cron, tz),
            grace,
            3600,
            2,
            (600, 1800),
            description="fine-tune the LSTM on closed months (skips if none is new)",
        ),
        JobSpec(
            "month_close",
            "workers.jobs.month_close_check",
            "default",
            CronTrigger(minute=7, timezone=_zone(tz)),
            3000,
            300,
            3,
            (30, 120, 600),
            description="close months whose grace period has passed; queue the model update",
        ),
        JobSpec(
            "health",
            "workers.jobs.health_check",
            "default",
            CronTrigger(minute="*/5", timezone=_zone(tz)),
            240,
            60,
            1,
            (30,),
            description="record Redis, stream, queue and data-freshness health",
        ),
    ] + _feed_jobs(settings, tz, grace)


def _feed_jobs(settings: Settings, tz: str, grace: int) -> list[JobSpec]:
    """The ``ingest`` job when the city profile's source has a feed to pull (workers/feed.py)."""
    from core.profile import load_profile

    feed = load_profile(settings.city_file).source.feed
    if feed is None or feed.kind == "push":
        return []
    return [
        JobSpec(
            "ingest",
            "workers.jobs.ingest_feed",
            "default",
            parse_cron(feed.every, tz),
            grace,
            1800,
            3,
            (60, 300, 900),
            description=f"pull new data from the source feed ({feed.kind})",
        )
    ]


def _run_key(run: datetime) -> str:
    return run.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


class Scheduler:
    """Scheduled runs for one deployment; safe to run as several replicas against one Redis."""

    def __init__(self, rt: Runtime, jobs: list[JobSpec] | None = None, *, name: str | None = None):
        self.rt = rt
        self.settings = rt.settings
        self.tz = _zone(self.settings.zone())
        self.jobs = {j.id: j for j in (jobs if jobs is not None else default_jobs(self.settings))}
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self._aps = None

    # --- the one way a run is fired ----------------------------------------------------------
    def fire(self, job_id: str, run: datetime) -> bool:
        """Fire the run of ``job_id`` scheduled at ``run`` unless some replica already did."""
        spec = self.jobs[job_id]
        keys = self.rt.keys
        run_key = _run_key(run)
        lock = keys.scheduler_lock(job_id, run_key)
        # The lock only has to outlive the grace period: after it, the last-run record says no.
        ttl = max(spec.grace_s * 2, 3600)
        run_utc = run.astimezone(timezone.utc).isoformat(timespec="seconds")
        previous = self.rt.client.eval(
            _FIRE, 2, lock, keys.scheduler_last, self.name, ttl, job_id, run_utc
        )
        if previous is None:
            log.info("%s run %s already fired by another replica", job_id, run.isoformat())
            return False
        try:
            job = self.rt.queue(spec.queue).enqueue_call(
                spec.func,
                kwargs=spec.run_kwargs(run.astimezone(self.tz)),
                timeout=spec.timeout_s,
                retry=spec.retry(),
                job_id=_job_id(keys.prefix, job_id, run_key),
                description=f"{job_id} run {run.isoformat()}",
                failure_ttl=30 * 24 * 3600,
            )
        except Exception:
            # Nothing was queued: give the run back so a retry (or another replica) can fire it.
            prev = as_text(previous) if previous is not None else None
            self.rt.client.eval(_UNFIRE, 2, lock, keys.scheduler_last, job_id, run_utc, prev)
            raise
        log.info("fired %s for %s as rq job %s", job_id, run.isoformat(), job.id)
        return True

    def due_run(self, job_id: str, now: datetime | None = None) -> datetime | None:
        """The run ``job_id`` owes at ``now``: the latest scheduled time within its grace period
        that is later than the last run fired."""
        spec = self.jobs[job_id]
        now = now or datetime.now(self.tz)
        run = previous_run(spec.trigger, now.astimezone(self.tz), spec.grace_s)
        if run is None:
            return None
        last = self.last_fired(job_id)
        if last is not None and last >= run:
            return None
        return run

    def fire_due(self, job_id: str, now: datetime | None = None) -> bool:
        """Fire the run ``job_id`` owes at ``now`` if any (what APScheduler calls at each tick)."""
        run = self.due_run(job_id, now)
        return False if run is None else self.fire(job_id, run)

    def catch_up(self, now: datetime | None = None) -> list[str]:
        """At start-up: fire every run missed while no scheduler was up (within grace), once."""
        return [job_id for job_id in self.jobs if self.fire_due(job_id, now)]

    def last_fired(self, job_id: str) -> datetime | None:
        raw = self.rt.client.hget(self.rt.keys.scheduler_last, job_id)
        if raw is None:
            return None
        return datetime.fromisoformat(as_text(raw))

    # --- APScheduler ---------------------------------------------------------------------------
    def build(self, blocking: bool = True):
        """An APScheduler scheduler with one entry per job, each calling :meth:`fire_due`."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.schedulers.blocking import BlockingScheduler

        cls = BlockingScheduler if blocking else BackgroundScheduler
        aps = cls(timezone=self.tz, job_defaults={"coalesce": True, "max_instances": 1})
        for spec in self.jobs.values():
            aps.add_job(
                self._safe_fire_due,
                trigger=spec.trigger,
                args=[spec.id],
                id=spec.id,
                name=spec.description or spec.id,
                misfire_grace_time=spec.grace_s,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        self._aps = aps
        return aps

    def _safe_fire_due(self, job_id: str) -> None:
        try:
            self.fire_due(job_id)
        except Exception:  # a Redis hiccup must not kill the scheduler thread
            log.exception("could not fire %s; the next tick or restart will catch up", job_id)

    def start(self, blocking: bool = True) -> None:
        """Catch up on missed runs, then run the schedule (blocks when ``blocking``)."""
        fired = self.catch_up()
        if fired:
            log.info("caught up on missed runs: %s", ", ".join(fired))
        aps = self._aps or self.build(blocking)
        aps.start()

    def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)

    def describe(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Each job with its queue, next run, last run fired, timeout and retry policy."""
        now = (now or datetime.now(self.tz)).astimezone(self.tz)
        out = []
        for spec in self.jobs.values():
            nxt = spec.trigger.get_next_fire_time(None, now)
            last = self.last_fired(spec.id)
            out.append(
                {
                    "job": spec.id,
                    "queue": spec.queue,
                    "func": spec.func,
                    "next_run": nxt.isoformat() if nxt else None,
                    "last_fired": last.astimezone(self.tz).isoformat() if last else None,
                    "timeout_s": spec.timeout_s,
                    "retry": list(spec.retry_intervals),
                    "grace_s": spec.grace_s,
                }
            )
        return out


def _job_id(prefix: str, job_id: str, run_key: str) -> str:
    """An rq job id (letters, digits, ``_`` and ``-`` only) naming the run.

    >>> _job_id("cc.test", "weekly_alert", "20261130T150000Z")
    'cc_test-weekly_alert-20261130T150000Z'
    """
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{prefix}-{job_id}-{run_key}")
