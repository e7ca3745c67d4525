"""The ``crimecast`` app is composed in one module; importing a package adds no command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import typer

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = {
    "alerts list",
    "alerts post",
    "alerts preview",
    "alerts subscribe",
    "alerts unsubscribe",
    "ask",
    "backtest",
    "bot",
    "chat",
    "close-month",
    "dead-letters",
    "demo",
    "export-counts",
    "forecast",
    "ingest calgary",
    "ingest csv",
    "ingest download",
    "ingest synthetic",
    "reference load",
    "report accountability",
    "report subscribe",
    "report unsubscribe",
    "rq-worker",
    "scheduler",
    "status",
    "train",
    "worker",
}


def _names(cmd, prefix=""):
    if hasattr(cmd, "commands"):
        return {n for name, sub in cmd.commands.items() for n in _names(sub, f"{prefix} {name}")}
    return {prefix.strip()}


def test_entry_point_holds_every_command():
    """bot.cli.app, the console script, has every command and group of the deployment."""
    from bot.cli import app

    assert _names(typer.main.get_command(app)) >= COMMANDS


def test_pyproject_entry_point_is_the_composing_module():
    """[project.scripts] points `crimecast` at bot.cli:app."""
    assert re.search(r'^crimecast = "bot\.cli:app"$', (ROOT / "pyproject.toml").read_text(), re.M)


def test_only_the_composing_module_adds_typers():
    """No module but bot/cli.py calls add_typer on another module's app."""
    callers = [
        p.relative_to(ROOT).as_posix()
        for d in ("bot", "workers", "stream", "online_model")
        for p in (ROOT / d).rglob("*.py")
        if ".add_typer(" in p.read_text(encoding="utf-8")
    ]
    assert callers == ["bot/cli.py"]


def test_importing_command_modules_registers_nothing_elsewhere():
    """Importing every command module leaves each module's typers holding only its own commands."""
    code = (
        "import workers.cli as w, workers.cli.ingest as i, workers.cli.ops as o, "
        "workers.cli.models as m, workers.cli.report as rp, bot.transports.commands as b, workers.cli.demo as d, workers.cli.reference as rf\n"
        "assert not hasattr(w, 'app')\n"
        "for t in (i.app, i.ingest_app, o.app, o.alerts_app, m.app, b.app, b.alerts_app, "
        "rf.reference_app, d.app, rp.report_app):\n"
        "    assert not t.registered_groups, t\n"
        "print(sorted(c.name for c in o.alerts_app.registered_commands))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['list', 'subscribe', 'unsubscribe']"
