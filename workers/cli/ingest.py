"""Commands: ``ingest calgary|workbook|csv|download|synthetic``, ``export-counts``, ``dead-letters``
(``ingest jsonl|serve|pull``, the ways new data keep arriving, are in :mod:`workers.cli.feed`).

Ingest commands read and check their whole input before sending anything (a file-level problem
stops with the file and line, nothing half-sent), then XADD the records with a progress bar. Rows
that cannot be records go to the dead-letter stream. Re-running a command is always safe: ids are
deterministic and the consumers count each id once.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Optional

import redis
import typer
from rich.progress import MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from core.caveats import REPORTED
from stream.censored import CensoredCells
from stream.dead_letters import dead_letter_count, read_dead_letters, replay_dead_letters
from stream.sources import (
    ColumnMapping,
    SourceError,
    download,
    generate,
    read_calgary,
    read_mapped,
)
from stream.sources.calgary_workbook import read_workbook
from stream.sources.socrata import DATASET, DEFAULT_BASE_URL, stale_note
from stream.store import CountStore

from .base import claim_city_or_exit, console, err_console, fail, load_settings
from .sending import (
    DrainOpt,
    city_categories,
    city_profile,
    ingest_loaded,
    runtime_or_fail,
    say,
    send_records,
)

app = typer.Typer()  # this module's top-level commands; bot/cli.py composes them into `crimecast`

ingest_app = typer.Typer(
    help="Put incident records on the stream (safe to re-run: each counts once).",
    no_args_is_help=True,
)  # `crimecast ingest`, composed in bot/cli.py


@ingest_app.command("calgary")
def ingest_calgary(
    file: Path = typer.Argument(..., help="Portal CSV: Community,Category,Crime Count,Year,Month."),
    expand: bool = typer.Option(
        False,
        "--expand",
        help="One record per incident instead of one per "
        "row (still monthly: filed on the month's "
        "last day, no invented days).",
    ),
    source: str = typer.Option("calgary", help="Source label (part of every derived id)."),
    drain: bool = DrainOpt,
) -> None:
    """Ingest a Calgary Community Crime Statistics CSV (as exported by the portal)."""
    settings = load_settings()
    try:
        loaded = read_calgary(
            file, expand=expand, source=source, categories=city_categories(settings)
        )
    except SourceError as exc:
        raise fail(str(exc)) from None
    what = "incidents" if expand else "rows"
    say(f"{file}: {loaded.rows:,} rows -> {loaded.total:,} {what} to send")
    ingest_loaded(settings, loaded, f"ingest {file.name}", drain)


@ingest_app.command("workbook")
def ingest_workbook(
    file: Path = typer.Argument(..., help="The police service's monthly workbook (.xlsx)."),
    drain: bool = DrainOpt,
) -> None:
    """Ingest the Calgary Police Service's "Monthly Community Crime Disorder Statistics" workbook
    (categories through the profile's source.workbook; a "<5" cell is kept as 1 to 4)."""
    settings = load_settings()
    profile = city_profile(settings)
    if profile.source.workbook is None:
        raise fail(
            f"the {profile.name} profile has no source.workbook (the workbook's categories "
            "mapped to the profile's)"
        )
    try:
        wb = read_workbook(file, profile.source.workbook, city_categories(settings))
    except SourceError as exc:
        raise fail(str(exc)) from None
    loaded = wb.loaded
    span = f"{wb.months[0]}..{wb.months[-1]}" if wb.months else "no month"
    say(
        f"{file}: {loaded.rows:,} rows -> {len(wb.cells):,} cells for {span} "
        f"({wb.suppressed:,} suppressed as '<5': counted as 1, kept as 1 to 4)"
    )
    for line in wb.notes:
        say(f"note: {line}")

    def record_cells(rt) -> None:  # which cells were "<5" goes with the records
        CensoredCells(rt.client, rt.keys).record(wb.cells)

    ingest_loaded(settings, loaded, f"ingest {file.name}", drain, before=record_cells)


@ingest_app.command("csv")
def ingest_csv(
    file: Path = typer.Argument(..., help="Another city's incident CSV."),
    mapping: Optional[Path] = typer.Option(
        None,
        "--mapping",
        help="YAML/JSON column and category mapping (default: the city profile's source mapping).",
    ),
    drain: bool = DrainOpt,
) -> None:
    """Ingest another city's incident CSV through a column and category mapping."""
    settings = load_settings()
    try:
        if mapping is None:
            profile = city_profile(settings)
            if not profile.source.mapping:
                raise fail(f"the {profile.name} profile has no source mapping: give --mapping FILE")
            cmap = ColumnMapping(profile.source.mapping, profile.path, city_categories(settings))
        else:
            cmap = ColumnMapping.from_file(mapping, city_categories(settings))
        loaded = read_mapped(file, cmap)
    except SourceError as exc:
        raise fail(str(exc)) from None
    say(
        f"{file}: {loaded.rows:,} rows -> {loaded.total:,} records to send (source {cmap.source!r})"
    )
    ingest_loaded(settings, loaded, f"ingest {file.name}", drain)


@ingest_app.command("download")
def ingest_download(
    base_url: str = typer.Option(DEFAULT_BASE_URL, "--base-url", help="Socrata portal URL."),
    dataset: str = typer.Option(DATASET, help="Socrata dataset id."),
    out: Optional[Path] = typer.Option(
        None, help="Where to keep the CSV (default: STATE_DIR/downloads/calgary-<date>.csv)."
    ),
    page_size: int = typer.Option(50_000, min=1, help="Rows per request ($limit)."),
    app_token: Optional[str] = typer.Option(
        None,
        envvar="SOCRATA_APP_TOKEN",
        show_default=False,
        help="Socrata app token (env SOCRATA_APP_TOKEN).",
    ),
    expand: bool = typer.Option(False, "--expand", help="One record per incident."),
    drain: bool = DrainOpt,
) -> None:
    """Download the Calgary dataset from the open-data portal (paged), keep it, ingest it."""
    settings = load_settings()
    out = out or settings.state_dir / "downloads" / f"calgary-{date.today().isoformat()}.csv"
    with Progress(TextColumn("[bold]download"), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task("download", total=None)
        try:
            rows = download(
                out,
                base_url=base_url,
                dataset=dataset,
                page_size=page_size,
                app_token=app_token,
                progress=lambda n: progress.advance(task, n),
            )
        except SourceError as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc}") from None
    console.print(f"downloaded {rows:,} rows to {out}")
    try:
        loaded = read_calgary(out, expand=expand, categories=city_categories(settings))
    except SourceError as exc:
        raise fail(str(exc)) from None
    stale = stale_note(max((r.month for r in loaded.make()), default=None))
    if stale:
        err_console.print(Text.assemble(("warning:", "yellow"), " ", stale), soft_wrap=True)
    ingest_loaded(settings, loaded, f"ingest {out.name}", drain)


@ingest_app.command("synthetic")
def ingest_synthetic(
    start: str = typer.Option("2022-01", help="First month (YYYY-MM)."),
    months: int = typer.Option(24, min=1, max=600, help="Number of months."),
    seed: int = typer.Option(
        42, help="Random seed (same seed = same ids: re-running adds nothing)."
    ),
    scale: float = typer.Option(1.0, min=0.01, help="Multiplies every rate."),
    drain: bool = DrainOpt,
) -> None:
    """Ingest SYNTHETIC incidents for an offline demo (labelled synthetic wherever shown)."""
    settings = load_settings()
    try:
        from core.months import check_month

        check_month(start)
        categories = city_categories(settings)
        records = list(
            generate(
                start=start, months=months, seed=seed, scale=scale, categories=categories.names
            )
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"[bold yellow]SYNTHETIC DATA[/bold yellow]: {len(records):,} generated incidents "
        f"from {start} over {months} months (seed {seed}); every view of these counts "
        "says so."
    )
    with runtime_or_fail(settings) as rt:
        claim_city_or_exit(rt)
        try:
            send_records(rt, records, len(records), "ingest synthetic", drain)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise fail(f"Redis connection lost: {exc}. Re-run the same command.") from None


@app.command("export-counts")
def export_counts(
    out: Path = typer.Option(..., "--out", help="CSV to write (Calgary layout)."),
) -> None:
    """Write the counts kept so far as Community,Category,Crime Count,Year,Month."""
    settings = load_settings()
    with runtime_or_fail(settings) as rt:
        store = CountStore(rt.client, rt.keys)
        try:
            rows = store.export_calgary_csv(out)
        except OSError as exc:
            raise fail(f"cannot write {out}: {exc}") from None
        months = store.months()
        synthetic = store.is_synthetic()
    span = f"{months[0]} .. {months[-1]}" if months else "no months"
    say(f"wrote {rows:,} rows ({span}) to {out}")
    if synthetic:
        console.print("[bold yellow]note:[/bold yellow] these counts include SYNTHETIC data.")
    console.print(REPORTED)


@app.command("dead-letters")
def dead_letters(
    limit: int = typer.Option(20, "--limit", min=1, max=10_000, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    replay: bool = typer.Option(
        False,
        "--replay",
        help="Put refused stream records back on the "
        "stream (after fixing the category set or a bug); file rows stay.",
    ),
) -> None:
    """Show records that could not be counted, with the reason and their original fields."""
    settings = load_settings()
    if replay:
        with runtime_or_fail(settings) as rt:
            done, left = replay_dead_letters(rt.data_raw, rt.keys, limit)
        console.print(
            f"replayed {done:,} record(s) onto the stream; {left:,} left (file rows: fix "
            "the file and ingest it again). Records still bad come back with a reason."
        )
        return
    with runtime_or_fail(settings) as rt:
        letters = read_dead_letters(rt.data_raw, rt.keys, limit)
        total = dead_letter_count(rt.data_raw, rt.keys)
    if as_json:
        for d in letters:
            typer.echo(json.dumps(d.to_dict(), ensure_ascii=False))
        return
    if not letters:
        console.print("no dead letters")
        return
    table = Table(title=f"dead letters: {len(letters)} newest of {total:,}")
    for col in ("when (UTC)", "reason", "from", "original fields"):
        table.add_column(col, overflow="fold")
    for d in letters:
        shown = ", ".join(f"{k}={v[:60]!r}" for k, v in list(d.fields.items())[:8])
        table.add_row(
            d.at.strftime("%Y-%m-%d %H:%M:%S"),
            Text(d.reason),
            Text(f"{d.stage} {d.origin}".strip()),
            Text(shown),
        )
    console.print(table)
