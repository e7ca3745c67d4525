"""The stream worker process: counts incidents, closes months, hands closed months to the models.

``crimecast worker`` runs one :class:`stream.consumer.Consumer` (any number of these processes, on
any number of machines, share the consumer group). After batches (at most every
``check_every_s`` seconds, and once more when a burst run has drained the stream) it closes the
months whose grace period the watermark has passed (:func:`stream.months.due_months`) and, for each
month *this* process closed first, enqueues the model update (``workers.model_jobs.on_month_closed``)
on the ``models`` queue. ``close_month`` is idempotent across workers, so a month is handed over
once however many workers race for it.

The consumer keeps a heartbeat (:mod:`stream.liveness`): a worker that dies (SIGKILL, a lost
machine) is seen dead when its heartbeat lapses, and any running worker takes its entries at once.
``run(burst=True)`` returns once nothing is unread and nothing waits at a dead consumer; entries
still held by live consumers are named in :attr:`WorkerStats.left_pending`.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import signal
import threading
import time
from dataclasses import dataclass, field

from rq import Retry
from rq.job import Job

from core.months import check_month
from core.profile import active_profile
from stream.categories import CategorySet
from stream.batch_apply import BatchResult
from stream.consumer import Consumer
from stream.months import close_month, due_months, series_start

from .runtime import Runtime

log = logging.getLogger(__name__)

__all__ = [
    "StreamWorker",
    "close_due_months",
    "close_and_enqueue",
    "enqueue_model_update",
    "reconcile_model_update",
]

MODEL_UPDATE_TIMEOUT_S = 1800
MODEL_UPDATE_RETRY = Retry(max=3, interval=[60, 300, 900])
_warned: list[bool] = []


def _model_update_func() -> str:
    """Dotted path of the model update job: ``workers.model_jobs.on_month_closed``, which the rq
    worker imports (so this process never loads the model code or torch); if the model wiring is
    not installed, a job that records the close."""
    if importlib.util.find_spec("workers.model_jobs") is None:
        if not _warned:
            _warned.append(True)
            log.warning(
                "workers.model_jobs not available: closes are recorded, no model is updated"
            )
        return "workers.jobs.record_month_closed"
    return "workers.model_jobs.on_month_closed"


def enqueue_model_update(rt: Runtime, month: str) -> Job:
    """Queue the model update for ``month`` on the models queue (timeout and retry set)."""
    return rt.queue("models").enqueue_call(
        _model_update_func(),
        args=(month,),
        timeout=MODEL_UPDATE_TIMEOUT_S,
        retry=MODEL_UPDATE_RETRY,
        description=f"model update after {month} closed",
        failure_ttl=30 * 24 * 3600,
    )


def close_and_enqueue(rt: Runtime, month: str, reason: str) -> bool:
    """Close ``month``; if this call closed it first, enqueue the model update. True if it did."""
    check_month(month)
    if not close_month(rt.client, rt.keys, month, reason=reason):
        return False
    job = enqueue_model_update(rt, month)
    log.info("closed %s (%s); model update queued as %s", month, reason, job.id)
    return True


def close_due_months(rt: Runtime) -> list[str]:
    """Close every month the watermark has passed by ``grace_days``; return those closed here."""
    from stream.store import CountStore

    store = CountStore(rt.client, rt.keys)
    closed = store.closed_months()
    start = None
    if not closed:  # where the series begin: the profile says, else the counts show
        start = active_profile().series_start or series_start(store.month_totals())
    due = due_months(store.watermark(), rt.settings.grace_days, closed, store.months(), start=start)
    return [m for m in due if close_and_enqueue(rt, m, reason="watermark")]


def reconcile_model_update(rt: Runtime) -> str | None:
    """If the served forecasts rest on an older month than the last closed one (a worker died
    between closing and enqueueing, or the update failed for good), queue the update once more.

    At most one such job per month ever exists (its id names the month), so an hourly check never
    piles them up. Returns the month queued, or None.
    """
    from rq.exceptions import NoSuchJobError

    from stream.store import CountStore

    last = CountStore(rt.client, rt.keys).last_closed_month()
    if last is None:
        return None
    served = rt.client.hget(rt.keys.forecasts_meta, "data_through")
    if served is not None and str(served) >= last:
        return None
    job_id = re.sub(r"[^A-Za-z0-9_-]", "_", f"{rt.keys.prefix}-model-catch-up-{last}")
    try:
        Job.fetch(job_id, connection=rt.raw)
        return None  # already queued, running, done or failed: the health check reports it
    except NoSuchJobError:
        pass
    rt.queue("models").enqueue_call(
        _model_update_func(),
        args=(last,),
        timeout=MODEL_UPDATE_TIMEOUT_S,
        retry=MODEL_UPDATE_RETRY,
        job_id=job_id,
        description=f"model catch-up to {last}",
        failure_ttl=30 * 24 * 3600,
    )
    log.warning("forecasts rest on %s but %s has closed: model update queued", served, last)
    return last


@dataclass
class WorkerStats:
    """Running totals of one worker process, for the final log line and tests."""

    batches: int = 0
    applied: int = 0
    duplicates: int = 0
    dead: int = 0
    incidents: int = 0
    claimed: int = 0  # entries taken over from dead or stalled consumers
    closed: list[str] = field(default_factory=list)
    left_pending: dict[str, int] = field(default_factory=dict)  # burst: held by live consumers
    handed_back: int = 0  # entries it could not apply, left for a live consumer at its stop


class StreamWorker:
    """A consumer plus month closing. ``run(burst=True)`` drains the stream and returns."""

    def __init__(self, rt: Runtime, *, name: str | None = None, check_every_s: float = 5.0):
        s = rt.settings
        self.rt = rt
        self.consumer = Consumer(
            rt.client,
            rt.keys,
            name=name,
            categories=CategorySet.load(s.categories_file),
            batch_size=s.batch_size,
            block_ms=s.block_ms,
            claim_idle_ms=s.claim_idle_ms,
            max_deliveries=s.max_deliveries,
        )
        self.check_every_s = check_every_s
        self.stop = threading.Event()
        self.stats = WorkerStats()
        self._last_check = 0.0

    @property
    def name(self) -> str:
        return self.consumer.name

    def _on_batch(self, result: BatchResult) -> None:
        st = self.stats
        st.batches += 1
        st.applied += result.applied
        st.duplicates += result.duplicates
        st.dead += result.dead
        st.incidents += result.incidents
        st.claimed += result.claimed
        now = time.monotonic()
        if now - self._last_check >= self.check_every_s:
            self._last_check = now
            self._close_due()

    def _close_due(self) -> None:
        try:
            self.stats.closed.extend(close_due_months(self.rt))
        except Exception:  # a hiccup here must not stop counting; the next check retries
            log.exception("worker %s: month-close check failed", self.name)

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT finish the current batch, then stop (main thread only)."""

        def handler(signum, frame):  # noqa: ARG001
            log.info("worker %s: signal %s, stopping after this batch", self.name, signum)
            self.stop.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)

    def run(self, burst: bool = False) -> WorkerStats:
        log.info("stream worker %s started (burst=%s)", self.name, burst)
        try:
            self.consumer.run(burst=burst, stop=self.stop, on_batch=self._on_batch)
            self._close_due()  # after draining (or stopping): close what is now due
        finally:
            self.consumer.close()
        st = self.stats
        st.left_pending = dict(self.consumer.left_pending)
        st.handed_back = self.consumer.handed_back
        log.info(
            "stream worker %s done: %d counted, %d duplicates, %d dead-lettered, closed %s",
            self.name,
            st.applied,
            st.duplicates,
            st.dead,
            st.closed or "none",
        )
        return st
