"""Ingest benchmark: the real 2018-2023 Calgary file expanded to single incidents, end to end.

Two consumer processes (by default) count what this process produces, from the first XADD to the
last XACK; the counts are then checked exactly against the file. In the same run, against the
same server, the raw XADD rate of ``redis-benchmark -P 16`` (or redis-py pipelined XADD when
redis-benchmark is absent) gives the reference, and the ratio says how much of the server's raw
append rate the whole pipeline keeps. Each worker reports its peak RSS.

    python bench/ingest.py [--redis-url URL] [--consumers 2] [--batch-size 500] [--cluster]

``--cluster`` runs the same measurement a second time over a Redis Cluster (a local one of three
masters started for the run, or ``--cluster-url redis+cluster://host:port``) and prints the two
rates side by side. Uses a unique key prefix per run and deletes its keys at the end. Timings on a shared machine are noisy:
run it twice and read both.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tests/portal_oracle.py: the exactness check

from redis.cluster import RedisCluster  # noqa: E402

from stream.connection import LocalCluster, connect, redact  # noqa: E402
from stream.consumer import Consumer  # noqa: E402
from stream.keys import Keys  # noqa: E402
from stream.producer import Producer, ensure_group  # noqa: E402
from stream.sources.calgary import read_calgary  # noqa: E402
from stream.store import CountStore  # noqa: E402

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
TARGET_RATE = 20_000
TARGET_RSS_MB = 300


def worker(url: str, prefix: str, name: str, batch_size: int) -> None:
    """Consumer process: count until SIGTERM, then print what it did as one JSON line."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    last = {"t": 0.0, "n": 0}

    def on_batch(result) -> None:
        last["t"] = time.time()
        last["n"] += result.read

    consumer = Consumer(connect(url), Keys(prefix), name=name, batch_size=batch_size, block_ms=50)
    print("READY", flush=True)
    consumer.run(stop=stop, on_batch=on_batch)
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "name": name,
                "handled": last["n"],
                "last_ack": last["t"],
                "rss_mb": peak_rss_mb(use),
                "cpu_s": use.ru_utime + use.ru_stime,
            }
        ),
        flush=True,
    )


