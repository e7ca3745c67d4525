"""How cost grows with the number of series: Calgary's real panel replicated K times, run through
the production path, each stage in a process of its own (wall time and peak RSS of that process).

The panel: the real 2018-2023 community file and K - 1 copies of it as new areas (``NAME #2`` ...,
counts drawn Poisson around the original's: :func:`online_model.data.replicate`), written in the
portal's layout. Stages, as a deployment runs them (``crimecast`` commands or the rq job functions):

- ingest: ``crimecast ingest calgary`` of every month through 2023-11 (send only);
- drain: ``crimecast worker --burst`` (count everything);
- full train: ``crimecast train`` (months through 2023-11 closed first, untimed); a partitioned
  city (``CRIMECAST_PARTITIONS``, by default one partition per 6,000 series) then has its
  partition jobs done by ``--workers`` models workers (``crimecast rq-worker --queue models
  --burst``, run side by side): the stage is both phases (wall and CPU added, the peak the larger);
- month close: 2023-12 ingested and drained (untimed), then closed; the close job
  (``on_month_closed``) and its follow-up (``after_close``: LSTM epoch, GLM refit), back to back,
  then (partitioned) both runs' partition jobs on the workers;
- backtest short: ``crimecast backtest`` of 2023-10..2023-12, h=1 (a fresh served model trained on
  the months before, then stepped, as the production backtest does);
- weekly alert: the ``weekly_alert`` job with a city-wide and a one-community subscription;
- ask: one ``crimecast ask`` (a community's burglaries next month).

Reference in the same run: SES alone on the same panel (read from the same Redis): its learn of
every month through 2023-11 beside the full train, its month close (learn, forecast 1..6, intervals)
beside the close. Then, per stage, the log-log slope of time and of peak memory against K (least
squares over the Ks run). The peak RSS includes the interpreter and its imports (a floor of a few
hundred MB), which flattens the memory slope of small stages: the table shows the figures.

    python bench/scale.py [--k 1 4 16] [--stages ingest drain train close backtest alert ask]
                          [--partitions N] [--workers W]
                          [--json FIGURES.json] [--from-json FIGURES.json]

Uses ``REDIS_URL`` (a private key prefix per K, deleted afterwards). Timings on a shared machine
are noisy: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
CRIME = "calgary_community_crime_2018_2023.csv"
TRAIN_END, CLOSE = "2023-11", "2023-12"
STAGES = ("ingest", "drain", "train", "close", "backtest", "alert", "ask")
CLI = [sys.executable, "-c", "from bot.cli import app; app()"]

CLOSE_UPTO = """
from core.months import month_range
from stream.months import close_month
from workers.runtime import runtime
from workers.settings import Settings
import sys
with runtime(Settings()) as rt:
    for m in month_range(sys.argv[1], sys.argv[2]):
        close_month(rt.client, rt.keys, m, reason="bench")
"""
MONTH_CLOSE = """
import json, sys
from stream.months import close_month
from workers import model_jobs
from workers.runtime import runtime
from workers.settings import Settings
with runtime(Settings()) as rt:
    close_month(rt.client, rt.keys, sys.argv[1], reason="bench")
a = model_jobs.on_month_closed(sys.argv[1])
b = model_jobs.after_close()
print(json.dumps({"close": a.get("seconds"), "follow_up": b.get("seconds"), "status": [a["status"], b["status"]]}))
"""
ALERT = """
from workers.alerts import Subscription, SubscriptionStore
from workers.jobs import weekly_alert
from workers.runtime import runtime
from workers.settings import Settings
with runtime(Settings()) as rt:
    store = SubscriptionStore(rt.client, rt.keys)
    store.add(Subscription("100", "city"))
    store.add(Subscription("200", "communities", communities=["BELTLINE"]))
print(weekly_alert("2024-01-08"))
"""
SES_REF = """
import json, resource, sys, time
from core.negbin import NegBin
from online_model.baselines import SES
from stream.store import CountStore
from workers.runtime import runtime
from workers.settings import Settings
with runtime(Settings()) as rt:
    store = CountStore(rt.client, rt.keys)
    panel = store.panel(end=sys.argv[1])
    counts = store.month_counts(sys.argv[2])
