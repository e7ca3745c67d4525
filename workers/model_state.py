"""Upgrades keep the forecasts: a served model the registry no longer loads is retrained.

The registry refuses a model saved under other library versions (a rebuilt image with a newer
river, numpy, pandas or torch: by design, a pickle is not a format). Without this the refusal was a
warning in a job's log, the weekly fine-tune said "no trained model yet" and the forecasts waited
for the next month close. Now the health check (every 5 minutes) asks the registry whether the
served model would load (:meth:`online_model.registry.Registry.check`: the manifest, the files'
hashes and the installed versions, nothing unpickled), and if not queues one full retrain
(``workers.model_jobs.full_train`` on the models queue, one job per refused version) and records
why in ``keys.model_state``; ``crimecast status`` and the health check say so, and once the new
model loads they say which version it replaced and why.
"""

from __future__ import annotations

import re
import time
from typing import Any

from rq.exceptions import NoSuchJobError
from rq.job import Job

from online_model.registry import Registry, RegistryError

from .runtime import Runtime

__all__ = ["MODEL_NAME", "check_served"]

MODEL_NAME = "served"  # workers.model_jobs.MODEL_NAME, without importing the model code
RETRAIN_TIMEOUT_S = 3600


def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def _job_status(rt: Runtime, job_id: str) -> str | None:
    try:
        status = Job.fetch(job_id, connection=rt.raw).get_status()
    except NoSuchJobError:
        return None
    return getattr(status, "value", status)


def check_served(rt: Runtime, *, queue_retrain: bool = False) -> tuple[dict[str, Any], list[str]]:
    """The served model's state for status and health, and its problems; with ``queue_retrain``
    (the health job) a refused model gets its full retrain queued, once."""
    reg = Registry(rt.settings.models_path)
    state = {_s(k): _s(v) for k, v in rt.client.hgetall(rt.keys.model_state).items()}
    out: dict[str, Any] = {
        "model_registry": str(reg.root),
        "model_version": reg.current(MODEL_NAME),
    }
    if out["model_version"] is None:
        return out, []
    try:
        manifest = reg.check(MODEL_NAME)
    except RegistryError as exc:
        reason = str(exc)
        job_id = re.sub(r"[^A-Za-z0-9_-]", "_", f"{rt.keys.prefix}-retrain-v{out['model_version']}")
        status = _job_status(rt, job_id)
        if queue_retrain and status in (None, "failed", "canceled", "stopped"):
            if status is not None:
                Job.fetch(job_id, connection=rt.raw).delete()
            rt.queue("models").enqueue_call(
                "workers.model_jobs.full_train",
                timeout=RETRAIN_TIMEOUT_S,
                job_id=job_id,
                description=f"retrain: the served model no longer loads ({reason})",
                failure_ttl=30 * 24 * 3600,
            )
            status = "queued"
            rt.client.hset(
                rt.keys.model_state,
                mapping={
                    "refused": reason,
                    "refused_version": str(out["model_version"]),
                    "retrain_job": job_id,
                    "at": f"{time.time():.0f}",
                },
            )
        out.update(
            model_loads=False,
            model_refused=reason,
            model_retrain_job=job_id,
            model_retrain_status=status,
        )
        what = (
            f"a full retrain is {status} (job {job_id})"
            if status
            else "the next health check queues a full retrain"
        )
        return out, [f"the served model no longer loads: {reason}; {what}"]
    out["model_loads"] = True
    out["model_libraries"] = manifest.libraries
    if state.get("refused") and state.get("refused_version") != str(manifest.version):
        out["model_retrained"] = (
            f"v{manifest.version} was retrained automatically after "
            f"v{state['refused_version']} was refused: {state['refused']}"
        )
    return out, []
