"""Training, month-close, backtest and demo speed of the served model on the real data, with peak
memory, each beside a reference measured in the same run.

- full train of the served ensemble on 2018-01..2023-11 (online GLM warm fit, LSTM train, the
  ensemble's weights learned on the last 12 months); reference: the same with SES alone;
- month-close update of every series for 2023-12 (learn, forecast 1..6, intervals, swap of the
  Redis forecast cache, registry save); reference: the same path with SES alone; then the close's
  follow-up job (the LSTM's epoch on the month and the GLM's refit, served again);
- LSTM champion/challenger fine-tune;
- a 12-month backtest (2023, h=1, the production path, LSTM included); reference: SES stepped over
  the same months with the same NB intervals;
- with ``--demo``: ``crimecast demo`` from an empty state directory (embedded Redis, the shared
  data file), as a newcomer would run it after installing; reference: the demo's own ingest and
  count phase, which it prints.

Uses ``REDIS_URL`` (a private key prefix, deleted afterwards) or an embedded Redis. Timings are
noisy on a shared machine: the load average is printed beside them.

    python bench/training.py [--demo] [--no-backtest]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from online_model.backtest import run_backtest  # noqa: E402
from online_model.baselines import SES  # noqa: E402
from online_model.data import read_calgary_csv, to_panel  # noqa: E402
from core.months import month_range  # noqa: E402
from core.negbin import NegBin  # noqa: E402
from online_model.registry import Registry  # noqa: E402
from online_model.served import build_served  # noqa: E402
from stream.connection import EmbeddedRedis, connect  # noqa: E402
from stream.forecast_cache import CachedForecast, ForecastCache  # noqa: E402
from stream.keys import Keys  # noqa: E402

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


def serve(model, month, cache, registry) -> tuple[float, float, float, int]:
    """Forecast 1..6 with intervals, swap the cache, save the model: the seconds of each."""
    t1 = time.perf_counter()
    arr = model.forecast_arrays(6)
    lo, hi = NegBin(arr.mean, arr.dispersion).interval(0.8)
    t2 = time.perf_counter()
    entries = [
        CachedForecast(
            c,
            k,
            arr.months,
            arr.mean[i].tolist(),
            arr.dispersion[i].tolist(),
            lo[i].tolist(),
            hi[i].tolist(),
            model.kind,
            month,
        )
        for i, (c, k) in enumerate(arr.series)
    ]
    cache.write(entries, {"model": model.kind, "data_through": month})
    t3 = time.perf_counter()
    registry.save(model.kind, model, data_through=month)
    t4 = time.perf_counter()
    return t2 - t1, t3 - t2, t4 - t3, len(entries)


def month_close(model, month, counts, cache, registry) -> dict:
    """The month-close job (learn with the slower work deferred, serve), then its follow-up job
    (``after_close``: the LSTM's epoch and the GLM's refit, serve again), as the workers run them."""
    deferring = getattr(model, "deferring", contextlib.nullcontext)
    t0 = time.perf_counter()
    with deferring():
        model.learn_one(month, counts)
    learn = time.perf_counter() - t0
    fc, swap, save, n = serve(model, month, cache, registry)
    out = {
        "learn": learn,
        "forecast+intervals": fc,
        "cache swap": swap,
        "registry save": save,
        "total": time.perf_counter() - t0,
        "series": n,
        "follow-up": 0.0,
        "follow-up work": {},
    }
    if hasattr(model, "after_close"):
        t5 = time.perf_counter()
        out["follow-up work"] = model.after_close()
        serve(model, month, cache, registry)
        out["follow-up"] = time.perf_counter() - t5
    return out


def ses_backtest(panel, start, end) -> float:
    """Reference for the backtest: SES stepped over the same months, NB intervals, one horizon."""
    t0 = time.perf_counter()
    months = list(panel.columns)
    ses = SES(0.2)
    ses.learn_many(panel.loc[:, : months[months.index(start) - 1]])
    for target in month_range(start, end):
        arr = ses.forecast_arrays(1)
        NegBin(arr.mean, arr.dispersion).interval(0.8)
        ses.learn_one(target, {k: float(v) for k, v in panel[target].items() if v})
    return time.perf_counter() - t0


def demo() -> tuple[float, str]:
    """``crimecast demo`` in a fresh state directory: wall time and its own ingest/count line."""
    with tempfile.TemporaryDirectory(prefix="crimecast-demo-") as state:
        env = {**os.environ, "CRIMECAST_STATE_DIR": state}
        env.pop("REDIS_URL", None)
        exe = Path(sys.executable).with_name("crimecast")
        t0 = time.perf_counter()
        out = subprocess.run(
            [str(exe), "demo"], env=env, cwd=state, capture_output=True, text=True, timeout=900
        )
        took = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(
            f"demo failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
        )
    line = next((ln for ln in out.stdout.splitlines() if re.search(r"produced .* counted", ln)), "")
    return took, line.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", action="store_true", help="also time `crimecast demo` from scratch")
    ap.add_argument("--no-backtest", action="store_true")
    args = ap.parse_args()
    long = read_calgary_csv(DATA / "calgary_community_crime_2018_2023.csv")
    panel = to_panel(long)
    train, last = panel.loc[:, :"2023-11"], "2023-12"
    counts = {k: float(v) for k, v in panel[last].items() if v}
    url = os.environ.get("REDIS_URL")
    tmp = Path(tempfile.mkdtemp(prefix="crimecast-bench-"))
    server = None if url else EmbeddedRedis(tmp / "redis")
    client = connect(url or server.url)
    keys = Keys(f"bench-{uuid.uuid4().hex[:8]}")
    cache = ForecastCache(client, keys)
    registry = Registry(tmp / "models")
    lines = []
    say = lambda s: (lines.append(s), print(s, file=sys.stderr, flush=True))  # noqa: E731
    try:
        import torch  # noqa: F401  (imported before timing, as a worker has it loaded)

        t0 = time.perf_counter()
        ref = SES(0.2)
        ref.learn_many(train)
        ref_full = time.perf_counter() - t0
        ref_close = month_close(ref, last, counts, cache, registry)

        model = build_served()
        t0 = time.perf_counter()
        model.learn_many(train)
        full = time.perf_counter() - t0
        say(
            f"  full train of the served ensemble, {train.shape[1]} months: {full:7.1f} s   "
            f"(target <= 60 s; SES alone {ref_full:.1f} s)  [{load()}]"
        )
        mem_train = peak_mb()
        close = month_close(model, last, counts, cache, registry)
        say(
            f"  month-close update + cache refresh (ensemble): {close['total']:7.2f} s   "
            f"(target <= 1 s; same path with SES alone {ref_close['total']:.2f} s)  [{load()}]"
        )
        for k in ("learn", "forecast+intervals", "cache swap", "registry save"):
            say(f"      {k:<20} {close[k]:6.2f} s")
        say(
            f"  its follow-up job ({', '.join(sorted(close['follow-up work'])) or 'nothing'}: LSTM epoch "
            f"on the month, GLM refit on all history; serve again): {close['follow-up']:7.2f} s  [{load()}]"
        )
        t0 = time.perf_counter()
        record = model.members["lstm"].fine_tune()
        ft = time.perf_counter() - t0
        say(f"  LSTM fine-tune (challenger, judged on the next month): {ft:7.1f} s  [{load()}]")
    finally:
        for key in client.scan_iter(match=keys.all_pattern()):
            client.delete(key)
        client.close()
        if server is not None:
            server.close()
    if not args.no_backtest:
        t0 = time.perf_counter()
        run_backtest(long, "2023-01", "2023-12", 1, progress=lambda s: None)
        bt = time.perf_counter() - t0
        ref_bt = ses_backtest(panel, "2023-01", "2023-12")
        say(
            f"  12-month backtest (2023, h=1, production path with LSTM): {bt:7.1f} s   "
            f"(target <= 180 s; SES over the same months {ref_bt:.1f} s)  [{load()}]"
        )
    if args.demo:
        took, line = demo()
        say(
            f"  `crimecast demo` from an empty state directory: {took:7.1f} s   (target <= 90 s; "
            f"its ingest: {line})  [{load()}]"
        )
    print(
        "crimecast training bench (real data, %d series; shared 2-core machine, %d threads)"
        % (len(panel), os.cpu_count() or 0)
    )
    print("\n".join(lines))
    print(
        f"  challenger pending={record.get('pending')}; peak memory after training "
        f"{mem_train:.0f} MB, at the end {peak_mb():.0f} MB   (target < 1536 MB)"
    )


if __name__ == "__main__":
    main()
