"""``crimecast demo``: the whole pipeline in one command, on the embedded Redis by default.

It runs the production path end to end: records are produced to the stream, counted by a stream
consumer in burst mode, months are closed (the watermark's, then the last month of a finished
historical file), the model updates queued by each close are run by a non-forking rq worker, and
the bot's engine answers a few questions from the forecasts the workers cached.

Data, in order of preference: ``--data FILE`` (portal layout); the City of Calgary file in
``../shared/data`` when it exists (read in place); a download from the city's portal (Socrata
``78gh-n26t``); otherwise the synthetic generator, labelled SYNTHETIC in every answer.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Optional

import typer

from workers.cli.base import console, err_console, fail, load_settings, open_runtime_or_exit

app = typer.Typer()  # `crimecast demo`; bot/cli.py composes it

ROOT = Path(__file__).resolve().parents[2]  # the project root (this file is workers/cli/demo.py)
SHARED_FILE = ROOT.parent / "shared" / "data" / "calgary_community_crime_2018_2023.csv"

QUESTIONS = (
    "forecast Beltline next month",
    "top 5 communities for car theft next month",
    "trend Forest Lawn",
    "top 5 in the northeast next month",
)
SYNTHETIC_QUESTIONS = (
    "forecast Beltline next month",
    "top 5 communities for break-ins next month",
    "status",
)


def _pick_data(data: Path | None, synthetic: bool, settings) -> tuple[str, Path | None]:
    """(label, path): where the demo's records come from."""
    if synthetic:
        return "synthetic", None
    if data is not None:
        if not data.exists():
            raise fail(f"--data {data}: no such file")
        return f"file {data}", data
    env_dir = os.environ.get("CRIMECAST_DATA_DIR")
    candidates = [Path(env_dir) / SHARED_FILE.name] if env_dir else []
    candidates.append(SHARED_FILE)
    for path in candidates:
        if path.exists():
            return f"City of Calgary open data, {path}", path
    target = settings.state_dir / "data" / "calgary_community_crime.csv"
    if target.exists():
        return f"City of Calgary open data (downloaded), {target}", target
    from stream.sources.socrata import download

    try:
        with console.status(
            "downloading Calgary's Community Crime Statistics (Socrata 78gh-n26t)..."
        ):
            rows = download(target, timeout=20.0, retries=1)
        return f"City of Calgary open data (downloaded, {rows:,} rows), {target}", target
    except Exception as exc:  # offline: fall back to synthetic, and say so
        err_console.print(
            f"[yellow]could not download the Calgary data ({exc}); using the "
            "SYNTHETIC generator instead[/yellow]"
        )
        return "synthetic", None


def _load_reference_beside(rt, crime_file: Path) -> None:
    """Load sectors and census population when the city's reference files sit beside the data."""
    from stream.reference import load_reference

    communities = crime_file.parent / "calgary_communities.csv"
    population = crime_file.parent / "calgary_population_2021.csv"
    if not communities.exists():
        console.print(
            "no community reference file beside the data: sectors and rates per 1,000 "
            "residents are unavailable (`crimecast reference load` adds them)"
        )
        return
    n = load_reference(rt.client, rt.keys, communities, population if population.exists() else None)
    console.print(
        f"reference: {n} communities with sectors"
        + (" and 2021 census population" if population.exists() else "")
    )


