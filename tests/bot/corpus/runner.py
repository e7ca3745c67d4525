"""Deploy a city through the production commands, ask every corpus phrasing in-process, tally.

Used by ``tests/bot/test_corpus.py`` and ``bench/corpus.py``. A deployment is what an operator
runs (``crimecast ingest``, ``reference load``, ``worker --burst``, ``close-month`` for the last
month, so the newest complete month is the file's last), under its own key prefix; forecasts and
an archive of earlier forecast sets are written from the counts with the bot tests' simple real
model (``tests/bot/seed.py``), so forecast and accuracy questions have something to read.
"""

from __future__ import annotations

import importlib.util
import os
import time
import traceback
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd

from . import (
    fresh2_atlanta,
    fresh2_calgary,
    fresh3_atlanta,
    fresh3_calgary,
    fresh_atlanta,
    fresh_calgary,
    generate,
    heldout_atlanta,
    heldout_calgary,
)
from .cities import ATLANTA_PROFILE, CALGARY_PROFILE, DATA_DIR, FILES, city, shift
from .check import ERROR, OUTCOMES, PASS, outcome, summary
from .oracle import describe, expect, readings

HERE = Path(__file__).resolve().parent
TODAY = {"calgary": date(2024, 1, 20), "atlanta": date(2020, 1, 20)}
ARCHIVED = 6  # earlier forecast sets in the archive (data through the 6 months before the newest)


def heldout(key: str) -> list:
    """The held-out phrasings of a city: the first batches and the late one."""
    module = {"calgary": heldout_calgary, "atlanta": heldout_atlanta}[key]
    return [*module.CASES, *module.LATE]


def fresh(key: str) -> list:
    """The fresh held-out batch of a city (written by an independent tester, reported apart)."""
    return list({"calgary": fresh_calgary, "atlanta": fresh_atlanta}[key].CASES)


def fresh2(key: str) -> list:
    """The second fresh batch of a city (another independent tester; the parser was never tuned
    on it, unlike the first fresh batch): reported apart as "fresh2"."""
    return list({"calgary": fresh2_calgary, "atlanta": fresh2_atlanta}[key].CASES)


def fresh3(key: str) -> list:
    """The third fresh batch of a city (a third independent tester, written after the parser was
    tuned on the first two): reported apart as "fresh3", the untouched measure."""
    return list({"calgary": fresh3_calgary, "atlanta": fresh3_atlanta}[key].CASES)


def corpus_sets(key: str) -> list[tuple[str, list]]:
    return [
        ("generated", generate.cases(key)),
        ("held-out", heldout(key)),
        ("fresh", fresh(key)),
        ("fresh2", fresh2(key)),
        ("fresh3", fresh3(key)),
    ]


