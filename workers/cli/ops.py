"""Operator commands: the processes of a deployment and the alert subscriptions.

``crimecast worker``, ``close-month``, ``rq-worker``, ``scheduler``, ``status`` (``audit``,
``backup`` and ``restore`` are in :mod:`workers.cli.admin`) and
``crimecast alerts subscribe|unsubscribe|list`` (:data:`alerts_app`; bot/cli.py composes it with
the bot's ``alerts preview`` and ``alerts post`` into the ``alerts`` group).
"""

from __future__ import annotations

import json
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from .base import (
    claim_city_or_exit,
    console,
    err_console,
    fail,
    load_settings,
    open_runtime_or_exit,
    setup_logging,
)

app = typer.Typer()  # this module's top-level commands; bot/cli.py composes them into `crimecast`
alerts_app = typer.Typer()  # subscribe, unsubscribe, list: part of `crimecast alerts`

__all__ = ["alerts_app", "app"]


@app.command("worker")
def worker_cmd(
    burst: bool = typer.Option(False, "--burst", help="Exit once the stream is drained."),
    name: Optional[str] = typer.Option(None, "--name", help="Consumer name (default host-pid)."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Count incidents from the stream, close due months and queue the model updates."""
    from ..stream_worker import StreamWorker

    setup_logging(verbose)
    settings = load_settings()
    rt = open_runtime_or_exit(settings)
    try:
        claim_city_or_exit(rt)  # one prefix, one city
        worker = StreamWorker(rt, name=name)
        worker.install_signal_handlers()
        stats = worker.run(burst=burst)
    finally:
        rt.close()
    closed = ", ".join(stats.closed) if stats.closed else "none"
    console.print(
        f"worker {worker.name}: {stats.applied:,} records counted "
        f"({stats.incidents:,} incidents), {stats.duplicates:,} duplicates, "
        f"{stats.dead:,} dead-lettered, {stats.claimed:,} taken over from dead or stalled "
        f"consumers; months closed: {closed}",
        markup=False,
    )
    if stats.left_pending:
        held = ", ".join(f"{n} ({p:,})" for n, p in stats.left_pending.items())
        err_console.print(
            f"[yellow]warning:[/yellow] {sum(stats.left_pending.values()):,} entries "
            f"are still pending at live consumers: {held}; they count when those "
            "consumers apply them (see `crimecast status`)"
        )
    if stats.handed_back:
        err_console.print(
            f"[yellow]warning:[/yellow] {stats.handed_back:,} entries could not be "
            "applied here; they are left for the next running worker (see "
            "`crimecast dead-letters` if they keep failing)"
        )
    if burst and not stats.left_pending and not stats.handed_back:
        console.print("drained: nothing unread, nothing pending")


@app.command("close-month")
def close_month_cmd(
    month: str = typer.Argument(..., help="Month to close, YYYY-MM."),
    force: bool = typer.Option(False, "--force", help="Close even if the month has not ended."),
) -> None:
    """Close a month by hand (e.g. when the data for it is known complete) and queue the model update."""
    from datetime import datetime, timezone

    from core.months import check_month, month_end

    from ..stream_worker import close_and_enqueue

    try:
        check_month(month)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    today = datetime.now(timezone.utc).date()
    if month_end(month) >= today and not force:
        raise fail(
            f"{month} has not ended yet (today is {today.isoformat()}): closing it would "
            "teach the models an incomplete month. Use --force if you mean it.",
            2,
        )
    rt = open_runtime_or_exit(load_settings())
    try:
        closed = close_and_enqueue(rt, month, reason="manual")
    finally:
        rt.close()
    if closed:
        console.print(f"closed {month}; the model update is queued on the models queue")
    else:
        console.print(f"{month} was already closed; nothing queued")


@app.command("rq-worker")
def rq_worker_cmd(
    queue: str = typer.Option("default", "--queue", help="default or models."),
    burst: bool = typer.Option(False, "--burst", help="Exit once the queue is empty."),
    name: Optional[str] = typer.Option(None, "--name", help="Worker name."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run jobs from one rq queue (models: a non-forking SimpleWorker)."""
    from ..rq_worker import QUEUES, run_worker

    if queue not in QUEUES:
        raise fail(f"--queue must be one of {', '.join(QUEUES)}, not {queue!r}", 2)
    setup_logging(verbose)
    rt = open_runtime_or_exit(load_settings())
    try:
        run_worker(rt, queue, burst=burst, name=name)
    finally:
        rt.close()


@app.command("scheduler")
def scheduler_cmd(
    list_only: bool = typer.Option(False, "--list", help="Print the schedule and exit."),
    catch_up_only: bool = typer.Option(
        False, "--catch-up-only", help="Fire runs missed within the grace period, then exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Run the schedule (weekly alert, fine-tune, month close, health); replicas fire each run once."""
    from ..scheduler import Scheduler

    setup_logging(verbose)
    settings = load_settings()
    rt = open_runtime_or_exit(settings)
    try:
        try:
            sched = Scheduler(rt)
        except ValueError as exc:  # a bad cron or time zone in the settings
            raise fail(f"bad schedule setting: {exc}", 2) from exc
        if list_only:
            _print_schedule(sched.describe())
            return
        if catch_up_only:
            fired = sched.catch_up()
            console.print(f"fired: {', '.join(fired) if fired else 'nothing was due'}")
            return
        import signal

        def stop(signum, frame):  # noqa: ARG001 - docker stop sends SIGTERM
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            sched.start(blocking=True)
        except (KeyboardInterrupt, SystemExit):
            sched.shutdown()
    finally:
        rt.close()


def _print_consumers(rows: list[dict]) -> None:
    if not rows:
        console.print("stream consumers: none (start `crimecast worker`)")
        return
    table = Table(title="stream consumers")
    for col in ("consumer", "state", "pending", "idle", "host", "pid"):
        table.add_column(col)
    for c in rows:
        state = "alive" if c["alive"] else "[red]dead[/red]"
        table.add_row(
            escape(c["name"]),
            state,
            f"{c['pending']:,}",
            f"{c['idle_ms'] / 1000:.1f}s",
            escape(c["host"] or "-"),
            str(c["pid"] or "-"),
        )
    console.print(table)


def _print_schedule(rows: list[dict]) -> None:
    table = Table(title="schedule")
    for col in ("job", "queue", "next_run", "last_fired", "timeout_s", "retry"):
        table.add_column(col)
    for row in rows:
        table.add_row(
            *(
                str(row[c]) if row[c] is not None else "-"
                for c in ("job", "queue", "next_run", "last_fired", "timeout_s", "retry")
            )
        )
    console.print(table)


@app.command("status")
def status_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Health of the deployment: Redis, stream consumers, counts, forecasts, queues, schedule."""
    from ..jobs import collect_health
    from ..scheduler import Scheduler

    settings = load_settings()
    rt = open_runtime_or_exit(settings)
    try:
        health = collect_health(rt)  # consumers alive or dead, with their problems, included
        try:
            health["schedule"] = Scheduler(rt).describe()
        except ValueError as exc:
            health["problems"].append(f"bad schedule setting: {exc}")
            health["ok"] = False
    finally:
        rt.close()
    if as_json:
        console.print_json(json.dumps(health))
        return
    table = Table(title="crimecast status", show_header=False)
    table.add_column("what")
    table.add_column("value")
    for key, value in health.items():
        if key in ("schedule", "problems", "stream_consumers"):
            continue
        table.add_row(key, str(value))
    console.print(table)
    _print_consumers(health["stream_consumers"])
    _print_schedule(health.get("schedule", []))
    if health["problems"]:
        for p in health["problems"]:
            err_console.print(f"[yellow]problem:[/yellow] {p}")
    else:
        console.print("[green]ok[/green]")


# --- alerts (admin) ------------------------------------------------------------------------------
def _categories(raw: list[str], settings) -> list[str] | None:
    from stream.categories import CategorySet

    if not raw:
        return None
    cats = CategorySet.load(settings.categories_file)
    out = []
    for name in raw:
        canonical = cats.resolve(name)
        if canonical is None:
            known = "; ".join(cats)
            raise fail(f"unknown category {name!r}; known categories: {known}", 2)
        out.append(canonical)
    return out


@alerts_app.command("subscribe")
def subscribe_cmd(
    channel: str = typer.Argument(..., help="Discord channel id (or a name for a webhook)."),
    sector: Optional[str] = typer.Option(
        None,
        "--region",
        "--sector",
        help="Subscribe to one region of the city (a sector, "
        "an NPU, ...: as its profile names them).",
    ),
    community: list[str] = typer.Option(
        [], "--community", "-c", help="Subscribe to these communities (repeat)."
    ),
    category: list[str] = typer.Option(
        [], "--category", help="Only these categories (repeat; default all)."
    ),
    webhook: bool = typer.Option(False, "--webhook", help="Post through the configured webhook."),
) -> None:
    """Subscribe a channel to the weekly alert (city-wide unless --region or --community)."""
    from ..alerts import AlertError, Subscription, SubscriptionStore

    if sector and community:
        raise fail("give --region or --community, not both", 2)
    scope = "sector" if sector else "communities" if community else "city"
    settings = load_settings()
    if webhook and settings.webhook_url is None:
        raise fail("--webhook needs CRIMECAST_WEBHOOK_URL to be set", 2)
    try:
        sub = Subscription(
            channel,
            scope,
            sector=sector,
            communities=community,
            categories=_categories(category, settings),
            webhook=webhook,
        )
    except AlertError as exc:
        raise fail(str(exc), 2) from exc
    rt = open_runtime_or_exit(settings)
    try:
        new = SubscriptionStore(rt.client, rt.keys).add(sub)
    finally:
        rt.close()
    what = "subscribed" if new else "updated the subscription of"
    console.print(f"{what} channel {sub.channel_id}: {_describe(sub)}", markup=False)


@alerts_app.command("unsubscribe")
def unsubscribe_cmd(channel: str = typer.Argument(..., help="Channel id.")) -> None:
    """Stop a channel's weekly alert."""
    from ..alerts import SubscriptionStore

    rt = open_runtime_or_exit(load_settings())
    try:
        removed = SubscriptionStore(rt.client, rt.keys).remove(channel)
    finally:
        rt.close()
    if not removed:
        raise fail(f"channel {channel} has no subscription", 1)
    console.print(f"unsubscribed channel {channel}", markup=False)


@alerts_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every subscription."""
    from dataclasses import asdict

    from ..alerts import SubscriptionStore

    rt = open_runtime_or_exit(load_settings())
    try:
        subs = SubscriptionStore(rt.client, rt.keys).all()
    finally:
        rt.close()
    if as_json:
        console.print_json(json.dumps([asdict(s) for s in subs]))
        return
    if not subs:
        console.print(
            "no subscriptions (add one with `crimecast alerts subscribe CHANNEL`)", markup=False
        )
        return
    for s in subs:
        console.print(f"{s.channel_id}: {_describe(s)}", markup=False)


def _describe(sub) -> str:
    from core.profile import active_profile

    scope = (
        "city-wide"
        if sub.scope == "city"
        else active_profile().region_label(sub.sector)
        if sub.scope == "sector"
        else ", ".join(sub.communities)
    )
    cats = "all categories" if not sub.categories else "; ".join(sub.categories)
    via = " (via webhook)" if sub.webhook else ""
    return f"{scope}, {cats}{via}"
