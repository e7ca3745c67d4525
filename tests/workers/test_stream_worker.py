"""The stream worker: counts, closes due months, hands each closed month to the models once."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from rq.job import Job

from stream.producer import Producer
from stream.sources.calgary import read_calgary
from stream.store import CountStore
from workers.runtime import open_runtime
from workers.stream_worker import (
    MODEL_UPDATE_TIMEOUT_S,
    StreamWorker,
    close_and_enqueue,
    close_due_months,
)


@pytest.fixture
def rt(settings_env, r):
    runtime = open_runtime(settings_env)
    yield runtime
    runtime.close()


def _model_jobs(rt) -> list[Job]:
    return [Job.fetch(i, connection=rt.raw) for i in rt.queue("models").job_ids]


def test_burst_worker_drains_counts_closes_and_enqueues(rt, calgary_slice, tools):
    """A burst run counts the slice exactly, closes every due month and queues one update each."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    stats = StreamWorker(rt, name="w1").run(burst=True)
    store = CountStore(rt.client, rt.keys)
    expected = tools.expected_counts(pd.read_csv(calgary_slice))
    got = {(c, k, m): v for m in store.months() for (c, k), v in store.month_counts(m).items()}
    assert got == expected
    # portal rows are dated on their month's last day: watermark 2023-12-31, 14 days' grace
    assert store.watermark().isoformat() == "2023-12-31"
    assert stats.closed == store.closed_months() == [m for m in store.months() if m <= "2023-11"]
    jobs = _model_jobs(rt)
    assert [j.args[0] for j in jobs] == stats.closed
    for job in jobs:
        assert job.func_name in (
            "workers.model_jobs.on_month_closed",
            "workers.jobs.record_month_closed",
        )
        assert job.timeout == MODEL_UPDATE_TIMEOUT_S and job.retries_left == 3
    events = rt.client.xrange(rt.keys.events)
    assert [e[1]["month"] for e in events if e[1]["type"] == "month_closed"] == stats.closed


def test_second_run_closes_nothing_new(rt, calgary_slice):
    """Re-running the worker (or the hourly check) closes nothing twice and queues nothing more."""
    Producer(rt.client, rt.keys).send(read_calgary(calgary_slice))
    StreamWorker(rt).run(burst=True)
    before = rt.queue("models").count
    assert StreamWorker(rt).run(burst=True).closed == []
    assert close_due_months(rt) == []
    assert rt.queue("models").count == before


def test_concurrent_workers_hand_each_month_over_once(settings_env, r, calgary_slice):
    """Three workers racing on one stream count exactly and queue one update per closed month."""
    rts = [open_runtime(settings_env) for _ in range(3)]
    try:
        Producer(rts[0].client, rts[0].keys).send(read_calgary(calgary_slice))
        workers = [StreamWorker(rt, name=f"w{i}", check_every_s=0.0) for i, rt in enumerate(rts)]
        threads = [threading.Thread(target=w.run, kwargs={"burst": True}) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        store = CountStore(rts[0].client, rts[0].keys)
        closed = store.closed_months()
        months = [j.args[0] for j in _model_jobs(rts[0])]
        assert sorted(months) == closed and len(months) == len(set(months))
        assert sum(len(w.stats.closed) for w in workers) == len(closed)
        assert sum(w.stats.applied for w in workers) == len(pd.read_csv(calgary_slice))
    finally:
        for rt in rts:
            rt.close()


def test_manual_close_enqueues_once(rt):
    """close-month by hand closes and queues once; a second call changes nothing."""
    assert close_and_enqueue(rt, "2024-01", reason="manual")
    assert not close_and_enqueue(rt, "2024-01", reason="manual")
    assert [j.args[0] for j in _model_jobs(rt)] == ["2024-01"]
    with pytest.raises(ValueError):
        close_and_enqueue(rt, "2024-13", reason="manual")


def test_record_month_closed_job_runs_in_simple_worker(rt, settings_env):
    """The fallback hook runs as a real rq job and records the close in the health hash."""
    from workers.rq_worker import InProcessWorker

    rt.queue("models").enqueue_call(
        "workers.jobs.record_month_closed", args=("2023-11",), timeout=60
    )
    InProcessWorker([rt.queue("models")], connection=rt.raw).work(burst=True)
    assert rt.client.hget(rt.keys.health, "last_month_closed") == "2023-11"


def test_month_closed_without_update_is_caught_up_once(rt):
    """A month closed with no model update queued (a crash in between) is queued once by the check."""
    from stream.months import close_month
    from workers.stream_worker import reconcile_model_update

    close_month(rt.client, rt.keys, "2023-10", reason="watermark")
    close_month(rt.client, rt.keys, "2023-11", reason="watermark")
    rt.client.hset(rt.keys.forecasts_meta, "data_through", "2023-10")
    assert reconcile_model_update(rt) == "2023-11"
    assert reconcile_model_update(rt) is None
    assert [j.args[0] for j in _model_jobs(rt)] == ["2023-11"]
    rt.client.hset(rt.keys.forecasts_meta, "data_through", "2023-11")
    close_month(rt.client, rt.keys, "2023-12", reason="watermark")
    rt.client.hset(rt.keys.forecasts_meta, "data_through", "2023-12")
    assert reconcile_model_update(rt) is None  # forecasts are current: nothing to do


def test_worker_process_stops_cleanly_on_sigterm(settings_env, r, keys, calgary_slice):
    """`crimecast worker` (no --burst) counts what arrives and exits 0 on SIGTERM, as docker stop sends."""
    import os
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker", "--name", "sigterm"],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        Producer(r, keys).send(read_calgary(calgary_slice))
        deadline = time.time() + 30
        while time.time() < deadline and not r.zrange(keys.closed_months, 0, -1):
            time.sleep(0.2)
        assert r.zrange(keys.closed_months, 0, -1), "the running worker closed no month"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "worker sigterm" in out and "months closed: 2022-01" in " ".join(out.split())