def report_sets(records_by_set: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The sets as printed: generated, held-out, fresh, fresh2 and fresh3 (their own batches, not in
    held-out), and the late held-out batch (written last, after the parser's authors had seen the pass rates) on its
    own."""
    late = {
        x.text
        for k in ("calgary", "atlanta")
        for x in {"calgary": heldout_calgary, "atlanta": heldout_atlanta}[k].LATE
    }
    out = dict(records_by_set)
    out["late"] = [r for r in records_by_set.get("held-out", []) if r["text"] in late]
    return out


def _seed():
    spec = importlib.util.spec_from_file_location("crimecast_corpus_seed", HERE.parent / "seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _steps(key: str) -> list[list[str]]:
    files = [str(DATA_DIR / f) for f in FILES[key]]
    last = city(key).newest
    if key == "calgary":
        return [
            ["ingest", "calgary", files[0], "--drain"],
            ["reference", "load", "--areas", files[1], "--population", files[2]],
            ["worker", "--burst"],
            ["close-month", last],
        ]
    return [
        ["ingest", "csv", files[0], "--drain"],
        ["reference", "load", "--areas", files[0]],
        ["worker", "--burst"],
        ["close-month", last],
    ]


def _forecasts(client, keys, through: str) -> None:
    """The simple real model's forecasts from the counts (served, and archived month by month)."""
    from stream.forecast_archive import ForecastArchive
    from stream.forecast_cache import ForecastCache
    from stream.store import CountStore

    seed, store = _seed(), CountStore(client, keys)
    long = pd.DataFrame(
        [
            (a, c, m, n)
            for m in store.months()
            if m >= city_first(store)
            for (a, c), n in store.month_counts(m).items()
        ],
        columns=["community", "category", "month", "count"],
    )
    archive = ForecastArchive(client, keys)
    for k in range(ARCHIVED, 0, -1):
        t = shift(through, -k)
        archive.write(t, seed.simple_forecasts(long[long["month"] <= t], t, 3))
    entries = seed.simple_forecasts(long, through, 3)
    ForecastCache(client, keys).write(
        entries,
        {"data_through": through, "model": seed.MODEL, "mae": seed.backtest_mae(long, through)},
    )
    archive.write(through, entries)


def city_first(store) -> str:
    closed = store.closed_months()
    return closed[0] if closed else store.months()[0]


@contextmanager
def deployment(key: str, redis_url: str, state_dir: Path):
    """A deployed city: yields the engine; deletes its keys afterwards."""
    from typer.testing import CliRunner

    from bot.cli import app
    from stream.connection import connect
    from stream.keys import Keys

    keys = Keys(f"cctest-corpus-{key[:3]}-{uuid.uuid4().hex[:8]}")
    profile = ATLANTA_PROFILE if key == "atlanta" else CALGARY_PROFILE
    env = {
        "REDIS_URL": redis_url,
        "CRIMECAST_KEY_PREFIX": keys.prefix,
        "CRIMECAST_STATE_DIR": str(state_dir),
        "CRIMECAST_CITY_FILE": str(profile),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    client = connect(redis_url)
    try:
        runner = CliRunner()
        for argv in _steps(key):
            result = runner.invoke(app, argv)
            if result.exit_code != 0:
                raise RuntimeError(f"{argv}: {result.output}")
        _forecasts(client, keys, city(key).newest)
        yield make_engine(client, keys, key, profile)
    finally:
        for pattern in (keys.all_pattern(), f"rq:*{keys.prefix}*"):
            batch = list(client.scan_iter(match=pattern, count=1000))
            for i in range(0, len(batch), 500):
                client.delete(*batch[i : i + 500])
        client.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def make_engine(client, keys, key: str, profile: Path):
    """The engine as the CLI builds it (adapter: the one place that knows its constructor)."""
    try:
        from bot.answering.engine import Engine
    except ImportError:  # the engine before issue 16's package layout
        from bot.engine import Engine
    from core.profile import load_profile

    return Engine(client, keys, today=TODAY[key], profile=load_profile(profile))


def ask(engine, text: str) -> dict:
    """The dict ``crimecast ask --json`` prints."""
    return engine.ask(text).to_dict()


def run(engine, key: str, cases) -> list[dict]:
    """Ask every case; one record per case with its outcome."""
    c = city(key)
    out = []
    for case in cases:
        start = time.perf_counter()
        try:
            answer = ask(engine, case.text)
        except Exception:  # noqa: BLE001 - a traceback is an outcome the corpus reports
            out.append(
                {
                    "text": case.text,
                    "shape": case.spec.shape,
                    "expected": describe(case.spec),
                    "got": "raised",
                    "outcome": ERROR,
                    "why": traceback.format_exc(limit=3),
                    "answer": None,
                    "ms": 1000 * (time.perf_counter() - start),
                }
            )
            continue
        ms = 1000 * (time.perf_counter() - start)
        results = [
            outcome(answer, expect(c, s), s) for s in readings(c, case.spec, case.alternatives)
        ]
        best = next((r for r in results if r[0] == PASS), results[0])
        out.append(
            {
                "text": case.text,
                "shape": case.spec.shape,
                "expected": describe(case.spec)
                + "".join(f" | or {describe(a)}" for a in case.alternatives),
                "got": summary(answer),
                "outcome": best[0],
                "why": best[1],
                "answer": answer,
                "ms": ms,
            }
        )
    return out


def table(records_by_set: dict[str, list[dict]]) -> str:
    """Pass rates per set x city x shape, with the other outcomes counted."""
    lines = [
        f"{'set':<10}{'city':<9}{'shape':<26}{'n':>5}{'pass':>7}  "
        + "  ".join(f"{o}" for o in OUTCOMES[1:])
    ]
    for name, records in records_by_set.items():
        groups = defaultdict(list)
        for r in records:
            groups[(r["city"], r["shape"])].append(r["outcome"])
            groups[(r["city"], "ALL")].append(r["outcome"])
        for (cty, shape), outs in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1] == "ALL", kv[0][1])
        ):
            n, k = len(outs), Counter(outs)
            lines.append(
                f"{name:<10}{cty:<9}{shape:<26}{n:>5}{100 * k[PASS] / n:>6.1f}%  "
                + "  ".join(f"{k[o]:>{len(o)}}" for o in OUTCOMES[1:])
            )
    return "\n".join(lines)


def pivot(records_by_set: dict[str, list[dict]]) -> str:
    """Pass rates as one line per shape, one column per set x city (the README's table)."""
    cols = sorted(
        {(name, r["city"]) for name, rs in records_by_set.items() for r in rs},
        key=lambda k: (list(records_by_set).index(k[0]), k[1]),
    )
    cells = defaultdict(list)
    for name, records in records_by_set.items():
        for r in records:
            cells[(r["shape"], name, r["city"])].append(r["outcome"] == PASS)
            cells[("all", name, r["city"])].append(r["outcome"] == PASS)
    shapes = sorted({k[0] for k in cells} - {"all"}) + ["all"]
    head = "| shape | " + " | ".join(f"{n} {c}" for n, c in cols) + " |"
    lines = [head, "| --- |" + " ---: |" * len(cols)]
    for shape in shapes:
        row = []
        for n, c in cols:
            v = cells.get((shape, n, c))
            digits = 1 if shape == "all" else 0
            row.append(f"{100 * sum(v) / len(v):.{digits}f}% of {len(v)}" if v else "")
        lines.append(f"| {shape} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def rates(records: list[dict]) -> dict[str, float]:
    """Pass rate per city over these records."""
    by = defaultdict(list)
    for r in records:
        by[r["city"]].append(r["outcome"] == PASS)
    return {k: sum(v) / len(v) for k, v in by.items()}