t0 = time.perf_counter()
ses = SES(0.2)
ses.learn_many(panel.loc[:, [c for c in panel.columns if c <= sys.argv[1]]])
train = time.perf_counter() - t0
t0 = time.perf_counter()
ses.learn_one(sys.argv[2], counts)
arr = ses.forecast_arrays(6)
NegBin(arr.mean, arr.dispersion).interval(0.8)
close = time.perf_counter() - t0
print(json.dumps({"train": train, "close": close, "series": len(panel),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def load() -> str:
    return "%.1f" % os.getloadavg()[0]


def stage(cmd: list[str], env: dict, timeout: float = 7200) -> dict:
    """Run one stage and reap it ourselves, so that its own peak RSS is known."""
    t0 = time.perf_counter()
    out_f = tempfile.TemporaryFile("w+")
    err_f = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out_f, stderr=err_f, text=True)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - t0
    out_f.seek(0)
    err_f.seek(0)
    out, err = out_f.read(), err_f.read()
    if proc.returncode:
        print(f"    ! stage exited {proc.returncode}:\n{err[-2000:]}", file=sys.stderr)
    return {
        "s": took,
        "cpu": usage.ru_utime + usage.ru_stime,
        "mb": usage.ru_maxrss / 1024,
        "rc": proc.returncode,
        "out": out,
        "load": load(),
    }


def runs_in_flight(env: dict) -> int:
    """Partitioned runs the stage left in flight (0: the single-job path)."""
    import redis

    from stream.keys import Keys

    client = redis.Redis.from_url(env["REDIS_URL"])
    try:
        return int(client.zcard(Keys(env["CRIMECAST_KEY_PREFIX"]).model_runs_active))
    finally:
        client.close()


def with_workers(first: dict, env: dict, workers: int) -> dict:
    """``first`` (a stage that may have queued partition jobs) followed, if it did, by
    ``workers`` models workers draining the queue side by side: wall and CPU added, the larger
    peak."""
    if workers < 1 or not runs_in_flight(env):
        return first
    t0 = time.perf_counter()
    pool = _parallel(CLI + ["rq-worker", "--queue", "models", "--burst"], env, workers)
    wall = time.perf_counter() - t0
    return {
        **first,
        "s": first["s"] + wall,
        "cpu": first["cpu"] + sum(p["cpu"] for p in pool),
        "mb": max([first["mb"]] + [p["mb"] for p in pool]),
        "rc": first["rc"] or max(p["rc"] for p in pool),
        "workers_s": round(wall, 2),
        "load": load(),
    }


def _parallel(cmd: list[str], env: dict, n: int) -> list[dict]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: stage(cmd, env), range(n)))


def write_portal(long, path: Path) -> None:
    """The long frame in the portal's layout (what ``crimecast ingest calgary`` reads)."""
    frame = long.assign(
        Year=long["month"].str[:4].astype(int), Month=long["month"].str[5:7].astype(int)
    )
    frame = frame.rename(
        columns={"community": "Community", "category": "Category", "count": "Crime Count"}
    )
    frame[["Community", "Category", "Crime Count", "Year", "Month"]].to_csv(path, index=False)


def one_k(k: int, stages: list[str], tmp: Path, url: str, workers: int = 1) -> dict:
    from online_model.data import read_calgary_csv, replicate

    long = replicate(read_calgary_csv(DATA / CRIME), k, seed=k)
    series = long.groupby(["community", "category"]).ngroups
    files = {
        "train": tmp / f"k{k}-train.csv",
        "close": tmp / f"k{k}-close.csv",
        "all": tmp / f"k{k}-all.csv",
    }
    write_portal(long[long["month"] <= TRAIN_END], files["train"])
    write_portal(long[long["month"] == CLOSE], files["close"])
    write_portal(long, files["all"])
    prefix = f"scale-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": url,
        "CRIMECAST_KEY_PREFIX": prefix,
        "CRIMECAST_STATE_DIR": str(tmp / f"state-{k}"),
        "CRIMECAST_GRACE_DAYS": "100000",
        "PYTHONPATH": str(ROOT),
    }
    py = lambda code, *args: [sys.executable, "-c", code, *args]  # noqa: E731
    res: dict[str, dict] = {}
    say = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    say(f"K={k}: {series:,} series")
    try:
        res["ingest"] = stage(CLI + ["ingest", "calgary", str(files["train"])], env)
        res["drain"] = stage(CLI + ["worker", "--burst"], env)
        first = long["month"].min()
        stage(py(CLOSE_UPTO, first, TRAIN_END), env)
        if "train" in stages:
            res["train"] = with_workers(stage(CLI + ["train"], env), env, workers)
        res["ses"] = stage(py(SES_REF, TRAIN_END, CLOSE), env)
        stage(CLI + ["ingest", "calgary", str(files["close"])], env)
        stage(CLI + ["worker", "--burst"], env)
        if "close" in stages:
            res["close"] = with_workers(stage(py(MONTH_CLOSE, CLOSE), env), env, workers)
        if "backtest" in stages:
            res["backtest"] = stage(
                CLI
                + [
                    "backtest",
                    "--data",
                    str(files["all"]),
                    "--start",
                    "2023-10",
                    "--end",
                    "2023-12",
                    "--horizon",
                    "1",
                    "--out",
                    str(tmp / f"k{k}-preds.csv"),
                ],
                env,
            )
        if "alert" in stages:
            res["alert"] = stage(py(ALERT), env)
        if "ask" in stages:
            res["ask"] = stage(CLI + ["ask", "how many break-ins in Beltline next month?"], env)
    finally:
        cleanup(url, prefix)
    for name, r in res.items():
        say(
            f"  {name:<9} {r['s']:8.1f} s wall {r['cpu']:8.1f} s cpu {r['mb']:8.0f} MB  "
            f"rc={r['rc']}  [load {r['load']}]"
        )
    res["series"] = series
    return res


