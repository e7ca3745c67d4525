"""rq worker processes for the two queues.

- ``models``: a non-forking :class:`rq.SimpleWorker`. Model jobs load torch, which starts thread
  pools; forking a process after that can deadlock, so model jobs run in the worker process itself,
  one at a time. Any number of them may run, on any machines: a partitioned run's jobs spread over
  them (:mod:`workers.partitioned`), and their maintenance retries a partition job whose worker
  died (:mod:`workers.partition_watch`).
- ``default``: a forking :class:`rq.Worker` (alerts, month-close checks, health checks: light jobs
  that are isolated from each other by the fork).

Both run with rq's scheduler on (outside burst mode) so that retries with intervals are re-queued.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker, Worker

from .runtime import Runtime

log = logging.getLogger(__name__)

__all__ = ["QUEUES", "make_worker", "run_worker"]

QUEUES = ("default", "models")


class ModelsWorker(SimpleWorker):
    """The models queue's worker: its maintenance (every ``CRIMECAST_PARTITION_WATCH_S``, idle
    or between jobs) also retries partition jobs whose worker died
    (:func:`workers.partition_watch.watch`)."""

    rt: Runtime | None = None

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if self.rt is not None:
            from .partition_watch import watch

            try:
                watch(self.rt)
            except Exception:  # the watch never stops the worker
                log.exception("watching partitioned runs failed")


def make_worker(rt: Runtime, kind: str, *, name: str | None = None) -> Worker:
    """The worker for queue ``kind``: ``ModelsWorker`` (a ``SimpleWorker``) for models,
    ``Worker`` for default."""
    if kind not in QUEUES:
        raise ValueError(f"queue must be one of {', '.join(QUEUES)}, not {kind!r}")
    if kind == "models":
        every = rt.settings.partition_watch_s
        worker = ModelsWorker(
            [rt.queue(kind)],
            connection=rt.raw,
            name=name,
            maintenance_interval=max(1, int(every)),
            worker_ttl=int(every) + 16,  # an idle worker wakes every worker_ttl - 15 s
        )
        worker.rt = rt
        return worker
    return Worker([rt.queue(kind)], connection=rt.raw, name=name)


def run_worker(rt: Runtime, kind: str, *, burst: bool = False, name: str | None = None) -> bool:
    """Work queue ``kind`` (until drained with ``burst``); True if any job was processed."""
    worker = make_worker(rt, kind, name=name)
    log.info(
        "rq %s worker %s on queue %s (burst=%s)",
        type(worker).__name__,
        worker.name,
        rt.queue(kind).name,
        burst,
    )
    return worker.work(burst=burst, with_scheduler=not burst, logging_level="INFO")
