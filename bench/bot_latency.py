"""Latency of the bot's answers against a Redis holding forecasts for every series.

Fills a private key prefix on the Redis server (``REDIS_URL``, default the local one; embedded when
``--embedded``) with the real Calgary counts through 2023-12 and forecasts for every series from a
real simple model (mean of the last six months, negative-binomial dispersion), archived as if
trained month by month (sets made with data through 2023-10, -11 and -12), then times 1,000 mixed
questions end to end (parse, answer from the cached forecasts, archive and counts, render), about
half of them about the past and the present (counts over a period, year over year, running hot,
how the forecast did, coverage):

- text answers (target p99 < 10 ms),
- answers with a chart PNG (target p99 < 200 ms),
- maps of 300 areas (target p99 < 200 ms, as a chart): Calgary-like squares named after the real
  communities, coloured by their real counts of one category and month (a different one each
  map), drawn by ``bot/rendering/map.py`` with its legend, labels and caveat,

beside the Redis PING round trip measured in the same run; about a fifth of the questions are the
new shapes of issue 16 (quarters, seasons, two periods, rates, averages, shares, busiest months,
accuracy on demand). With ``--oneshot``, also the wall time and peak RSS of one-shot ``crimecast
ask`` processes at 1x and 4x the series (:mod:`bench.ask_oneshot`). The machine is shared: figures
are noisy.

    python bench/bot_latency.py [--queries 1000] [--chart-queries 1000] [--maps 300] [--oneshot]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot")]  # tests/bot/seed.py: the bot tests' filler

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bot.answering.engine import Engine  # noqa: E402
from stream.reference import load_reference  # noqa: E402
import seed  # noqa: E402
from bot.rendering.render import to_embed, to_png, to_text  # noqa: E402
from stream.connection import EmbeddedRedis, connect  # noqa: E402
from stream.keys import Keys  # noqa: E402
from workers.report import accountability_report, save_report  # noqa: E402


DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))

TEMPLATES = [
    "forecast {c} next month",
    "{c}",
    "how many {k} in {c} next 3 months?",
    "{c} {k} in March",
    "top 5 communities for {k} next month",
    "top 10 in the {s}",
    "trend {c}",
    "how has {k} changed in {c} this year?",
    "compare {c} and {c2}",
    "{c} vs {c2} {k}",
    "why is {c} up?",
    "status",
    "{typo} {k}",
    "{c} per 1000 residents",
    "help",
    "forecast gotham",
    "downtown break-ins next month",
    "calgary car theft next 3 months",
]
PAST_TEMPLATES = [
    "how many {k} were there in {c} last month",
    "how many {k} in {c} in 2022",
    "is crime up in {c} compared to last year",
    "{c} {k} since june",
    "which communities are running hot",
    "anything unusual in the {s}",
    "what data do you have",
    "how did last month's forecast do?",
    "how good was the forecast for {c} in november 2023",
    "how many {k} in {c} from march to may 2023",
    "top 5 communities for {k} last month",
    "{c} {k} this year",
    "how many {k} in {c} last week",
    "{c} over the last 3 months",
    "are {k} down in {c}",
    "compare {c} and {c2} last year",
    "{c} 2023-11",
    "how many {k} were reported in {c}",
    "how accurate are you in {c}",
    "where do your alerts point?",
    "are you biased against the {s}",  # the saved accountability report (issue 12)
]
#: the shapes of issue 16: quarters, halves, seasons, two periods, rates, averages, shares,
#: busiest months, numbers of places, accuracy on demand, lists
NEW_SHAPES = [
    "which {n} communities had the most {k} in 2023",
    "the 3 busiest communities for {k} last year",
    "busiest month for {k} in {c} in 2023",
    "quietest month in {c} in 2022",
    "how many {k} in {c} in Q2 2023",
    "{k} in {c} in the first quarter",
    "{c} {k} in the second half of 2022",
    "{k} in {c} last summer",
    "{c} in winter 2022",
    "{k} in {c} 2021 vs 2023",
    "{c} Q1 this year against Q1 last year",
    "{k} in {c} march compared with february",
    "top 5 communities by rate for {k} in 2023",
    "{k} per 1,000 residents in {c} in 2023",
    "average {k} per month in {c} in 2023",
    "biggest increase in {k} in 2023",
    "largest drop in {k} last year",
    "what share of {k} was in {c} in 2023",
    "which sector had the most {k} in 2023",
    "list the communities in the {s}",
    "how accurate are you in {c} last quarter",
    "how accurate are you for {k}",
]
PAST_INTENTS = {
    "count",
    "change",
    "hot",
    "review",
    "coverage",
    "accuracy",
    "rate",
    "average",
    "share",
    "peak",
    "trough",
    "list",
}
CATS = [
    "car theft",
    "break-ins",
    "violent crime",
    "assaults",
    "street robbery",
    "theft from vehicles",
    "residential break ins",
    "robbery",
    "all crime",
]
SECTORS = ["northeast", "centre", "south", "nw", "west"]


def typo(name: str, rng: random.Random) -> str:
    s = name.lower()
    if len(s) > 5:
        i = rng.randrange(1, len(s) - 1)
        s = s[:i] + s[i + 1 :]
    return s


def questions(communities: list[str], n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        c, c2 = rng.sample(communities, 2)
        u = rng.random()
        templates = PAST_TEMPLATES if u < 0.3 else NEW_SHAPES if u < 0.5 else TEMPLATES
        out.append(
            rng.choice(templates).format(
                c=c.title(),
                c2=c2.lower(),
                k=rng.choice(CATS),
                s=rng.choice(SECTORS),
                typo=typo(c, rng),
                n=rng.choice(["four", "3", "ten", "two"]),
            )
        )
    return out


def time_maps(frame: pd.DataFrame, n: int, rng: random.Random) -> tuple[list, list]:
    """Draw ``n`` maps of 300 Calgary-like areas (squares in a 20 x 15 grid named after the real
    communities), each coloured by the real counts of one category in one month, ten areas
    without data; returns wall-clock and CPU seconds per map."""
    from shapely.geometry import box

    from bot.rendering.map import MapSpec, render_map
    from core.caveats import CAVEAT
    from stream.geometry import AreaGeometry

    names = sorted(frame["Community"].str.upper().unique())[:300]
    shapes = {
        a: box(
            -114.3 + (i % 20) * 0.02,
            50.85 + (i // 20) * 0.02,
            -114.28 + (i % 20) * 0.02,
            50.87 + (i // 20) * 0.02,
        )
        for i, a in enumerate(names)
    }
    geo = AreaGeometry.of_shapes(shapes)
    frame = frame.assign(area=frame["Community"].str.upper())
    groups = {
        k: g.groupby("area")["Crime Count"].sum()
        for k, g in frame.groupby(["Category", "Year", "Month"])
    }
    keys = list(groups)
    render_map(MapSpec({a: 1.0 for a in names}, "count", "warm-up", "-", "-", CAVEAT), geo)
    wall, cpu = [], []
    for _ in range(n):
        cat, year, month = rng.choice(keys)
        counts = groups[(cat, year, month)]
        values = {a: float(counts.get(a, 0)) for a in names}
        for a in rng.sample(names, 10):
            values[a] = None
        spec = MapSpec(values, "count", cat.lower(), f"{year}-{month:02d}", "2023-12", CAVEAT)
        t0, c0 = time.perf_counter(), time.process_time()
        render_map(spec, geo)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def pct(xs, q):
    return float(np.percentile(np.asarray(xs) * 1000.0, q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--chart-queries", type=int, default=1000)
    ap.add_argument("--maps", type=int, default=300, help="maps of 300 areas to draw")
    ap.add_argument("--embedded", action="store_true", help="use an embedded Redis")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--oneshot",
        action="store_true",
        help="also time one-shot `crimecast ask` processes at 1x and 4x the series",
    )
    args = ap.parse_args()

    server = None
    if args.embedded or not os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"):
        import tempfile

        server = EmbeddedRedis(tempfile.mkdtemp())
        url = server.url
    else:
        url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    client = connect(url)
    keys = Keys(f"bench-bot-{uuid.uuid4().hex[:8]}")
    try:
        t = time.perf_counter()
        frame = pd.read_csv(DATA / "calgary_community_crime_2018_2023.csv")
        filled = seed.fill(
            client, keys, frame, data_through="2023-12", horizon=3, archive=("2023-10", "2023-11")
        )
        load_reference(
            client, keys, DATA / "calgary_communities.csv", DATA / "calgary_population_2021.csv"
        )
        print(
            f"filled {filled['series']:,} series x {filled['months']} months of real counts + "
            f"forecasts in {time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        save_report(client, keys, accountability_report(client, keys, months=2, end="2023-12"))
        print(
            f"accountability report (2 months) built and saved in {time.perf_counter() - t:.1f} s"
        )

        engine = Engine(client, keys, warm=True)  # as the Discord bot runs it
        t = time.perf_counter()
        engine.refresh()
        print(
            f"cold load of forecasts, counts and names: {(time.perf_counter() - t) * 1000:.0f} ms"
        )
        rng = random.Random(args.seed)
        qs = questions(list(engine.names.communities), args.queries, rng)
        t = time.perf_counter()
        engine.ask("how did the forecast do since october 2023")  # loads the archived sets once
        print(
            f"first load of the archived forecast sets: {(time.perf_counter() - t) * 1000:.0f} ms"
        )
        for q in qs[:20]:  # warm-up (first matplotlib figure, numpy paths)
            to_png(engine.ask(q))

        text_t, text_cpu, ping_t, kinds, past_t = [], [], [], {}, []
        ok = 0
        for q in qs:
            t0 = time.perf_counter()
            client.ping()
            ping_t.append(time.perf_counter() - t0)
            t0, c0 = time.perf_counter(), time.process_time()
            a = engine.ask(q)
            to_text(a)
            to_embed(a)
            dt = time.perf_counter() - t0
            text_t.append(dt)
            text_cpu.append(time.process_time() - c0)
            kinds.setdefault(a.intent, []).append(dt)
            if a.intent in PAST_INTENTS or "period" in a.data:
                past_t.append(dt)
            ok += a.ok
        chart_t, chart_cpu = [], []
        for q in qs[: args.chart_queries]:
            t0, c0 = time.perf_counter(), time.process_time()
            a = engine.ask(q)
            to_embed(a)
            png = to_png(a)
            if png is not None:
                chart_t.append(time.perf_counter() - t0)
                chart_cpu.append(time.process_time() - c0)

        map_t, map_cpu = time_maps(frame, args.maps, rng)

        print(
            f"\n{len(qs)} mixed questions ({ok} answered, {len(qs) - ok} help replies), "
            f"{len(chart_t)} with a chart"
        )
        print(f"{'':28}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for label, xs in (
            ("Redis PING round trip", ping_t),
            ("text answer", text_t),
            ("  same, CPU time only", text_cpu),
            ("  of which past/present", past_t),
            ("answer with chart (PNG)", chart_t),
            ("  same, CPU time only", chart_cpu),
            ("map of 300 areas (PNG)", map_t),
            ("  same, CPU time only", map_cpu),
        ):
            print(f"{label:28}{pct(xs, 50):9.2f}{pct(xs, 99):9.2f}{max(xs) * 1000:9.2f}")
        print("\nby intent (text):")
        for k, xs in sorted(kinds.items()):
            print(f"  {k:12} n={len(xs):4d}  p50 {pct(xs, 50):6.2f} ms  p99 {pct(xs, 99):6.2f} ms")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"\nload average during the run: {load:.2f} on {os.cpu_count()} CPUs (wall-clock "
            "figures include waiting for a CPU)"
        )
        print(
            f"\ntargets: text p99 < 10 ms: {'met' if pct(text_t, 99) < 10 else 'MISSED'}; "
            f"chart p99 < 200 ms: {'met' if pct(chart_t, 99) < 200 else 'MISSED'}; "
            f"map p99 < 200 ms: {'met' if pct(map_t, 99) < 200 else 'MISSED'}"
        )
        print(
            json.dumps(
                {
                    "ping_p50_ms": round(pct(ping_t, 50), 3),
                    "ping_p99_ms": round(pct(ping_t, 99), 3),
                    "text_p50_ms": round(pct(text_t, 50), 3),
                    "text_p99_ms": round(pct(text_t, 99), 3),
                    "text_cpu_p99_ms": round(pct(text_cpu, 99), 3),
                    "past_present_text_p99_ms": round(pct(past_t, 99), 3),
                    "past_present_queries": len(past_t),
                    "chart_p50_ms": round(pct(chart_t, 50), 3),
                    "chart_p99_ms": round(pct(chart_t, 99), 3),
                    "chart_cpu_p50_ms": round(pct(chart_cpu, 50), 3),
                    "chart_cpu_p99_ms": round(pct(chart_cpu, 99), 3),
                    "map_p50_ms": round(pct(map_t, 50), 3),
                    "map_p99_ms": round(pct(map_t, 99), 3),
                    "map_cpu_p99_ms": round(pct(map_cpu, 99), 3),
                    "queries": len(qs),
                    "chart_queries": len(chart_t),
                    "maps": len(map_t),
                }
            )
        )
    finally:
        for key in client.scan_iter(match=keys.all_pattern(), count=1000):
            client.delete(key)
        client.close()
        if server is not None:
            server.close()
    if args.oneshot:
        import ask_oneshot

        print()
        print(ask_oneshot.report([ask_oneshot.measure(k, url=url) for k in (1, 4)]))


if __name__ == "__main__":
    main()