@app.command("demo")
def demo(
    data: Optional[Path] = typer.Option(
        None, "--data", help="A crime CSV in the Calgary portal layout."
    ),
    synthetic: bool = typer.Option(
        False, "--synthetic", help="Use the synthetic generator (offline)."
    ),
    expand: bool = typer.Option(
        False, "--expand", help="One record per incident instead of per row."
    ),
    question: list[str] = typer.Option(
        [], "--ask", help="Questions to answer at the end (repeatable)."
    ),
) -> None:
    """Ingest, count, close months, train, and answer: the whole pipeline on one machine."""
    from stream.connection import client_name
    from stream.consumer import Consumer
    from stream.producer import Producer
    from stream.sources.base import SourceError
    from stream.sources.calgary import read_calgary
    from stream.sources.synthetic import generate
    from stream.store import CountStore
    from workers.rq_worker import make_worker
    from workers.stream_worker import close_and_enqueue, close_due_months

    from bot.transports.console import ask as ask_one
    from bot.answering.engine import Engine

    settings = load_settings()
    started = time.perf_counter()
    rt = open_runtime_or_exit(settings)
    try:
        # Jobs run in this process open their own connections: point them at this server
        # (for the embedded default, its unix socket) instead of starting another.
        os.environ["REDIS_URL"] = rt.url
        where = "embedded Redis in " + str(settings.state_dir / "redis") if rt.embedded else "Redis"
        console.print(f"[bold]crimecast demo[/bold] on {where} (server {rt.server_version})")

        label, path = _pick_data(data, synthetic, settings)
        console.print(f"data: {label}")
        t0 = time.perf_counter()
        from workers.cli.base import claim_city_or_exit  # one prefix, one city: a demo's

        claim_city_or_exit(rt)  # counts never mix with another city's
        producer = Producer(rt.client, rt.keys)
        if path is None:
            sent = producer.send(generate(months=36))
        else:
            try:
                loaded = read_calgary(path, expand=expand)
            except SourceError as exc:
                raise fail(str(exc)) from None
            with console.status(f"producing {len(loaded):,} records ..."):
                sent = producer.send(loaded)
        t_produce = time.perf_counter() - t0

        t0 = time.perf_counter()
        consumer = Consumer(rt.client, rt.keys, batch_size=settings.batch_size, block_ms=100)
        with console.status("counting (stream consumer, burst) ..."):
            handled = consumer.run(burst=True)
        consumer.close()
        t_count = time.perf_counter() - t0
        console.print(
            f"produced {sent:,} records in {t_produce:.1f}s; counted {handled:,} "
            f"stream entries in {t_count:.1f}s ({handled / max(t_count, 1e-6):,.0f}/s)"
        )

        if path is not None:
            _load_reference_beside(rt, path)

        store = CountStore(rt.client, rt.keys)
        closed = close_due_months(rt)
        last = store.months()[-1] if store.months() else None
        if last and last not in store.closed_months():
            # A finished historical file: its last month is complete, close it explicitly.
            if close_and_enqueue(rt, last, reason="demo: last month of a finished file"):
                closed.append(last)
        console.print(
            f"closed {len(store.closed_months())} months "
            f"({len(closed)} now), through {store.last_closed_month()}"
        )

        t0 = time.perf_counter()
        with console.status("updating the models (rq SimpleWorker on the models queue) ..."):
            # named after this process, so that closing the embedded server can tell its clients
            make_worker(rt, "models", name=client_name("demo-models")).work(
                burst=True, logging_level="WARNING"
            )
        t_model = time.perf_counter() - t0
        failed = rt.queue("models").failed_job_registry.count
        if failed:
            err_console.print(
                f"[red]{failed} model job(s) failed: see `rq info` / the worker log[/red]"
            )

        stats = store.stats()
        engine = Engine(rt.client, rt.keys)
        engine.refresh()
        console.rule("summary")
        console.print(
            f"incidents counted: {stats.get('incidents', 0):,}   duplicates ignored: "
            f"{stats.get('duplicates', 0):,}   dead letters: {stats.get('dead', 0):,}"
        )
        console.print(
            f"series: {len(store.series()):,}   months: {len(store.months())} "
            f"({store.months()[0] if store.months() else '-'} .. {last or '-'})"
        )
        state = engine.state()
        console.print(
            f"model update: {t_model:.1f}s; forecasts cached for {state.forecast_series:,} "
            f"series, model {state.meta.get('model', '?')}, data through "
            f"{state.meta.get('data_through', '?')}"
        )
        if store.is_synthetic():
            console.print("[yellow]SYNTHETIC data: these numbers describe no real place.[/yellow]")
        console.rule("questions")
        for q in question or (SYNTHETIC_QUESTIONS if path is None else QUESTIONS):
            console.print(f"[bold]> {q}[/bold]")
            buf = io.StringIO()
            ask_one(engine, q, out=buf)
            console.print(buf.getvalue(), markup=False, highlight=False)
        console.print(
            f"demo finished in {time.perf_counter() - started:.1f}s. Ask more with "
            '`crimecast ask "..."` or `crimecast chat` (same state directory).'
        )
    finally:
        rt.close()
