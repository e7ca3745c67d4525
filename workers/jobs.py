"""rq job functions: each takes JSON-serialisable arguments, builds ``Settings()`` from the
environment, opens its own runtime and calls into ``stream``/``online_model``/``workers.alerts``.

The model jobs proper live in :mod:`workers.model_jobs` (run by a non-forking worker on the
``models`` queue); the names here delegate to it lazily so that importing this module never loads
torch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from datetime import date, datetime, timezone
from typing import Any, Iterator

from core.text import as_text

from stream.connection import node_info
from stream.liveness import group_status

from .runtime import Runtime, runtime
from .settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "AlertJobError",
    "accountability_report",
    "weekly_alert",
    "ingest_feed",
    "month_close_check",
    "health_check",
    "record_month_closed",
    "on_month_closed",
    "fine_tune",
    "full_train",
    "collect_health",
]

STALE_AFTER_DAYS = 45  # counts older than this are reported as a health problem
SCHEDULER_SILENT_S = 20 * 60  # the health job fires every 5 minutes: 20 silent minutes is a problem


@contextlib.contextmanager
def _job_runtime() -> Iterator[Runtime]:
    with runtime(Settings()) as rt:
        yield rt


def weekly_alert(as_of: str | None = None) -> dict:
    """Build every subscription's weekly alert and put it on the outbox (once per channel/week)."""
    from .alerts import run_weekly_alerts

    with _job_runtime() as rt:
        summary = run_weekly_alerts(rt.client, rt.keys, as_of)
    if summary["failed"]:
        # Fail the job so that rq retries it: alerts already queued are not queued again.
        channels = ", ".join(f["channel_id"] for f in summary["failed"])
        raise AlertJobError(
            f"weekly alert failed for {len(summary['failed'])} of "
            f"{summary['subscriptions']} subscriptions (channels {channels}); "
            f"{summary['queued']} queued"
        )
    return summary


class AlertJobError(RuntimeError):
    """Some subscriptions' alerts could not be built; the job fails so that rq retries it."""


def accountability_report(months: int = 12, end: str | None = None) -> dict:
    """Build the accountability report, keep it for the bot, and queue it for every channel
    subscribed to it (``crimecast report subscribe``; once per channel and report month)."""
    from .report.build import accountability_report as build
    from .report.build import save_report
    from .report.post import ReportChannels, period_label, post_report

    with _job_runtime() as rt:
        report = build(rt.client, rt.keys, months=months, end=end)
        save_report(rt.client, rt.keys, report)
        channels = ReportChannels(rt.client, rt.keys).all()
        queued = [
            c
            for c, hook in channels.items()
            if post_report(rt.client, rt.keys, c, report, webhook=hook)
        ]
    return {
        "period": period_label(report),
        "channels": len(channels),
        "queued": len(queued),
        "already": len(channels) - len(queued),
    }


def ingest_feed() -> dict:
    """Pull what the city's source feed has that is new and put it on the stream
    (:func:`workers.feed.pull`; a failed pull fails the job, so rq retries it)."""
    from .feed import pull

    with _job_runtime() as rt:
        return pull(rt)


def month_close_check() -> dict:
    """Close the months whose grace period has passed and queue the model update for each."""
    from .stream_worker import close_due_months, reconcile_model_update

    with _job_runtime() as rt:
        closed = close_due_months(rt)
        caught_up = None if closed else reconcile_model_update(rt)
    return {"closed": closed, "model_catch_up": caught_up}


def record_month_closed(month: str) -> dict:
    """Fallback model hook: record that ``month`` closed (used when no model wiring is installed)."""
    with _job_runtime() as rt:
        rt.client.hset(
            rt.keys.health,
            mapping={"last_month_closed": month, "last_month_closed_at": f"{time.time():.0f}"},
        )
    return {"month": month, "recorded": True}


def on_month_closed(month: str) -> dict:
    """Learn the closed month(s) and refresh the served forecasts (``workers.model_jobs``)."""
    from . import model_jobs

    return model_jobs.on_month_closed(month)


def fine_tune() -> dict:
    """Fine-tune the LSTM on closed months (``workers.model_jobs``; skips if nothing is new)."""
    from . import model_jobs

    return model_jobs.fine_tune()


def full_train() -> dict:
    """Train every model from scratch on every closed month (``workers.model_jobs``)."""
    from . import model_jobs

    return model_jobs.full_train()


def health_check() -> dict:
    """Record the deployment's health in ``keys.health`` and return it."""
    from .audit import trim_audit

    with _job_runtime() as rt:
        trim_audit(rt.client, rt.keys, rt.settings.audit_retention_days)  # retention, when idle
        return collect_health(rt, store=True)


def model_job_progress(client, keys) -> str | None:
    """What the running model job reports (``workers.model_jobs``), as one line, or None."""
    p = {as_text(a): as_text(b) for a, b in client.hgetall(keys.model_progress).items()}
    if not p:
        return None
    done, total = int(p.get("done", 0) or 0), int(p.get("total", 0) or 0)
    share = f" {100 * done / total:.0f}%" if total else ""
    left = p.get("left_s")
    eta = f", about {float(left) / 60:.1f} min left in this phase" if left else ""
    return f"{p.get('job', 'model job')}: {p.get('phase', '?')}{share}{eta}"