def cleanup(url: str, prefix: str) -> None:
    """Delete the run's keys and its rq queues' keys (a follow-up job the close queued)."""
    import redis

    from stream.keys import Keys

    client = redis.Redis.from_url(url)
    for pattern in (Keys(prefix).all_pattern(), f"rq:*{prefix}*"):
        for key in client.scan_iter(match=pattern, count=10_000):
            client.delete(key)
    client.close()


def slope(ks: list[int], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(K)."""
    xs = [math.log(k) for k in ks]
    ls = [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(xs) / len(xs), sum(ls) / len(ls)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ls)) / den if den else float("nan")


def table(results: dict[int, dict]) -> None:
    """The figures per stage and K, and the slopes."""
    ks = sorted(results)
    names = [s for s in STAGES if any(s in results[k] for k in ks)] + ["ses"]
    print(
        "crimecast scale bench: Calgary x K (series: "
        + ", ".join(f"K={k} {results[k]['series']:,}" for k in ks)
        + "); shared 2-core machine"
    )
    print(
        "each cell: wall s / CPU s (user+sys, less sensitive to the machine's load) / peak RSS MB;"
        " slopes: log-log against K"
    )
    head = (
        f"{'stage':<18}"
        + "".join(f"{'K=' + str(k):>26}" for k in ks)
        + f"{'slope wall':>11}{'slope cpu':>10}{'slope MB':>9}"
    )
    print(head)
    for n in names:
        label = "SES ref process" if n == "ses" else n
        cells = "".join(
            f"{results[k][n]['s']:>8.1f} /{results[k][n]['cpu']:>7.1f} /{results[k][n]['mb']:>6.0f}"
            if n in results[k]
            else f"{'(not run)':>26}"
            for k in ks
        )
        run = [k for k in ks if n in results[k]]  # the slope over the Ks that ran the stage
        sw, sc, sm = (slope(run, [results[k][n][f] for k in run]) for f in ("s", "cpu", "mb"))
        print(f"{label:<18}{cells}{sw:>11.2f}{sc:>10.2f}{sm:>9.2f}")
    for k in ks:
        out = results[k]["ses"].get("out")
        close = results[k].get("close") or {}
        if not out:
            continue
        ref = json.loads(out.strip().splitlines()[-1])
        jobs = json.loads(close["out"].strip().splitlines()[-1]) if close.get("out") else {}
        print(
            f"K={k}: SES alone in-process: learn through {TRAIN_END} {ref['train']:.2f} s, month "
            f"close {ref['close']:.2f} s; served month close jobs: close {jobs.get('close')} s + "
            f"follow-up {jobs.get('follow_up')} s; load at the end "
            f"{results[k]['ask']['load'] if 'ask' in results[k] else '?'}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--stages", nargs="+", default=list(STAGES), choices=STAGES)
    ap.add_argument(
        "--partitions", type=int, help="CRIMECAST_PARTITIONS (default: the setting's, 0 = auto)"
    )
    ap.add_argument("--workers", type=int, default=1, help="models workers for partition jobs")
    ap.add_argument("--json", type=Path, help="also write the figures here (after each K)")
    ap.add_argument("--from-json", type=Path, help="only print the table of an earlier run's JSON")
    args = ap.parse_args()
    if args.from_json:
        table({int(k): v for k, v in json.loads(args.from_json.read_text()).items()})
        return
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if args.partitions is not None:
        os.environ["CRIMECAST_PARTITIONS"] = str(args.partitions)
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="crimecast-scale-") as tmp:
        for k in args.k:
            results[k] = one_k(k, args.stages, Path(tmp), url, args.workers)
            if args.json:
                args.json.write_text(json.dumps({str(a): b for a, b in results.items()}, indent=1))
    table(results)


if __name__ == "__main__":
    main()
