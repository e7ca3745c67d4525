"""rq worker processes for the two queues.

- ``models``: a non-forking :class:`rq.SimpleWorker`. Model jobs load torch, which starts thread
  pools; forking a process after that can deadlock, so model jobs run in the worker process itself,
  one at a time. Any number of them may run, on any machines: a partitioned run's jobs spread over
  them (:mod:`workers.partitioned`), and their maintenance retries a partition job whose worker
  died (:mod:`workers.partition_watch`).
- ``default``: a forking :class:`rq.Worker` (alerts, month-close checks, health checks: light jobs
  that are isolated from each other by the fork).

Both run with rq's scheduler on (outside burst mode) so that retries with intervals are re-queued.
Both listen for rq's commands in short reads, so that a worker stops at once (:class:`PromptStop`).
"""

from __future__ import annotations

import logging

from rq import SimpleWorker, Worker

from .runtime import Runtime

log = logging.getLogger(__name__)

__all__ = [
    "QUEUES",
    "ForkingWorker",
    "InProcessWorker",
    "ModelsWorker",
    "PromptStop",
    "make_worker",
    "run_worker",
]

QUEUES = ("default", "models")


class PromptStop:
    """A worker whose command listener reads in ``PUBSUB_READ_S`` pieces, so that it stops at once.

    rq 3.0 listens in 60-second reads and counts on the reply to its UNSUBSCRIBE to wake the
    listener; when that reply is read before the stop flag is set, the listener sleeps another
    read and the stopping worker (redis-py 8 joins the listener without a timeout) waits up to
    60 s: every burst run could end a minute late (``work(burst=True)`` in each test, the demo).
    """

    PUBSUB_READ_S = 0.2

    def subscribe(self) -> None:
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=self.PUBSUB_READ_S,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


class InProcessWorker(PromptStop, SimpleWorker):
    """rq's non-forking worker (jobs run in the worker process), stopping promptly."""


class ForkingWorker(PromptStop, Worker):
    """rq's forking worker (each job in a child process), stopping promptly."""


class ModelsWorker(InProcessWorker):
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
    """The worker for queue ``kind``: :class:`ModelsWorker` (non-forking) for models,
    :class:`ForkingWorker` for default."""
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
    return ForkingWorker([rt.queue(kind)], connection=rt.raw, name=name)


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
