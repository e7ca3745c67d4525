"""Ingest benchmark: the real 2018-2023 Calgary file expanded to single incidents, end to end.

Two consumer processes (by default) count what this process produces, from the first XADD to the
last XACK; the counts are then checked exactly against the file. In the same run, against the
same server, the raw XADD rate of ``redis-benchmark -P 16`` (or redis-py pipelined XADD when
redis-benchmark is absent) gives the reference, and the ratio says how much of the server's raw
append rate the whole pipeline keeps. Each worker reports its peak RSS.

    python bench/ingest.py [--redis-url URL] [--consumers 2] [--batch-size 500]

Uses a unique key prefix and deletes its keys at the end. Timings on a shared machine are noisy:
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
sys.path.insert(0, str(ROOT))

from stream.categories import CategorySet  # noqa: E402
from stream.connection import connect, redact  # noqa: E402
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
    print(json.dumps({"name": name, "handled": last["n"], "last_ack": last["t"],
                      "rss_mb": use.ru_maxrss / 1024, "cpu_s": use.ru_utime + use.ru_stime}),
          flush=True)


def raw_xadd_rate(url: str, key: str, n: int = 200_000) -> tuple[float, str]:
    """XADD requests/s of redis-benchmark -P 16 (entries shaped like ours), else redis-py."""
    exe = shutil.which("redis-benchmark")
    fields = ["v", "1", "id", "calgary:0123456789abcdef.3", "community", "BELTLINE",
              "category", "Theft FROM Vehicle", "occurred_at", "2023-05-17", "count", "1",
              "source", "calgary"]
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    ap.add_argument("--consumers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--file", type=Path, default=DATA / "calgary_community_crime_2018_2023.csv")
    ap.add_argument("--worker", nargs=3, metavar=("URL", "PREFIX", "NAME"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker, batch_size=args.batch_size)
        return 0

    url = args.redis_url
    keys = Keys(f"ccbench-{uuid.uuid4().hex[:10]}")
    client = connect(url)
    print(f"server: Redis {client.info('server')['redis_version']} at {redact(url)}; "
          f"key prefix {keys.prefix}")
    loaded = read_calgary(args.file, expand=True)
    print(f"file: {args.file.name}: {loaded.rows:,} rows -> {loaded.total:,} incidents (expanded)")
    ensure_group(client, keys)
    procs = []
    try:
        for i in range(args.consumers):
            p = subprocess.Popen([sys.executable, __file__, "--batch-size", str(args.batch_size),
                                  "--worker", url, keys.prefix, f"bench-{i}"],
                                 stdout=subprocess.PIPE, text=True, cwd=ROOT)
            procs.append(p)
        for p in procs:
            if p.stdout.readline().strip() != "READY":
                raise SystemExit("a worker failed to start")

        cpu = client.info("cpu")
        redis_cpu0 = cpu["used_cpu_user"] + cpu["used_cpu_sys"]
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
        cpu = client.info("cpu")
        redis_cpu = cpu["used_cpu_user"] + cpu["used_cpu_sys"] - redis_cpu0
        for p in procs:
            p.send_signal(signal.SIGTERM)
        reports = [json.loads(p.stdout.read().strip().splitlines()[-1]) for p in procs]
        for p in procs:
            p.wait(30)
        t_end = max(r["last_ack"] for r in reports)
        elapsed = t_end - t0

        # exactness
        cats = CategorySet.calgary()
        import pandas as pd

        f = pd.read_csv(args.file)
        f = f.assign(Category=f["Category"].map(cats.resolve),
                     month=f["Year"].astype(str) + "-" + f["Month"].astype(str).str.zfill(2))
        expected = f.groupby(["Community", "Category", "month"])["Crime Count"].sum().to_dict()
        got = {(c, k, m): n for m in store.months() for (c, k), n in store.month_counts(m).items()}
        exact = got == expected
        st = store.stats()
        pending = client.xpending(keys.stream, keys.consumer_group)["pending"]

        raw_rate, raw_how = raw_xadd_rate(url, keys.stream + ":rawbench")
        rate = sent / elapsed
        print(f"end to end (first XADD -> last XACK): {sent:,} incidents in {elapsed:.2f}s = "
              f"{rate:,.0f} incidents/s with {args.consumers} consumer processes "
              f"(batch {args.batch_size}); producing alone took {t_sent - t0:.2f}s")
        for r in reports:
            print(f"  worker {r['name']}: {r['handled']:,} entries, peak RSS {r['rss_mb']:.0f} MB, "
                  f"CPU {r['cpu_s']:.1f}s")
        per = 1e6 / sent
        workers_cpu = sum(r["cpu_s"] for r in reports)
        print(f"CPU per incident: producer {producer_cpu * per:.1f} us, consumers "
              f"{workers_cpu * per:.1f} us, Redis server {redis_cpu * per:.1f} us (the server's "
              f"figure includes any other client's load); load average before the run: "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"reference, same server, same run: {raw_how}: {raw_rate:,.0f} XADD/s")
        print(f"ratio end-to-end / raw XADD: {rate / raw_rate:.2f}")
        print(f"counts exact: {exact} (incidents {st['incidents']:,}, duplicates "
              f"{st['duplicates']}, dead {st['dead']}, pending {pending})")
        ok_rate = rate >= TARGET_RATE
        ok_rss = all(r["rss_mb"] < TARGET_RSS_MB for r in reports)
        print(f"targets: >= {TARGET_RATE:,}/s {'met' if ok_rate else 'NOT met'}; worker RSS < "
              f"{TARGET_RSS_MB} MB {'met' if ok_rss else 'NOT met'}")
        return 0 if exact else 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for key in client.scan_iter(match=keys.all_pattern(), count=1000):
            client.delete(key)


if __name__ == "__main__":
    sys.exit(main())
