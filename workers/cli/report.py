"""Commands: ``crimecast report accountability`` (where the forecasts pointed, how well they did,
who asked: text, ``--json``, ``--chart FILE``) and ``report subscribe|unsubscribe CHANNEL`` (where
the monthly report is posted)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .base import console, fail, load_settings, open_runtime_or_exit

report_app = typer.Typer()  # `crimecast report ...`; bot/cli.py composes it


@report_app.command("accountability")
def accountability_cmd(
    months: int = typer.Option(12, "--months", min=1, max=36, help="Months covered (1-36)."),
    end: Optional[str] = typer.Option(
        None, "--end", help="Last month YYYY-MM (default: the newest complete month)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Write the chart PNG to this file."),
) -> None:
    """Where the alerts and rankings pointed, how well the forecasts did there, and who asked."""
    from core.months import check_month

    from ..report import accountability_report, report_text, save_report

    if end is not None:
        try:
            check_month(end)
        except ValueError as exc:
            raise fail(f"--end: {exc}", 2) from None
    rt = open_runtime_or_exit(load_settings())
    try:
        report = accountability_report(rt.client, rt.keys, months=months, end=end)
        save_report(rt.client, rt.keys, report)  # the bot answers accuracy questions from it
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        rt.close()
    if chart is not None:
        from ..report.chart import report_png

        try:
            chart.write_bytes(report_png(report))
        except OSError as exc:
            raise fail(f"cannot write the chart: {exc}") from exc
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, default=str) + "\n")
    else:
        console.print(report_text(report), markup=False, highlight=False)


@report_app.command("subscribe")
def subscribe_cmd(
    channel: str = typer.Argument(..., help="Discord channel id (or a name for a webhook)."),
    webhook: bool = typer.Option(False, "--webhook", help="Post through the configured webhook."),
) -> None:
    """Post the monthly accountability report to this channel (e.g. the admins')."""
    from ..report.post import ReportChannels

    rt = open_runtime_or_exit(load_settings())
    try:
        new = ReportChannels(rt.client, rt.keys).add(channel, webhook)
    except ValueError as exc:
        raise fail(str(exc), 2) from exc
    finally:
        rt.close()
    console.print(
        f"{'subscribed' if new else 'updated'}: channel {channel} gets the monthly "
        f"accountability report",
        markup=False,
    )


@report_app.command("unsubscribe")
def unsubscribe_cmd(channel: str = typer.Argument(..., help="Channel id.")) -> None:
    """Stop posting the monthly report to this channel."""
    from ..report.post import ReportChannels

    rt = open_runtime_or_exit(load_settings())
    try:
        gone = ReportChannels(rt.client, rt.keys).remove(channel)
    finally:
        rt.close()
    if not gone:
        raise fail(f"channel {channel} was not subscribed to the report", 1)
    console.print(f"unsubscribed: channel {channel}", markup=False)
