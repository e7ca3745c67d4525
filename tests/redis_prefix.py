"""Deleting what a test wrote under its key prefix, on a Redis other runs share.

Every key under the prefix, the rq keys named after it (queues, registries) and the jobs of its
queues (``rq:job:<id>`` names no prefix). Used by the ``keys`` fixture and by module-scoped
deployments (tests/ is on ``sys.path``: ``from redis_prefix import delete_prefix``).
"""

from __future__ import annotations

from stream.connection import connect
from stream.keys import Keys

__all__ = ["delete_prefix", "delete_rq_jobs"]


def delete_prefix(redis_url: str, prefix: str) -> int:
    """Delete every key of ``prefix`` and the rq keys named after it; returns how many went."""
    client = connect(redis_url)
    gone = 0
    try:
        for pattern in (Keys(prefix).all_pattern(), f"rq:*{prefix}*"):
            batch = list(client.scan_iter(match=pattern, count=1000))
            for start in range(0, len(batch), 500):
                gone += client.delete(*batch[start : start + 500])
    finally:
        client.close()
    return gone


def delete_rq_jobs(redis_url: str, prefix: str) -> None:
    """Delete the jobs of ``prefix``'s rq queues (queued, started, finished, failed, deferred,
    scheduled, cancelled) and the queues' own keys."""
    from rq import Queue
    from rq.registry import (
        CanceledJobRegistry,
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    raw = connect(redis_url, decode_responses=False)
    try:
        for kind in ("default", "models"):
            q = Queue(f"{prefix}.{kind}", connection=raw)
            ids = set(q.job_ids)
            for reg in (
                StartedJobRegistry,
                FinishedJobRegistry,
                FailedJobRegistry,
                DeferredJobRegistry,
                ScheduledJobRegistry,
                CanceledJobRegistry,
            ):
                ids.update(reg(queue=q).get_job_ids())
            for job_id in ids:
                raw.delete(
                    f"rq:job:{job_id}",
                    f"rq:results:{job_id}",
                    f"rq:job:{job_id}:dependents",
                    f"rq:job:{job_id}:dependencies",
                )
            for key in raw.scan_iter(match=f"rq:*{q.name}*", count=1000):
                raw.delete(key)
    finally:
        raw.close()
