"""Weekly alerts on the real data: how often series are flagged, and what the weekly job costs.

    python bench/alerts.py [--redis-url URL] [--subscriptions 50] [--method bh|heyse] [--window 12]

1. Streams 2023 of the real Calgary file (expanded to incidents) into Redis under a private prefix.
2. For the 52 Mondays of 2023, with forecasts rolled forward as months close (mean of the last
   ``--window`` months, NB dispersion per category by moments), builds the city-wide alert and counts
   the series flagged (FDR level 0.1): the figure the FDR choice is judged by.
3. Times the weekly job (the city's facts once, then build + enqueue) for ``--subscriptions``
   channels, beside one alert built alone and a Redis PING round trip measured in the same run.
   Cleans up its keys.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # tests/portal_oracle.py: panel, forecasts

from stream.connection import connect  # noqa: E402
from stream.consumer import Consumer  # noqa: E402
from stream.forecast_cache import ForecastCache  # noqa: E402
from stream.keys import Keys  # noqa: E402
from stream.producer import Producer  # noqa: E402
from stream.sources.calgary import read_calgary  # noqa: E402
from core.months import add_months as month_add  # noqa: E402
from core.profile import active_profile  # noqa: E402
from portal_oracle import mean_forecasts, panel_of  # noqa: E402
from workers.alerts import (  # noqa: E402
    Subscription,
    SubscriptionStore,
    build_alert,
    run_weekly_alerts,
)

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))


TIMED_AS_OF = "2023-12-18"  # the served set (data through 2023-11) was made before this day


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    ap.add_argument("--subscriptions", type=int, default=50)
    ap.add_argument("--method", choices=["bh", "heyse"], default="bh")
    ap.add_argument("--window", type=int, default=12)
    args = ap.parse_args()

    frame = pd.read_csv(DATA / "calgary_community_crime_2018_2023.csv")
    panel = panel_of(frame)
    client = connect(args.redis_url)
    keys = Keys(f"bench-alerts-{uuid.uuid4().hex[:8]}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "2023.csv"
            frame[frame["Year"] == 2023].to_csv(path, index=False)
            sent = Producer(client, keys).send(read_calgary(path, expand=True, invent_days=True))
        consumer = Consumer(client, keys, batch_size=2000)
        consumer.run(burst=True)
        consumer.close()
        print(f"streamed {sent:,} incidents of 2023")

        cache = ForecastCache(client, keys)
        as_of, through, flags = date(2023, 1, 9), None, []
        while as_of <= date(2024, 1, 1):
            closed_by = as_of - timedelta(days=14)
            wanted = month_add(f"{closed_by.year}-{closed_by.month:02d}", -1)
            if wanted != through:
                through = wanted
                cache.write(
                    mean_forecasts(panel, wanted, window=args.window, model=f"mean{args.window}"),
                    {"data_through": wanted, "model": f"mean{args.window}"},
                )
            alert = build_alert(
                client, Subscription("bench", "city"), as_of, keys=keys, method=args.method
            )
            flags.append(alert.fdr["flagged"])
            as_of += timedelta(days=7)
        print(
            f"flags over 52 weekly alerts ({alert.fdr['method']}, level {alert.fdr['level']}, "
            f"~{alert.fdr['tested']:,} series tested a week): total {sum(flags)}, weeks with any "
            f"{sum(f > 0 for f in flags)}, most in one week {max(flags)}"
        )

        store = SubscriptionStore(client, keys)
        comms = sorted({c for c, _ in panel.index})
        regions = sorted(active_profile().regions.aliases)  # the profile's sectors
        for i in range(args.subscriptions):
            kind = i % 3
            sub = (
                Subscription(f"c{i}", "city")
                if kind == 0
                else Subscription(f"c{i}", "sector", sector=regions[i % len(regions)])
                if kind == 1
                else Subscription(f"c{i}", "communities", communities=comms[i % len(comms) :][:3])
            )
            store.add(sub)
        pings = []
        for _ in range(200):
            t = time.perf_counter()
            client.ping()
            pings.append((time.perf_counter() - t) * 1000)
        singles = []
        for sub in store.all()[:20]:
            t = time.perf_counter()
            build_alert(client, sub, TIMED_AS_OF, keys=keys)
            singles.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        summary = run_weekly_alerts(client, keys, TIMED_AS_OF)
        total = time.perf_counter() - t
        print(
            f"weekly job: {summary['queued']} alerts built and queued in {total:.2f}s "
            f"({total / max(summary['queued'], 1) * 1000:.0f} ms each); one alert p50 "
            f"{statistics.median(singles):.0f} ms; Redis PING p50 {statistics.median(pings):.2f} ms "
            f"(same run); load average {os.getloadavg()[0]:.2f}. The weekly job computes the "
            f"city's facts once; a single alert computes them for itself."
        )
    finally:
        for key in client.scan_iter(match=keys.all_pattern(), count=1000):
            client.delete(key)
        client.close()


if __name__ == "__main__":
    main()
