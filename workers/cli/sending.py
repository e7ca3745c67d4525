"""What the ingest commands share: the runtime with clear connection errors, the city's profile and
categories, sending records with a progress bar, draining the stream, reporting rejected rows.

Used by :mod:`workers.cli.ingest` (files, downloads, synthetic data) and :mod:`workers.cli.feed`
(the ways new data keep arriving).
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator

import redis
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from core.profile import CityProfile, ProfileError, load_profile
from stream.categories import CategorySet
from stream.connection import ClusterMismatch, RedisVersionError, redact
from stream.consumer import Consumer
from stream.producer import Producer
from stream.sources import Loaded
from stream.store import CountStore

from ..runtime import Runtime, runtime
from ..settings import Settings
from .base import claim_city_or_exit, console, err_console, fail

__all__ = [
    "DrainOpt",
    "city_categories",
    "city_profile",
    "drain_stream",
    "ingest_loaded",
    "report_rejected",
    "runtime_or_fail",
    "say",
    "send_records",
]

DrainOpt = typer.Option(
    False,
    "--drain",
    help="Also count everything waiting (an in-process consumer in burst mode) before returning.",
)


@contextlib.contextmanager
def runtime_or_fail(settings: Settings) -> Iterator[Runtime]:
    """The runtime, with connection problems reported as one clear line."""
    try:
        with runtime(settings) as rt:
            yield rt
    except (RedisVersionError, ClusterMismatch) as exc:
        raise fail(str(exc)) from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        where = (
            redact(settings.redis_url.get_secret_value())
            if settings.redis_url
            else "embedded Redis"
        )
        raise fail(
            f"Redis connection failed ({where}): {exc}. Nothing sent after the failure is "
            "lost: re-run the same command (records already sent count once)."
        ) from None


def city_profile(settings: Settings) -> CityProfile:
    """The deployment's city profile (``CRIMECAST_CITY_FILE``, else Calgary's)."""
    try:
        return load_profile(settings.city_file)
    except ProfileError as exc:
        raise fail(f"CRIMECAST_CITY_FILE: {exc}") from None


def city_categories(settings: Settings) -> CategorySet:
    """The deployment's categories: ``CRIMECAST_CATEGORIES_FILE``, else the city profile's."""
    profile = None if settings.categories_file else city_profile(settings)
    try:
        return CategorySet.load(settings.categories_file, profile)
    except ValueError as exc:
        raise fail(f"CRIMECAST_CATEGORIES_FILE: {exc}") from None


def send_records(rt: Runtime, records, total: int, label: str, drain: bool) -> int:
    """XADD ``records`` with a progress bar; print the rate; optionally drain the stream."""
    start = time.perf_counter()
    with Progress(
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total or None, rate="")

        def advance(n: int) -> None:
            done = progress.tasks[0].completed + n
            elapsed = max(time.perf_counter() - start, 1e-6)
            progress.update(task, advance=n, rate=f"{done / elapsed:,.0f} records/s")

        producer = Producer(rt.client, rt.keys, progress=advance)
        sent = producer.send(records)
    elapsed = max(time.perf_counter() - start, 1e-6)
    console.print(f"sent {sent:,} records in {elapsed:.1f}s ({sent / elapsed:,.0f} records/s)")
    if producer.resent:
        console.print(
            f"re-sent {producer.resent:,} records whose first send Redis did not confirm "
            "(each counts once)"
        )
    if drain:
        drain_stream(rt)
    return sent


def drain_stream(rt: Runtime) -> None:
    s = rt.settings
    consumer = Consumer(
        rt.client,
        rt.keys,
        categories=city_categories(s),
        batch_size=s.batch_size,
        block_ms=s.block_ms,
        claim_idle_ms=s.claim_idle_ms,
        max_deliveries=s.max_deliveries,
    )
    start = time.perf_counter()
    with console.status("counting ..."):
        handled = consumer.run(burst=True)
    consumer.close()
    elapsed = max(time.perf_counter() - start, 1e-6)
    stats = CountStore(rt.client, rt.keys).stats()
    console.print(
        f"counted {handled:,} entries in {elapsed:.1f}s ({handled / elapsed:,.0f}/s); "
        f"totals: {stats['incidents']:,} incidents, {stats['duplicates']:,} duplicates "
        f"ignored, {stats['dead']:,} dead letters"
    )


def say(text: str, out=None) -> None:
    """Print text that holds data (file names, reasons, names) as it is: never as rich markup
    or emoji codes (``file.csv:100: missing field`` must not become an emoji)."""
    (out or console).print(Text(text))


def report_rejected(loaded: Loaded) -> None:
    if loaded.skipped:
        console.print(f"{loaded.skipped:,} rows skipped (crime types the mapping leaves out)")
    if not loaded.rejected:
        return
    err_console.print(
        Text.assemble(
            ("warning:", "yellow"),
            f" {len(loaded.rejected):,} of {loaded.rows:,} rows in "
            f"{loaded.path} could not be read; they went to the dead-letter stream "
            "(see `crimecast dead-letters`):",
        )
    )
    for rej in loaded.rejected[:5]:
        say(f"  {rej.origin}: {rej.reason}", err_console)
    if len(loaded.rejected) > 5:
        err_console.print(f"  ... and {len(loaded.rejected) - 5:,} more")


def ingest_loaded(
    settings: Settings,
    loaded: Loaded,
    label: str,
    drain: bool,
    before: Callable[[Runtime], None] | None = None,
) -> None:
    """Send a checked file's records (``before`` first writes what goes with them, e.g. a
    workbook's suppressed cells), then say which rows were rejected."""
    with runtime_or_fail(settings) as rt:
        claim_city_or_exit(rt)
        try:
            if before is not None:
                before(rt)
            send_records(rt, loaded, len(loaded), label, drain)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise fail(
                f"Redis connection lost while sending {loaded.path}: {exc}. Re-run the same "
                "command: records already sent count once."
            ) from None
    report_rejected(loaded)
