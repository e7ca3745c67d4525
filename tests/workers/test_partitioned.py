"""Partitioned training and serving over rq (workers/partitioned.py), against the real Redis with
real rq workers: the served set equals the single-job one, and a worker killed mid-partition
leaves the served set whole (one run's or the next's, never a mix) while its job is retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from workers.rq_worker import InProcessWorker
from rq.job import Job

from stream.forecast_cache import ForecastCache
from stream.months import close_month
from stream.store import CountStore
from workers import model_jobs
from workers.partition_watch import run_progress
from workers.partitioned import run_info
from workers.rq_worker import make_worker
from workers.runtime import runtime

ROOT = Path(__file__).resolve().parents[2]
# `crimecast rq-worker --queue models`, each partition job made to last at least 0.4 s (a sleep
# before it reads its counts) so that the test can kill one mid-job whatever the machine's load
SLOW_PARTITIONS = """
import sys, time
import workers.partitioned as p
read = p.read_panel
p.read_panel = lambda *a: (time.sleep(0.4), read(*a))[1]
from bot.cli import app
sys.argv[0] = "crimecast"
sys.exit(app())
"""
WORKER = [sys.executable, "-c", SLOW_PARTITIONS, "rq-worker", "--queue", "models"]


@pytest.fixture
def loaded(r, keys, calgary_frame, tmp_path, tools, settings_env):
    """16 real communities, 2022-2023, months through 2023-10 closed."""
    comms = sorted(calgary_frame["Community"].unique())[40:56]
    frame = calgary_frame[calgary_frame["Community"].isin(comms) & (calgary_frame["Year"] >= 2022)]
    tools.ingest_frame(r, keys, frame, tmp_path)
    store = CountStore(r, keys)
    for m in store.months():
        if m <= "2023-10":
            close_month(r, keys, m, "test")
    return store


def _served(r, keys) -> dict:
    return {s: f.mean for s, f in ForecastCache(r, keys).read_all().items()}


def _close(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(abs(x - y) for s in a for x, y in zip(a[s], b[s]))


def _train_in_process(rt) -> None:
    """``full_train`` and whatever it queues, on one in-process models worker (burst)."""
    rt.queue("models").enqueue("workers.model_jobs.full_train", job_timeout=600)
    make_worker(rt, "models").work(burst=True)
    assert rt.queue("models").failed_job_registry.count == 0


def test_partitioned_train_serves_the_single_job_set_on_one_or_three_workers(
    loaded, r, r_raw, keys, settings_env, monkeypatch, tmp_path
):
    """One job, three partitions on one worker, three partitions on three worker processes with
    one killed mid-partition: the same forecasts; readers never see two runs' forecasts at once."""
    with runtime(settings_env) as rt:
        rt.queue("models").enqueue("workers.model_jobs.full_train", job_timeout=600)
        InProcessWorker([rt.queue("models")], connection=rt.raw).work(burst=True)
    single = _served(r, keys)
    assert len(single) == len(CountStore(r, keys).series())
    assert r.get(keys.model_run_seq) is None  # a small city: the single-job path, as before

    monkeypatch.setenv("CRIMECAST_PARTITIONS", "3")
    monkeypatch.setenv("CRIMECAST_MODEL_LOCK_TTL_S", "1")
    monkeypatch.setenv("CRIMECAST_PARTITION_WATCH_S", "1")
    from workers.settings import Settings

    with runtime(Settings()) as rt:
        _train_in_process(rt)
    one = _served(r, keys)
    assert run_info(r, keys, 1)["status"] == "served"
    assert ForecastCache(r, keys).meta()["run"] == "1"
    assert _close(single, one) < 1e-3  # the cache keeps 4 decimals

    # three workers as separate processes; readers poll the served set all along
    seen, stop = [], threading.Event()

    def read() -> None:
        while not stop.is_set():
            tags = {f.model for f in ForecastCache(r, keys).read_all().values()}
            seen.append(tags)
            time.sleep(0.01)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = [open(tmp_path / f"w{i}.log", "w") for i in range(3)]
    procs = [
        subprocess.Popen([*WORKER, "--name", f"pw{i}"], env=env, cwd=ROOT, stdout=f, stderr=f)
        for i, f in enumerate(logs)
    ]
    pids = {p.pid: p for p in procs}
    killed = None
    try:
        with runtime(Settings()) as rt:
            rt.queue("models").enqueue("workers.model_jobs.full_train", job_timeout=600)
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline:  # the first partition claimed
            for part in range(3):
                holder = r.get(keys.model_run_claim(2, part))
                pid = holder and __import__("json").loads(holder)["pid"]
                if pid in pids:
                    pids[pid].send_signal(signal.SIGKILL)
                    killed = (part, pid)
                    break
            time.sleep(0.02)
        assert killed, "no partition job was seen running"
        while time.monotonic() < deadline and run_info(r, keys, 2).get("status") == "running":
            time.sleep(0.1)
    finally:
        stop.set()
        reader.join(5)
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
    info = run_info(r, keys, 2)
    assert info["status"] == "served", (info, [p.read_text() for p in tmp_path.glob("w*.log")])
    part = killed[0]
    assert int(info[f"died:{part}"]) == 1  # seen dead and retried through rq ...
    job = Job.fetch(info[f"job:{part}"], connection=r_raw)  # ... by rq, out of its Retry budget
    assert job.get_status() == "finished" and job.retries_left == Settings().partition_retries - 1
    three = _served(r, keys)
    assert _close(one, three) < 1e-9  # the same forecasts whatever the number of workers
    assert all(len(tags) <= 1 for tags in seen)  # never two runs' forecasts at once ...
    order = [t for tags in seen for t in tags]
    changes = [t for i, t in enumerate(order) if i == 0 or t != order[i - 1]]
    served = ForecastCache(r, keys).meta()["model"]
    assert changes in ([served], [f"ensemble@{int(info['version']) - 1}", served])  # ... old, new
    progress = run_progress(r, keys)
    assert progress[-1]["partitions_done"] == 3 and progress[-1]["died"] == 1


def test_a_run_whose_partition_fails_for_good_is_never_served(
    loaded, r, keys, settings_env, monkeypatch, tools
):
    """The staged version lost before the partitions run: each job fails, is retried, fails; the
    run ends failed (a problem in ``crimecast status``) and the served set stays the previous."""
    import shutil

    from workers.jobs import collect_health
    from workers.partition_watch import watch
    from workers.settings import Settings

    tools.write_forecasts(r, keys, loaded.panel(end="2023-10"), "2023-10")  # the set served
    before = ForecastCache(r, keys).read_all()
    monkeypatch.setenv("CRIMECAST_PARTITIONS", "2")
    monkeypatch.setenv("CRIMECAST_PARTITION_RETRIES", "1")
    settings = Settings()
    out = model_jobs.full_train()
    assert out["run"]["partitions"] == 2
    shutil.rmtree(settings.models_path / model_jobs.MODEL_NAME / f"v{out['version']:04d}")
    with runtime(settings) as rt:
        make_worker(rt, "models").work(burst=True)
        assert rt.queue("models").failed_job_registry.count == 2  # each after its one retry
        watch(rt)  # as every models worker's maintenance does
        health = collect_health(rt)
    info = run_info(r, keys, out["run"]["run"])
    assert info["status"] == "failed" and "failed" in info["reason"]
    assert ForecastCache(r, keys).read_all() == before
    assert any(f"model run {out['run']['run']}" in p for p in health["problems"])
    assert "failed" in health["model_runs"]
