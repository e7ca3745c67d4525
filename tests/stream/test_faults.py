"""Faults: a consumer killed mid-batch, a Redis server killed mid-ingest, the real file end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import redis

from portal_oracle import expected_counts  # tests/ is on sys.path (tests/conftest.py)
from stream.connection import connect
from stream.consumer import Consumer
from stream.producer import Producer
from stream.sources.calgary import read_calgary
from stream.store import CountStore

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, time
from stream.connection import connect
from stream.consumer import Consumer
from stream.keys import Keys

class SlowConsumer(Consumer):
    batches = 0

    def _apply(self, good, dead, result):
        SlowConsumer.batches += 1
        print("BATCH", flush=True)   # entries are read and pending: a kill now is mid-batch
        if SlowConsumer.batches == 3:
            time.sleep(60)           # the third batch hangs until the test kills us
        super()._apply(good, dead, result)

SlowConsumer(connect(sys.argv[1]), Keys(sys.argv[2]), name="victim", batch_size=40,
             block_ms=100).run()
"""


def _expected(path) -> dict:
    """The file's counts as tests/portal_oracle.py reads it (pandas, not crimecast's reader)."""
    return expected_counts(pd.read_csv(path))


def _counted(store: CountStore) -> dict:
    return {(c, k, m): n for m in store.months() for (c, k), n in store.month_counts(m).items()}


def _running_consumer(url: str, keys) -> tuple[threading.Event, threading.Thread]:
    """A consumer counting in a thread (small batches, short blocking reads) until the event."""
    stop = threading.Event()
    consumer = Consumer(connect(url), keys, batch_size=100, block_ms=100)
    worker = threading.Thread(target=consumer.run, kwargs={"stop": stop}, daemon=True)
    worker.start()
    return stop, worker


def _wait_for_incidents(store: CountStore, total: int, timeout_s: float = 60.0) -> None:
    """Wait until ``total`` incidents are counted (or the timeout passes: the caller asserts)."""
    deadline = time.time() + timeout_s
    while store.stats()["incidents"] < total and time.time() < deadline:
        time.sleep(0.1)


def test_consumer_killed_mid_batch_then_another_counts_exactly(r, keys, redis_url, calgary_slice):
    """A consumer SIGKILLed with a batch read but not applied; another, with the default settings,
    takes it once the dead one's heartbeat lapses: exact counts, nothing pending."""
    Producer(r, keys).send(read_calgary(calgary_slice))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, redis_url, keys.prefix],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(3):
            assert child.stdout.readline().strip() == "BATCH"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    pending = r.xpending(keys.stream, keys.consumer_group)
    assert pending["pending"] > 0  # killed holding a batch
    drainer = Consumer(r, keys)
    drainer.run(burst=True)
    assert _counted(CountStore(r, keys)) == _expected(calgary_slice)
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0
    assert drainer.left_pending == {}


def test_producer_without_retry_raises_when_redis_dies(redis_process, keys, calgary_slice):
    """With re-sending switched off (retry_for_s=0) a lost server is an error at once."""
    producer = Producer(
        connect(redis_process.url),
        keys,
        chunk_size=300,
        retry_for_s=0,
        progress=lambda n: redis_process.kill(),
    )
    with pytest.raises(redis.ConnectionError):
        producer.send(read_calgary(calgary_slice, expand=True))


def test_producer_resends_what_redis_did_not_confirm(redis_process, keys, calgary_slice):
    """Redis dies mid-ingest and comes back: the producer sends the unconfirmed chunk again and
    finishes; a running consumer rides the outage out; the counts are exact."""
    url = redis_process.url
    stop, worker = _running_consumer(url, keys)
    chunks = []

    def kill_on_third(n):
        chunks.append(n)
        if len(chunks) == 3:
            redis_process.kill()
            threading.Timer(0.5, redis_process.start).start()

    producer = Producer(connect(url), keys, chunk_size=300, progress=kill_on_third)
    producer.send(read_calgary(calgary_slice, expand=True))
    assert producer.resent == 300  # the fourth chunk met the dead server and went again
    store = CountStore(connect(url), keys)
    expected = _expected(calgary_slice)
    _wait_for_incidents(store, sum(expected.values()))
    stop.set()
    worker.join(10)
    assert _counted(store) == expected
    assert store.stats()["resent"] == 300


def test_redis_killed_mid_ingest_then_rerun_gives_exact_counts(redis_process, keys, calgary_slice):
    """Redis (append-only) dies mid-ingest and restarts; a running consumer rides it out; the
    re-run ingest then leaves exactly the file's counts."""
    url = redis_process.url
    stop, worker = _running_consumer(url, keys)
    chunks = []

    def kill_on_third(n):
        chunks.append(n)
        if len(chunks) == 3:
            deadline = time.time() + 10  # let the consumer count something first
            while (
                not CountStore(connect(url), keys).stats()["incidents"] and time.time() < deadline
            ):
                time.sleep(0.02)
            redis_process.kill()

    with pytest.raises(redis.ConnectionError):
        Producer(connect(url), keys, chunk_size=300, progress=kill_on_third, retry_for_s=0).send(
            read_calgary(calgary_slice, expand=True)
        )
    time.sleep(0.5)
    redis_process.start()
    client = connect(url)
    store = CountStore(client, keys)
    assert 0 < store.stats()["incidents"] <= 900  # what was acked before the crash survived
    Producer(client, keys).send(read_calgary(calgary_slice, expand=True))
    expected = _expected(calgary_slice)
    _wait_for_incidents(store, sum(expected.values()))
    assert worker.is_alive()
    stop.set()
    worker.join(10)
    assert _counted(store) == expected
    assert store.stats()["duplicates"] > 0  # the re-run re-sent what had already counted


def test_real_file_ingest_then_export_equals_the_file(r, keys, calgary_csv, tmp_path):
    """The whole 2018-2023 file, ingested and exported, gives back its counts (duplicates summed)."""
    Producer(r, keys).send(read_calgary(calgary_csv))
    Consumer(r, keys, batch_size=1000, block_ms=0).run(burst=True)
    out = tmp_path / "export.csv"
    CountStore(r, keys).export_calgary_csv(out)
    exported = pd.read_csv(out)
    assert not (exported["Crime Count"] == 0).any()
    got = exported.assign(
        month=exported["Year"].astype(str) + "-" + exported["Month"].astype(str).str.zfill(2)
    )
    got = got.set_index(["Community", "Category", "month"])["Crime Count"].to_dict()
    assert got == _expected(calgary_csv)
