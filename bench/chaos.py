"""Chaos benchmark: the real 2018-2023 Calgary file expanded to 195,719 incidents, ingested by real
`crimecast` processes while workers are SIGKILLed and Redis is killed and restarted, beside the same
ingest without faults, in one invocation.

Each run starts its own ``redis-server`` (append-only, ``appendfsync everysec``) on a free port,
three ``crimecast worker`` processes and ``crimecast ingest calgary --expand``, all with the default
settings (claim idle time 60 s, heartbeat TTL 5 s). In the chaos run, every half second a random
worker is frozen and SIGKILLed once it holds read-but-unacknowledged entries (another is started),
and after the third kill (or once half the records are in) Redis itself is SIGKILLed and
restarted on its append-only file. Both runs
end when the counts are exact and nothing is pending; the export (``crimecast export-counts``) is
then compared with the file cell by cell.

    python bench/chaos.py [--unexpanded] [--workers 3] [--kill-every 0.5]

Timings on a shared machine are noisy: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))


def _harness():
    spec = importlib.util.spec_from_file_location(
        "crimecast_chaos", ROOT / "tests/workers/chaos.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", type=Path, default=DATA / "calgary_community_crime_2018_2023.csv")
    ap.add_argument("--unexpanded", action="store_true", help="One record per row (the CI size).")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--kill-every", type=float, default=0.5, help="Seconds between kills.")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    chaos = _harness()
    expand = not args.unexpanded
    runs = {}
    for label, faults in (("no faults", False), ("chaos", True)):
        print(f"[{label}] running ... ({_load()})", flush=True)
        with tempfile.TemporaryDirectory(prefix="crimecast-chaos-") as tmp:
            runs[label] = chaos.run(
                args.csv,
                Path(tmp),
                expand=expand,
                faults=faults,
                workers=args.workers,
                kill_every_s=args.kill_every,
                seed=args.seed,
            )
    calm, rough = runs["no faults"], runs["chaos"]
    print()
    print(
        f"file: {args.csv.name}, {rough.records:,} records ({'expanded' if expand else 'rows'}), "
        f"{rough.incidents:,} incidents; {args.workers} workers, default settings"
    )
    print(
        f"survived: {rough.kills} workers SIGKILLed holding {rough.held_at_kill:,} read-but-"
        f"unacknowledged entries ({rough.spared} victims spared: held nothing for 1 s; "
        f"{rough.started} workers started in all)"
    )
    print(
        f"          {rough.redis_restarts} Redis kill and restart (down {rough.redis_down_s:.1f} s, "
        f"AOF everysec); {rough.resent:,} records re-sent by the producer; "
        f"{rough.duplicates:,} duplicates absorbed; {rough.dead_letters} dead letters; exact "
        f"{rough.seconds_after_last_fault:.1f} s after the last fault"
    )
    for label, r in runs.items():
        print(
            f"{label:>9}: exact counts after {r.seconds_to_exact:.1f} s "
            f"({r.rate:,.0f} records/s end to end); export equals the file: "
            f"{'yes' if r.exact else 'NO'}; after a clean stop: {len(r.leftover_consumers)} "
            f"consumers, {r.leftover_heartbeats} heartbeats left"
        )
    if calm.seconds_to_exact:
        print(
            f"   chaos/no-fault time: {rough.seconds_to_exact / calm.seconds_to_exact:.2f}x "
            f"({_load()}, 2 shared cores)"
        )
    return 0 if calm.exact and rough.exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
