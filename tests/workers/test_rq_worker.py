"""The rq workers stop at once: a burst run (every test's, the demo's) or a SIGTERM never waits out
rq's 60-second read of its command channel."""

from __future__ import annotations

import time

import pytest

from rq import SimpleWorker

from workers.rq_worker import ForkingWorker, ModelsWorker, PromptStop, make_worker
from workers.runtime import open_runtime


@pytest.fixture
def rt(settings_env, r):
    runtime = open_runtime(settings_env)
    yield runtime
    runtime.close()


@pytest.mark.parametrize("kind, cls", [("models", ModelsWorker), ("default", ForkingWorker)])
def test_workers_listen_in_short_reads_and_unsubscribe_at_once(rt, kind, cls):
    """Each queue's worker reads its command channel in short pieces; leaving it takes well under
    a second (rq's own listener reads for 60 s, and a stop could wait for all of it)."""
    worker = make_worker(rt, kind)
    assert isinstance(worker, cls)
    assert (kind == "models") == isinstance(worker, SimpleWorker)  # model jobs never fork
    worker.subscribe()
    try:
        assert worker.pubsub_thread.sleep_time == PromptStop.PUBSUB_READ_S <= 1.0
        assert worker.pubsub_thread.is_alive()
    finally:
        start = time.perf_counter()
        worker.unsubscribe()
    assert time.perf_counter() - start < 2.0
    assert not worker.pubsub_thread.is_alive()


def test_burst_runs_end_as_soon_as_the_queue_is_empty(rt):
    """Ten burst runs of the forking worker, a job each, take seconds, not minutes."""
    q = rt.queue("default")
    start = time.perf_counter()
    for _ in range(10):
        job = q.enqueue_call("os.getpid", result_ttl=60)
        make_worker(rt, "default").work(burst=True)
        job.refresh()
        assert job.get_status() == "finished"
    assert time.perf_counter() - start < 20.0
