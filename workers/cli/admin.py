"""Admin commands over what a deployment keeps: ``crimecast audit`` (the bot's audit log),
``backup`` and ``restore`` (the prefix's Redis keys and its model registry, together).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from .base import console, fail, load_settings, open_runtime_or_exit

app = typer.Typer()  # this module's top-level commands; bot/cli.py composes them into `crimecast`

__all__ = ["app"]


@app.command("audit")
def audit_cmd(
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="How many, newest first."),
    days: Optional[float] = typer.Option(None, "--days", min=0, help="Only the last N days."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """The bot's audit log (admins): who asked what and when, what was answered; users are
    pseudonyms unless CRIMECAST_AUDIT_KEEP_NAMES=true (docs/data.md)."""
    from ..audit import read_audit

    settings = load_settings()
    rt = open_runtime_or_exit(settings)
    try:
        records = read_audit(rt.client, rt.keys, limit=limit, days=days)
    finally:
        rt.close()
    if as_json:
        for rec in records:
            typer.echo(json.dumps(rec, ensure_ascii=False))
        return
    if not records:
        console.print("the audit log is empty" + (f" for the last {days:g} days" if days else ""))
        return
    table = Table(
        title=f"audit log: {len(records)} newest (kept {settings.audit_retention_days} days)"
    )
    for col in ("when (UTC)", "who", "via", "intent", "outcome", "question"):
        table.add_column(col, overflow="fold")
    for rec in records:
        who = rec.get("user") or rec.get("user_id", "")
        table.add_row(
            rec.get("at", "")[:19].replace("T", " "),
            escape(who),
            rec.get("transport", ""),
            rec.get("intent", ""),
            rec.get("outcome", ""),
            escape(rec.get("text", "")),
        )
    console.print(table)


@app.command("backup")
def backup_cmd(
    out: Path = typer.Argument(
        ..., help="The .tar.gz to write (Redis keys of this prefix and its model registry)."
    ),
) -> None:
    """Save this deployment's state (Redis keys under the prefix + the model registry) together."""
    from ..backup import BackupError, backup

    rt = open_runtime_or_exit(load_settings())
    try:
        done = backup(rt, out)
    except (BackupError, OSError) as exc:
        raise fail(str(exc)) from None
    finally:
        rt.close()
    console.print(
        f"saved {done['keys']:,} keys of prefix {done['prefix']} and "
        f"{'its model registry' if done['models'] else 'no model registry'} to "
        f"{done['file']} ({done['bytes']:,} bytes)",
        markup=False,
    )


@app.command("restore")
def restore_cmd(
    src: Path = typer.Argument(..., help="A file written by `crimecast backup`."),
    force: bool = typer.Option(False, "--force", help="Replace the keys this prefix holds now."),
) -> None:
    """Put a backup back: the prefix's Redis keys and its model registry (stop the deployment first)."""
    from ..backup import BackupError, restore

    rt = open_runtime_or_exit(load_settings())
    try:
        done = restore(rt, src, force=force)
    except (BackupError, OSError) as exc:
        raise fail(str(exc)) from None
    finally:
        rt.close()
    console.print(
        f"restored {done['keys']:,} keys of prefix {done['prefix']} (replaced "
        f"{done['replaced']:,}) and {'the' if done['models'] else 'no'} model registry",
        markup=False,
    )
