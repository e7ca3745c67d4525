"""Faults survived by real processes: `crimecast worker`s SIGKILLed holding entries, Redis killed
and restarted, and the counts still equal the real file exactly, with the default settings."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from stream.keys import Keys
from stream.liveness import consumers

HERE = Path(__file__).resolve().parent


def _harness():
    spec = importlib.util.spec_from_file_location("crimecast_chaos", HERE / "chaos.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


chaos = _harness()


@pytest.mark.timeout(240)
def test_workers_killed_every_half_second_and_redis_restarted_give_exact_counts(
    calgary_csv, tmp_path
):
    """Ingesting the real file while a worker holding entries is SIGKILLed every half second (and
    replaced) and Redis is killed and restarted once ends with the file's exact counts, nothing
    pending, and no consumer or heartbeat left after the workers stop."""
    rep = chaos.run(calgary_csv, tmp_path, expand=False, faults=True)
    assert rep.exact, rep
    assert rep.kills >= 2 and rep.held_at_kill >= rep.kills  # every kill was mid-batch
    assert rep.redis_restarts == 1
    assert rep.dead_letters == 0
    assert rep.leftover_consumers == [] and rep.leftover_heartbeats == 0


@pytest.mark.timeout(300)
def test_two_workers_killed_holding_1000_entries_then_burst_drains_exactly(calgary_csv, tmp_path):
    """The issue's scenario: the file expanded to 195,719 incidents, two workers SIGKILLed while
    holding 1,000 read-but-unacknowledged entries, then `crimecast worker --burst` at once: it
    waits for their heartbeats to lapse, takes their entries and ends exact with nothing pending."""
    server = chaos.Server(tmp_path / "redis")
    server.start()
    keys = Keys("issue10")
    env = chaos.environment(server.url, keys.prefix, tmp_path / "state")
    client = redis.Redis(port=server.port, decode_responses=True)
    fleet = chaos.Fleet(env, tmp_path)
    try:
        ingest = subprocess.run(
            [*chaos.CRIMECAST, "ingest", "calgary", str(calgary_csv), "--expand"],
            env=env,
            cwd=chaos.ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert "sent 195,719 records" in ingest.stdout, ingest.stdout + ingest.stderr
        victims = [fleet.start(), fleet.start()]
        held = [chaos.kill_holding(client, keys, fleet.procs[v], v, patience_s=60) for v in victims]
        assert held == [500, 500]  # one default batch each, read and not acknowledged

        burst = subprocess.run(
            [*chaos.CRIMECAST, "worker", "--burst", "--name", "drainer"],
            env=env,
            cwd=chaos.ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert burst.returncode == 0, burst.stderr[-3000:]
        assert "drained: nothing unread, nothing pending" in burst.stdout

        out = tmp_path / "export.csv"
        subprocess.run(
            [*chaos.CRIMECAST, "export-counts", "--out", str(out)],
            env=env,
            cwd=chaos.ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
        assert chaos.exported_counts(out) == chaos.expected_counts(calgary_csv)
        assert client.xpending(keys.stream, keys.consumer_group)["pending"] == 0
        assert consumers(client, keys) == []  # the dead ones removed, the drainer gone cleanly
        status = subprocess.run(
            [*chaos.CRIMECAST, "status", "--json"],
            env=env,
            cwd=chaos.ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        data = json.loads(status.stdout)
        assert data["pending_at_dead_consumers"] == 0 and data["oldest_unacked_age_s"] is None
        assert not [p for p in data["problems"] if "dead consumers" in p]
    finally:
        fleet.stop_all(timeout=5)
        client.close()
        server.kill()
