"""Partitioned runs seen from outside: a partition job whose worker died is retried at once, and
``crimecast status`` says how far each run is.

rq by itself does retry a job whose worker was killed, but late: the job stays in the
``StartedJobRegistry`` until its execution entry expires (a ``SimpleWorker`` sets it to the job's
timeout + 60 s) and the next registry cleanup (a worker's maintenance, every 10 minutes by default)
then retries it if it has retries left (``StartedJobRegistry.cleanup``, rq 3.0). A partition job
therefore holds a heartbeat claim (:class:`~workers.model_lock.ModelLock`: host, pid, a TTL of
``CRIMECAST_MODEL_LOCK_TTL_S`` renewed by a thread); :func:`watch` finds a started partition job
whose claim lapsed (or whose process is gone, on its own host) and hands it to rq's own retry at
once (``Job.retry``: the job's ``Retry`` budget applies), its execution removed from the started
registry so that rq's later cleanup does not retry it a second time. Out of retries, the job is
recorded failed and its run ends ``failed``: the served set stays the previous run's.

:func:`watch` runs at the end of every partition job and in every models worker's maintenance
(``CRIMECAST_PARTITION_WATCH_S``, :mod:`workers.rq_worker`).
"""

from __future__ import annotations

import logging
import time

from core.text import as_text

from .model_lock import ModelLock
from .partitioned import end_run, run_info
from .runtime import Runtime

log = logging.getLogger(__name__)

#: a started job with no claim yet is given this many claim TTLs to take it (it is loading)
CLAIM_GRACE_TTLS = 2


def watch(rt: Runtime) -> list[dict]:
    """Retry the partition jobs of runs in flight whose worker died; what was done, per job."""
    c, k = rt.client, rt.keys
    out = []
    for raw in c.zrange(k.model_runs_active, 0, -1):
        run = int(as_text(raw))
        info = run_info(c, k, run)
        if info.get("status") != "running":
            c.zrem(k.model_runs_active, str(run))
            continue
        done = {as_text(p) for p in c.smembers(k.model_run_done(run))}
        for part in range(int(info.get("partitions", 0))):
            if str(part) in done or not info.get(f"job:{part}"):
                continue
            did = _check(rt, run, part, info[f"job:{part}"])
            if did:
                out.append(did)
    return out


def _check(rt: Runtime, run: int, part: int, job_id: str) -> dict | None:
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    c, k, ttl = rt.client, rt.keys, rt.settings.model_lock_ttl_s
    try:
        job = Job.fetch(job_id, connection=rt.raw)
    except NoSuchJobError:
        return None
    status = job.get_status()
    if status == JobStatus.FAILED:  # out of retries (an error, or rq's own cleanup): never served
        end_run(c, k, run, "failed", f"partition {part}: its job failed (rq job {job.id})")
        return {"run": run, "partition": part, "job": job.id, "retried": False}
    if status != JobStatus.STARTED:
        return None
    claim = ModelLock(c, k.model_run_claim(run, part), ttl)
    holder = claim.holder()
    if holder is None:
        started = job.started_at.timestamp() if job.started_at else time.time()
        if time.time() - started < CLAIM_GRACE_TTLS * ttl + 1:
            return None  # still starting up
    elif not claim.holder_dead(holder):
        return None
    # one watcher acts on a dead job (several workers may watch at once)
    if not c.set(k.model_run_requeue(run, part), job_id, nx=True, px=int(ttl * 1000)):
        return None
    return _retry(rt, run, part, job, holder)


def _retry(rt: Runtime, run: int, part: int, job, holder: dict | None) -> dict:
    from rq.job_lifecycle import record_job_failure

    c, k = rt.client, rt.keys
    queue = rt.queue("models")
    who = f"{holder.get('host')} pid {holder.get('pid')}" if holder else "a worker"
    with rt.raw.pipeline() as pipe:
        queue.started_job_registry.remove_executions(job, pipeline=pipe)
        retry = bool(job.retries_left and job.retries_left > 0)
        if retry:
            job.retry(queue, pipe)
        else:
            record_job_failure(job, f"partition {part} of run {run}: {who} died", pipe)
        pipe.execute()
    c.hincrby(k.model_run(run), f"died:{part}", 1)
    if retry:
        log.warning("run %d partition %d: %s died; job %s retried", run, part, who, job.id)
    else:
        log.error("run %d partition %d: %s died, no retry left: run failed", run, part, who)
        end_run(c, k, run, "failed", f"partition {part}: its worker died, no retry left")
    return {"run": run, "partition": part, "job": job.id, "retried": retry}


def run_progress(client, keys, problems: list[str] | None = None) -> list[dict]:
    """Each run in flight (and the newest ended one): partitions done / total, running (with
    their holders), retried, failed, and an estimate of what is left from the partitions' times."""
    runs = [int(as_text(r)) for r in client.zrange(keys.model_runs_active, 0, -1)]
    newest = int(client.get(keys.model_run_seq) or 0)
    if newest and newest not in runs:
        runs.append(newest)
    out = []
    for run in sorted(runs):
        info = run_info(client, keys, run)
        if not info:
            continue
        total = int(info.get("partitions", 0))
        done = {int(as_text(p)) for p in client.smembers(keys.model_run_done(run))}
        running, retried = [], 0
        for part in range(total):
            retried += max(0, int(info.get(f"attempts:{part}", 0)) - 1)
            if part in done:
                continue
            holder = ModelLock(client, keys.model_run_claim(run, part)).holder()
            if holder:
                running.append(f"{part} ({holder.get('host')} pid {holder.get('pid')})")
        secs = [float(info[f"seconds:{p}"]) for p in done if f"seconds:{p}" in info]
        workers = max(1, len(running))
        left = (total - len(done)) * (sum(secs) / len(secs)) / workers if secs else None
        rec = {
            "run": run,
            "kind": info.get("kind"),
            "status": info.get("status"),
            "data_through": info.get("data_through"),
            "partitions_done": len(done),
            "partitions": total,
            "running": running,
            "retried": retried,
            "died": sum(int(v) for f, v in info.items() if f.startswith("died:")),
            "left_s": None if left is None or info.get("status") != "running" else round(left, 1),
        }
        if info.get("status") == "failed" and problems is not None:
            problems.append(f"model run {run} ({info.get('kind')}) failed: {info.get('reason')}")
        out.append(rec)
    return out


def describe(progress: list[dict]) -> str | None:
    """One line per run for ``crimecast status`` (None when there is none)."""
    if not progress:
        return None
    lines = []
    for r in progress:
        line = (
            f"run {r['run']} ({r['kind']}, through {r['data_through']}): {r['status']}, "
            f"{r['partitions_done']}/{r['partitions']} partitions"
        )
        if r["running"]:
            line += f", running {', '.join(r['running'])}"
        if r["retried"] or r["died"]:
            line += f", {r['retried']} retried ({r['died']} after a worker died)"
        if r["left_s"] is not None:
            line += f", about {r['left_s'] / 60:.1f} min left"
        lines.append(line)
    return "; ".join(lines)
