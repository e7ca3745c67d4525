"""The question corpus of issue 16 as a table: pass rates per city x shape, per set (generated,
held-out, fresh, fresh2, fresh3, late).

    python bench/corpus.py [--show-failures N]

Deploys Calgary and Atlanta from ../shared/data through the production commands under private
key prefixes on ``REDIS_URL`` (required: a real Redis), asks every phrasing in-process and checks
it against the independent oracle (tests/bot/corpus). Prints the same table as
tests/bot/test_corpus.py, with the time each set took (reference: the oracle's own time for the
same expectations, measured in the same run).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bot")]

from corpus import runner  # noqa: E402
from corpus.cities import available, city  # noqa: E402
from corpus.oracle import expect  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--show-failures",
        type=int,
        default=0,
        help="print this many failing phrasings per city and set",
    )
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    if not url:
        sys.exit("REDIS_URL is not set: the corpus needs a real Redis")
    by_set = {"generated": [], "held-out": [], "fresh": [], "fresh2": [], "fresh3": []}
    timing, failures = [], []
    for key in ("calgary", "atlanta"):
        if not available(key):
            print(f"{key}: data not found, skipped")
            continue
        with runner.deployment(key, url, Path(tempfile.mkdtemp())) as engine:
            for name, cases in runner.corpus_sets(key):
                start = time.perf_counter()
                records = runner.run(engine, key, cases)
                took = time.perf_counter() - start
                start = time.perf_counter()
                for case in cases:
                    expect(city(key), case.spec)
                ref = time.perf_counter() - start
                for r in records:
                    r["city"] = key
                by_set[name] += records
                timing.append(
                    f"{name} {key}: {len(cases)} phrasings asked and checked in "
                    f"{took:.1f} s (oracle alone {ref:.1f} s)"
                )
                bad = [r for r in records if r["outcome"] != "pass"][: args.show_failures]
                failures += [
                    f"  [{name} {key}] {r['outcome']}: {r['text']}  ({r['why']})\n"
                    f"      expected: {r['expected']}\n      got: {r['got']}"
                    for r in bad
                ]
    print(f"question corpus (load {os.getloadavg()[0]:.1f})")
    print(runner.table(runner.report_sets(by_set)))
    print("\n" + runner.pivot(runner.report_sets(by_set)))
    print("\n".join(timing))
    if failures:
        print("failures:\n" + "\n".join(failures))


if __name__ == "__main__":
    main()
