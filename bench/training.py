"""Training and month-close speed of the served model on the real data, with peak memory.

Measures, in one run: a full train of the served ensemble on 2018-01..2023-11 (online GLM warm fit +
LSTM full train), the month-close update of every series for 2023-12 (learn, forecast 1..6,
intervals, swap of the Redis forecast cache, registry save), an LSTM champion/challenger fine-tune,
and the peak resident memory of this (training) process. Reference in the same run: the same
month-close path with the SES baseline alone. Uses ``REDIS_URL`` (a private key prefix, deleted
afterwards) or an embedded Redis. Timings are noisy on a shared machine.

    python bench/training.py
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from online_model.baselines import SES  # noqa: E402
from online_model.data import read_calgary_csv, to_panel  # noqa: E402
from core.negbin import NegBin  # noqa: E402
from online_model.registry import Registry  # noqa: E402
from online_model.served import build_served  # noqa: E402
from stream.connection import EmbeddedRedis, connect  # noqa: E402
from stream.forecast_cache import CachedForecast, ForecastCache  # noqa: E402
from stream.keys import Keys  # noqa: E402

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def month_close(model, month, counts, cache, registry) -> dict:
    t0 = time.perf_counter()
    model.learn_one(month, counts)
    t1 = time.perf_counter()
    arr = model.forecast_arrays(6)
    lo, hi = NegBin(arr.mean, arr.dispersion).interval(0.8)
    t2 = time.perf_counter()
    entries = [CachedForecast(c, k, arr.months, arr.mean[i].tolist(), arr.dispersion[i].tolist(),
                              lo[i].tolist(), hi[i].tolist(), model.kind, month)
               for i, (c, k) in enumerate(arr.series)]
    cache.write(entries, {"model": model.kind, "data_through": month})
    t3 = time.perf_counter()
    registry.save(model.kind, model, data_through=month)
    t4 = time.perf_counter()
    return {"learn": t1 - t0, "forecast+intervals": t2 - t1, "cache swap": t3 - t2,
            "registry save": t4 - t3, "total": t4 - t0, "series": len(entries)}


def main() -> None:
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
    try:
        ref = SES(0.2)
        ref.learn_many(train)
        ref_close = month_close(ref, last, counts, cache, registry)

        model = build_served()
        t0 = time.perf_counter()
        model.learn_many(train)
        full = time.perf_counter() - t0
        mem_train = peak_mb()
        close = month_close(model, last, counts, cache, registry)
        t0 = time.perf_counter()
        record = model.members["lstm"].fine_tune()
        ft = time.perf_counter() - t0
    finally:
        for key in client.scan_iter(match=keys.all_pattern()):
            client.delete(key)
        client.close()
        if server is not None:
            server.close()
    print("crimecast training bench (real data, %d series; timings noisy: shared 2-core machine)"
          % len(panel))
    print(f"  full train of the served ensemble, {train.shape[1]} months: {full:7.1f} s   (target < 300 s)")
    print(f"  month-close update + cache refresh (ensemble): {close['total']:7.2f} s   (target < 2 s)")
    for k in ("learn", "forecast+intervals", "cache swap", "registry save"):
        print(f"      {k:<20} {close[k]:6.2f} s")
    print(f"  reference, same path with SES alone:        {ref_close['total']:7.2f} s")
    print(f"  LSTM fine-tune (champion/challenger):        {ft:7.1f} s   (target < 60 s); "
          f"promoted={record['promoted']}")
    print(f"  peak memory of this process after training: {mem_train:7.0f} MB; at the end "
          f"{peak_mb():.0f} MB   (target < 1536 MB)")


if __name__ == "__main__":
    main()