def peak_rss_mb(use) -> float:
    """This process's own peak RSS (VmHWM). ``ru_maxrss`` is not used where VmHWM exists: on Linux
    it keeps the parent's RSS at fork time across exec, so a worker started by a process holding
    the whole file would be charged for it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return use.ru_maxrss / 1024


def raw_xadd_rate(url: str, key: str, n: int = 200_000) -> tuple[float, str]:
    """XADD requests/s of redis-benchmark -P 16 (entries shaped like ours), else redis-py."""
    exe = shutil.which("redis-benchmark")
    fields = [
        "v",
        "1",
        "id",
        "calgary:0123456789abcdef.3",
        "community",
        "BELTLINE",
        "category",
        "Theft FROM Vehicle",
        "occurred_at",
        "2023-05-17",
        "count",
        "1",
        "source",
        "calgary",
    ]
    if exe:
        u = urlparse(url)
        cmd = [exe, "-P", "16", "-n", str(n), "-c", "16", "--csv"]
        if u.scheme == "unix":
            cmd += ["-s", u.path]
        else:
            cmd += ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 6379)]
            db = (u.path or "/0").lstrip("/") or "0"
            cmd += ["--dbnum", db]
        if u.password:
            cmd += ["-a", unquote(u.password), "--no-auth-warning"]
        cmd += ["XADD", key, "*", *fields]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout
        for line in out.splitlines():
            m = re.match(r'^"XADD[^"]*","([\d.]+)"', line)
            if m:
                return float(m.group(1)), "redis-benchmark -P 16 -c 16 XADD"
    client = connect(url)
    pipe = client.pipeline(transaction=False)
    mapping = dict(zip(fields[::2], fields[1::2]))
    start = time.perf_counter()
    for i in range(n):
        pipe.xadd(key, mapping)
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()
    return n / (time.perf_counter() - start), "redis-py pipelined XADD (1000 per round trip)"


def server_cpu(client) -> float:
    """CPU seconds the server (every master, on a Cluster) has used so far."""
    if isinstance(client, RedisCluster):
        infos = client.info("cpu", target_nodes=RedisCluster.PRIMARIES).values()
    else:
        infos = [client.info("cpu")]
    return sum(i["used_cpu_user"] + i["used_cpu_sys"] for i in infos)


def run_once(url: str, loaded, expected: dict, consumers: int, batch_size: int) -> dict:
    """Produce ``loaded`` into a fresh prefix at ``url`` while ``consumers`` worker processes
    count it; returns the figures (rate, CPU, exactness). Deletes its keys afterwards."""
    keys = Keys(f"ccbench-{uuid.uuid4().hex[:10]}")
    client = connect(url)
    ensure_group(client, keys)
    procs = []
    try:
        for i in range(consumers):
            p = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--batch-size",
                    str(batch_size),
                    "--worker",
                    url,
                    keys.prefix,
                    f"bench-{i}",
                ],
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            procs.append(p)
        for p in procs:
            if p.stdout.readline().strip() != "READY":
                raise SystemExit("a worker failed to start")

        redis_cpu0 = server_cpu(client)
        use0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.time()
        sent = Producer(client, keys, chunk_size=2000).send(loaded)
        t_sent = time.time()
        use1 = resource.getrusage(resource.RUSAGE_SELF)
        producer_cpu = use1.ru_utime + use1.ru_stime - use0.ru_utime - use0.ru_stime
        store = CountStore(client, keys)
        deadline = time.time() + 600
        while time.time() < deadline:
            st = store.stats()
            if st["applied"] + st["duplicates"] + st["dead"] >= sent:
                break
            time.sleep(0.02)
        redis_cpu = server_cpu(client) - redis_cpu0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        reports = [json.loads(p.stdout.read().strip().splitlines()[-1]) for p in procs]
        for p in procs:
            p.wait(30)
        elapsed = max(r["last_ack"] for r in reports) - t0
        got = {(c, k, m): n for m in store.months() for (c, k), n in store.month_counts(m).items()}
        return {
            "sent": sent,
            "elapsed": elapsed,
            "rate": sent / elapsed,
            "produce_s": t_sent - t0,
            "producer_cpu": producer_cpu,
            "redis_cpu": redis_cpu,
            "reports": reports,
            "exact": got == expected,
            "stats": store.stats(),
            "prefix": keys.prefix,
            "pending": client.xpending(keys.stream, keys.consumer_group)["pending"],
            "node": (
                client.get_node_from_key(keys.stream).name
                if isinstance(client, RedisCluster)
                else ""
            ),
        }
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for key in list(client.scan_iter(match=keys.all_pattern(), count=1000)):
            client.delete(key)
        client.close()


def report(label: str, r: dict, consumers: int, batch_size: int) -> None:
    print(
        f"{label}: end to end (first XADD -> last XACK): {r['sent']:,} incidents in "
        f"{r['elapsed']:.2f}s = {r['rate']:,.0f} incidents/s with {consumers} consumer processes "
        f"(batch {batch_size}); producing alone took {r['produce_s']:.2f}s"
        + (f"; the prefix's slot is on {r['node']}" if r["node"] else "")
    )
    for w in r["reports"]:
        print(
            f"  worker {w['name']}: {w['handled']:,} entries, peak RSS {w['rss_mb']:.0f} MB, "
            f"CPU {w['cpu_s']:.1f}s"
        )
    per = 1e6 / r["sent"]
    workers_cpu = sum(w["cpu_s"] for w in r["reports"])
    print(
        f"  CPU per incident: producer {r['producer_cpu'] * per:.1f} us, consumers "
        f"{workers_cpu * per:.1f} us, Redis server(s) {r['redis_cpu'] * per:.1f} us (includes "
        f"any other client's load)"
    )
    st = r["stats"]
    print(
        f"  counts exact: {r['exact']} (incidents {st['incidents']:,}, duplicates "
        f"{st['duplicates']}, dead {st['dead']}, pending {r['pending']})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    ap.add_argument("--consumers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--file", type=Path, default=DATA / "calgary_community_crime_2018_2023.csv")
    ap.add_argument(
        "--cluster",
        action="store_true",
        help="Also run over a Redis Cluster (a local three-master one unless "
        "--cluster-url is given) and compare it with the single server.",
    )
    ap.add_argument("--cluster-url", default=None, help="redis+cluster://host:port of a Cluster.")
    ap.add_argument("--worker", nargs=3, metavar=("URL", "PREFIX", "NAME"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, batch_size=args.batch_size)
        return 0

    url = args.redis_url
    client = connect(url)
    load0 = os.getloadavg()
    print(
        f"server: Redis {client.info('server')['redis_version']} at {redact(url)}; "
        f"load average before the run: {load0[0]:.1f} on {os.cpu_count()} CPUs"
    )
    loaded = read_calgary(args.file, expand=True)
    print(f"file: {args.file.name}: {loaded.rows:,} rows -> {loaded.total:,} incidents (expanded)")
    import pandas as pd  # here, not at the top: the worker processes do without it
    from portal_oracle import expected_counts  # tests/portal_oracle.py: pandas, not our reader

    expected = expected_counts(pd.read_csv(args.file))
    single = run_once(url, loaded, expected, args.consumers, args.batch_size)
    report("single server", single, args.consumers, args.batch_size)
    ok = single["exact"]
    if args.cluster:
        local = None if args.cluster_url else LocalCluster(masters=3)
        try:
            curl = args.cluster_url or local.url
            where = "a local Cluster of 3 masters on this machine" if local else redact(curl)
            print(f"cluster: {where}")
            clustered = run_once(curl, loaded, expected, args.consumers, args.batch_size)
        finally:
            if local is not None:
                local.close()
        report("Redis Cluster", clustered, args.consumers, args.batch_size)
        print(
            f"ratio Cluster / single server: {clustered['rate'] / single['rate']:.2f} "
            f"(one deployment's keys share one hash slot, so one master carries its stream)"
        )
        ok = ok and clustered["exact"]

    raw_key = f"ccbench-raw-{uuid.uuid4().hex[:8]}"
    try:
        raw_rate, raw_how = raw_xadd_rate(url, raw_key)
    finally:
        client.delete(raw_key)
    print(
        f"reference, single server, same run: {raw_how}: {raw_rate:,.0f} XADD/s; ratio "
        f"end-to-end / raw XADD: {single['rate'] / raw_rate:.2f}"
    )
    ok_rate = single["rate"] >= TARGET_RATE
    ok_rss = all(w["rss_mb"] < TARGET_RSS_MB for w in single["reports"])
    print(
        f"targets: >= {TARGET_RATE:,}/s {'met' if ok_rate else 'NOT met'}; worker RSS < "
        f"{TARGET_RSS_MB} MB {'met' if ok_rss else 'NOT met'}; load average after: "
        f"{os.getloadavg()[0]:.1f}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
