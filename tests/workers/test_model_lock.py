"""The model lock: a holder killed outright is replaced at once (its own host) or within the
heartbeat TTL (elsewhere), never after the job's timeout; a live holder keeps it past its TTL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workers.model_lock import LockLost, ModelLock

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
sys.path.insert(0, {root!r})
import redis
from workers.model_lock import ModelLock
client = redis.Redis.from_url({url!r}, decode_responses=True)
lock = ModelLock(client, {key!r}, ttl_s={ttl}, host={host!r})
assert lock.acquire(wait_s=5)
print("held", flush=True)
time.sleep(600)
"""


def _holder(redis_url, key, ttl, host=None):
    """A separate process that takes the lock and then hangs (as a job would, mid-train)."""
    code = HOLDER.format(root=str(ROOT), url=redis_url, key=key, ttl=ttl, host=host)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def lock_key(keys, r):
    yield keys.model_dir_lock
    r.delete(keys.model_dir_lock)


def test_a_killed_holder_on_this_host_is_replaced_at_once(redis_url, r, lock_key):
    proc = _holder(redis_url, lock_key, ttl=60)
    try:
        assert not ModelLock(r, lock_key, ttl_s=60).acquire(wait_s=1.0)  # alive: it waits
        os.kill(proc.pid, signal.SIGKILL)  # not reaped yet: a zombie counts as dead
        started = time.monotonic()
        lock = ModelLock(r, lock_key, ttl_s=60)
        with lock.held(wait_s=1800):
            took = time.monotonic() - started
            assert lock.took_over["pid"] == proc.pid
            lock.check()
    finally:
        proc.kill()
        proc.wait()
    assert took < 2.0  # not the 60 s TTL, nor the 1800 s the job would wait
    assert r.get(lock_key) is None  # released


def test_a_killed_holder_elsewhere_is_replaced_when_its_heartbeat_lapses(redis_url, r, lock_key):
    """A holder on another machine cannot be looked up: its lock lives only while it beats."""
    proc = _holder(redis_url, lock_key, ttl=1.5, host="another-machine")
    try:
        # alive for longer than its TTL: it keeps the lock by renewing it
        assert not ModelLock(r, lock_key, ttl_s=1.5).acquire(wait_s=3.0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        started = time.monotonic()
        lock = ModelLock(r, lock_key, ttl_s=1.5)
        assert lock.acquire(wait_s=1800)
        took = time.monotonic() - started
        lock.release()
    finally:
        proc.kill()
        proc.wait()
    assert took < 2.5
    assert lock.took_over is None  # it lapsed: nothing to take over


def test_a_holder_whose_lock_lapsed_writes_nothing(r, lock_key):
    lock = ModelLock(r, lock_key, ttl_s=30)
    assert lock.acquire(wait_s=1)
    r.set(lock_key, "another job")  # stalled past its TTL and taken over meanwhile
    with pytest.raises(LockLost):
        lock.check()
    lock.release()
    assert r.get(lock_key) == "another job"  # never releases what is not its own


def test_status_names_the_holder_and_a_dead_one_is_a_problem(redis_url, r, keys, lock_key):
    from workers.jobs import model_lock_holder

    proc = _holder(redis_url, lock_key, ttl=60)
    try:
        problems: list[str] = []
        assert f"pid {proc.pid}" in model_lock_holder(r, keys, problems) and not problems
        proc.kill()
        proc.wait()
        assert f"pid {proc.pid}" in model_lock_holder(r, keys, problems)
        assert problems and "dead" in problems[0]
    finally:
        proc.kill()
        proc.wait()
