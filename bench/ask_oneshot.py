"""Wall time and peak memory of one-shot ``crimecast ask`` processes at 1x and Kx the series.

Fills a private key prefix with the real Calgary counts through 2023-12 (and ``K - 1`` copies of
every community as new areas, counts Poisson-perturbed: issue 17's scale panel), forecasts for
every series from a real simple model, the forecast archive and the reference data; then runs
``crimecast ask`` as a fresh process for a few questions (a count, a forecast, a ranking, accuracy)
and reports each one's wall time, CPU time (user + system: its own cost on a busy machine) and
peak RSS, beside the same-run reference: a process that only
imports Python and connects to Redis (``python -c 'import redis; ...ping()'``).

    python bench/ask_oneshot.py [--k 1 4] [--repeat 3]

Used by ``bench/bot_latency.py --oneshot``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot")]  # tests/bot/seed.py: the bot tests' filler

import pandas as pd  # noqa: E402

from stream.connection import connect  # noqa: E402
from stream.keys import Keys  # noqa: E402
from stream.reference import load_reference  # noqa: E402

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
QUESTIONS = [
    "how many break-ins in Beltline in 2023",
    "forecast Beltline next month",
    "top 5 communities by rate for assaults in 2023",
    "how accurate are you in Forest Lawn",
]


def rss_of(argv: list[str], env: dict) -> tuple[float, float, int, float]:
    """Wall seconds, the child's own peak RSS (MB), exit code and CPU seconds (user + system:
    what the process itself cost, whatever else the machine is doing)."""
    t = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv] if Path("/usr/bin/time").exists() else argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "0"
    rss = int(last) / 1024.0 if last.isdigit() else after.ru_maxrss / 1024.0
    return wall, rss, proc.returncode, cpu


def measure(k: int, repeat: int = 3, url: str | None = None) -> dict:
    """Fill a prefix at ``k`` times the series, time one-shot asks, clean up; returns the figures."""
    import seed  # tests/bot/seed.py (real counts, a real simple model)

    url = url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    client = connect(url)
    keys = Keys(f"bench-ask-{uuid.uuid4().hex[:8]}")
    try:
        frame = seed.replicate(pd.read_csv(DATA / "calgary_community_crime_2018_2023.csv"), k)
        filled = seed.fill(
            client, keys, frame, data_through="2023-12", horizon=3, archive=("2023-10", "2023-11")
        )
        with tempfile.TemporaryDirectory() as tmp:
            com, pop = seed.replicate_reference(
                DATA / "calgary_communities.csv", DATA / "calgary_population_2021.csv", k, tmp
            )
            load_reference(client, keys, com, pop)
        env = dict(
            os.environ,
            CRIMECAST_REDIS_URL=url,
            CRIMECAST_KEY_PREFIX=keys.prefix,
            CRIMECAST_PROFILE="calgary",
        )
        exe = [
            sys.executable,
            "-c",
            "import sys; from bot.cli import app; sys.argv[0] = 'crimecast'; app()",
        ]
        ref = [sys.executable, "-c", f"import redis; redis.Redis.from_url({url!r}).ping()"]
        out = {"k": k, "series": filled["series"], "questions": {}}
        refs = [rss_of(ref, env) for _ in range(repeat)]
        out["reference_ms"] = round(statistics.median(r[0] for r in refs) * 1000)
        out["reference_cpu_ms"] = round(statistics.median(r[3] for r in refs) * 1000)
        out["reference_rss_mb"] = round(max(r[1] for r in refs))
        for q in QUESTIONS:
            runs = [rss_of([*exe, "ask", "--json", q], env) for _ in range(repeat)]
            out["questions"][q] = {
                "wall_ms": round(statistics.median(r[0] for r in runs) * 1000),
                "cpu_ms": round(statistics.median(r[3] for r in runs) * 1000),
                "rss_mb": round(max(r[1] for r in runs)),
                "exit": runs[-1][2],
            }
        return out
    finally:
        for key in client.scan_iter(match=keys.all_pattern(), count=1000):
            client.delete(key)
        client.close()


def report(results: list[dict]) -> str:
    lines = [
        f"{'one-shot crimecast ask':44}{'K':>3}{'series':>8}{'wall ms':>9}{'CPU ms':>8}"
        f"{'RSS MB':>8}"
    ]
    for r in results:
        lines.append(
            f"{'reference: python + redis ping':44}{r['k']:3d}{r['series']:8,d}"
            f"{r['reference_ms']:9d}{r['reference_cpu_ms']:8d}{r['reference_rss_mb']:8d}"
        )
        for q, f in r["questions"].items():
            lines.append(
                f"{q[:43]:44}{r['k']:3d}{r['series']:8,d}{f['wall_ms']:9d}{f['cpu_ms']:8d}"
                f"{f['rss_mb']:8d}" + ("" if f["exit"] in (0, 1) else f"  (exit {f['exit']})")
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--k", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(report([measure(k, args.repeat) for k in args.k]))


if __name__ == "__main__":
    main()
