"""Commands: ``ingest jsonl|serve|pull``: the ways new data keep arriving after the first load.

``jsonl`` and ``serve`` are the producer interface a records system pushes to (JSON Lines on
standard input, a file or HTTP); ``pull`` fetches what the city profile's source feed has new, as
the scheduler's ingest job does. Same validation and dead letters as every source (docs/feeds.md).
"""

from __future__ import annotations

from pathlib import Path

import redis
import typer

from stream.producer import Producer
from stream.sources import SourceError

from .base import claim_city_or_exit, console, fail, load_settings
from .sending import (
    DrainOpt,
    city_categories,
    city_profile,
    drain_stream,
    ingest_loaded,
    runtime_or_fail,
    say,
)

feed_app = typer.Typer()  # merged into `crimecast ingest` by bot/cli.py


@feed_app.command("jsonl")
def ingest_jsonl(
    file: str = typer.Argument(
        ...,
        help="JSON Lines file, or - to read standard input (a live feed: sent as lines arrive).",
    ),
    source: str = typer.Option("jsonl", help="Source label of records that name none."),
    drain: bool = DrainOpt,
) -> None:
    """The producer interface: one JSON object per line (id, community, category, occurred_at,
    count, source, resolution), the same validation and dead letters as every source
    (docs/feeds.md)."""
    from stream.sources.jsonl import line_batches, parse_lines, read_jsonl

    settings = load_settings()
    categories = city_categories(settings)
    if file != "-":
        try:
            loaded = read_jsonl(Path(file), categories, default_source=source)
        except SourceError as exc:
            raise fail(str(exc)) from None
        say(f"{file}: {loaded.rows:,} lines -> {loaded.total:,} records to send")
        ingest_loaded(settings, loaded, f"ingest {Path(file).name}", drain)
        return
    import sys

    sent = rejected = lines = 0
    with runtime_or_fail(settings) as rt:
        claim_city_or_exit(rt)
        producer = Producer(rt.client, rt.keys)
        try:
            for batch in line_batches(sys.stdin.fileno()):
                items = list(
                    parse_lines(
                        batch,
                        categories,
                        origin="stdin",
                        default_source=source,
                        first_line=lines + 1,
                    )
                )
                lines += len(batch)
                sent += producer.send(items)
                rejected = producer.rejected
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise fail(
                f"Redis connection lost after {sent:,} records from standard input: {exc}. "
                "Re-send from where it stopped (records already sent count once)."
            ) from None
        except KeyboardInterrupt:
            pass
        console.print(
            f"sent {sent:,} records from {lines:,} lines of standard input"
            + (
                f"; {rejected:,} refused to the dead-letter stream (see `crimecast dead-letters`)"
                if rejected
                else ""
            )
        )
        if drain:
            drain_stream(rt)


@feed_app.command("serve")
def ingest_serve(
    host: str = typer.Option(
        "127.0.0.1",
        help="Address to listen on (put a TLS proxy in front "
        "before listening beyond this machine).",
    ),
    port: int = typer.Option(8087, min=1, max=65535, help="Port."),
    source: str = typer.Option("http", help="Source label of records that name none."),
) -> None:
    """The producer interface over HTTP: POST JSON Lines to /records (docs/feeds.md); the bearer
    token is CRIMECAST_INGEST_TOKEN when set."""
    from ..ingest_http import IngestServer

    settings = load_settings()
    token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
    with runtime_or_fail(settings) as rt:
        claim_city_or_exit(rt)
        try:
            server = IngestServer(
                (host, port),
                rt.client,
                rt.keys,
                city_categories(settings),
                token=token,
                source=source,
            )
        except OSError as exc:
            raise fail(f"cannot listen on {host}:{port}: {exc}") from None
        console.print(
            f"accepting JSON Lines at http://{host}:{server.server_address[1]}/records"
            + (" (bearer token required)" if token else " (no token: local use only)"),
            markup=False,
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


@feed_app.command("pull")
def ingest_pull(drain: bool = DrainOpt) -> None:
    """Pull new data from the city profile's source feed now (what the scheduler's ingest job
    does): only what was not read before is sent."""
    from ..feed import FeedError, pull

    settings = load_settings()
    with runtime_or_fail(settings) as rt:
        claim_city_or_exit(rt)
        try:
            summary = pull(rt, profile=city_profile(settings))
        except FeedError as exc:
            raise fail(str(exc)) from None
        if summary["status"] == "skipped":
            raise fail(summary["reason"] + " (add source.feed to it: docs/feeds.md)")
        say(
            f"pulled from {summary['where']}: {len(summary['files'])} new file(s) "
            f"({summary['rows']:,} rows -> {summary['records']:,} records, "
            f"{summary['rejected']:,} refused), {len(summary['unchanged'])} unchanged; "
            f"newest date {summary['newest'] or '-'}"
        )
        if drain:
            drain_stream(rt)
