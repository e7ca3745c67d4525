"""The ``crimecast`` command: the one place every group of commands is composed.

Each module of commands keeps its own ``typer.Typer()`` and registers nothing elsewhere; this
module adds them to :data:`app`, the console entry point (``[project.scripts]`` in pyproject.toml).
Top-level commands are merged with a nameless ``add_typer``; groups get their name here.
"""

from __future__ import annotations

import typer

from workers.cli import (
    admin,
    boundaries,
    demo,
    feed,
    ingest,
    models,
    ops,
    profile,
    reference,
    report,
)

from bot.transports import commands

__all__ = ["app"]

app = typer.Typer(
    name="crimecast",
    help="Streaming crime-count forecaster: ingest incidents, keep counts, forecast, answer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # never print locals: they may hold secrets
)

alerts_app = typer.Typer(
    help="Weekly alerts: subscriptions, preview, posting.", no_args_is_help=True
)
alerts_app.add_typer(ops.alerts_app)  # subscribe, unsubscribe, list
alerts_app.add_typer(commands.alerts_app)  # preview, post

reference_app = typer.Typer(
    help="Area reference data (regions, population), as the city profile reads it.",
    no_args_is_help=True,
)
reference_app.add_typer(reference.reference_app)  # load
reference_app.add_typer(boundaries.boundaries_app)  # boundaries (polygons for maps)

report_app = typer.Typer(
    help="Reports: where the forecasts point, how well they did, for whom.", no_args_is_help=True
)
report_app.add_typer(report.report_app)  # accountability

for top_level in (ingest.app, ops.app, admin.app, models.app, commands.app, demo.app):
    app.add_typer(top_level)
ingest.ingest_app.add_typer(feed.feed_app)  # jsonl, serve, pull
app.add_typer(ingest.ingest_app, name="ingest")
app.add_typer(alerts_app, name="alerts")
app.add_typer(reference_app, name="reference")
app.add_typer(profile.profile_app, name="profile")
app.add_typer(report_app, name="report")

if __name__ == "__main__":  # pragma: no cover
    app()