def model_lock_holder(client, keys, problems: list[str]) -> str | None:
    """Who holds the model lock (host, pid, for how long), or None; a holder seen dead on this
    host is a problem line (the next model job takes the lock over at once)."""
    from .model_lock import ModelLock

    holder = ModelLock(client, keys.model_dir_lock).holder()
    if holder is None:
        return None
    since = holder.get("since")
    held = f" for {time.time() - float(since):.0f}s" if since else ""
    text = f"{holder.get('host')} pid {holder.get('pid')}{held}"
    if ModelLock(client, keys.model_dir_lock).holder_dead(holder):
        problems.append(
            f"the model lock's holder ({text}) is dead: the next model job takes it over"
        )
    return text


def collect_health(rt: Runtime, *, store: bool = False, today: date | None = None) -> dict:
    """Redis, stream, counts, forecasts and queues at a glance, with a list of problems found.

    The stream part is :func:`stream.liveness.group_status`: consumers alive or dead, what they
    hold, and a problem when entries wait at a dead consumer (``crimecast status`` shows the same).
    """
    from rq.registry import FailedJobRegistry

    c, k = rt.client, rt.keys
    today = today or datetime.now(timezone.utc).date()
    problems: list[str] = []
    info = node_info(c, "memory", k.stream)  # on a Cluster: the master holding this deployment
    persistence = node_info(c, "persistence", k.stream)
    out: dict[str, Any] = {
        "checked_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "redis_version": rt.server_version,
        "redis_used_memory": info.get("used_memory_human"),
        "redis_aof": bool(persistence.get("aof_enabled")),
    }
    out["stream_length"] = c.xlen(k.stream) if c.exists(k.stream) else 0
    group = group_status(c, k)  # consumers alive or dead: stream.liveness decides
    out["pending"] = group.pending
    out["consumers"] = len(group.consumers)
    out["dead_consumers"] = sum(1 for s in group.consumers if not s.alive)
    out["pending_at_dead_consumers"] = group.pending_at_dead
    out["stream_consumers"] = group.to_dict()["consumers"]
    out["unread"] = group.unread
    out["oldest_unacked_age_s"] = group.oldest_unacked_age_s
    out["dead_letters"] = group.dead_letters
    problems.extend(group.warnings)
    wm = c.get(k.watermark)
    out["watermark"] = as_text(wm) if wm else None
    if wm:
        age = (today - date.fromisoformat(as_text(wm)[:10])).days
        out["data_age_days"] = age
        if age > STALE_AFTER_DAYS:
            problems.append(f"newest counted incident is {age} days old")
    else:
        out["data_age_days"] = None
        problems.append("no incident has been counted yet")
    last_closed = c.zrange(k.closed_months, -1, -1)
    out["last_closed_month"] = as_text(last_closed[0]) if last_closed else None
    meta = {as_text(a): as_text(b) for a, b in c.hgetall(k.forecasts_meta).items()}
    out["forecast_version"] = int(meta.get("version", 0) or 0)
    out["forecast_data_through"] = meta.get("data_through")
    out["forecast_model"] = meta.get("model")
    if not out["forecast_version"]:
        problems.append("no forecasts are served yet")
    elif (
        out["last_closed_month"]
        and meta.get("data_through")
        and meta["data_through"] < out["last_closed_month"]
    ):
        problems.append(
            f"forecasts rest on {meta['data_through']} although "
            f"{out['last_closed_month']} has closed"
        )
    from .city import recorded_city
    from .feed import feed_health
    from .model_state import check_served

    model, model_problems = check_served(rt, queue_retrain=store)  # the health job retrains
    out.update(model)
    problems.extend(model_problems)

    out["city"] = recorded_city(c, k)
    feed, feed_problems = feed_health(rt)
    out.update(feed)
    problems.extend(feed_problems)
    for kind in ("default", "models"):
        q = rt.queue(kind)
        out[f"queue_{kind}"] = q.count
        failed = FailedJobRegistry(queue=q).count
        out[f"failed_{kind}"] = failed
        if failed:
            problems.append(f"{failed} failed job(s) on the {kind} queue")
    out["model_job"] = model_job_progress(c, k)
    out["model_lock"] = model_lock_holder(c, k, problems)
    from .partition_watch import describe, run_progress

    out["model_runs"] = describe(run_progress(c, k, problems))
    out["alert_outbox"] = c.xlen(k.alert_outbox) if c.exists(k.alert_outbox) else 0
    last_tick = c.hget(k.scheduler_last, "health")
    out["scheduler_last_tick"] = as_text(last_tick) if last_tick else None
    if last_tick:
        idle = (
            datetime.now(timezone.utc) - datetime.fromisoformat(as_text(last_tick))
        ).total_seconds()
        if idle > SCHEDULER_SILENT_S:
            problems.append(f"the scheduler has fired nothing for {idle / 60:.0f} minutes")
    out["ok"] = not problems
    out["problems"] = problems
    if store:
        c.hset(
            k.health,
            mapping={key: v if isinstance(v, str) else json.dumps(v) for key, v in out.items()},
        )
    return out
