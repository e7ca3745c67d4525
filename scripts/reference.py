"""Write docs/reference.md, the CLI and settings reference, from the code itself: every
`crimecast` command with its arguments and options (typer's own definitions), and every setting
(`workers.settings.settings_table`). tests/test_readme.py keeps the file in step.

Run: `.venv/bin/python scripts/reference.py` after changing a command or a setting.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "reference.md"

HEAD = """# CLI and settings reference

Generated from the code by `scripts/reference.py` (do not edit by hand; a test checks it is
current). Every command takes its settings from the environment (`.env` under compose); `--help`
on any command prints the same text.
"""


def _commands(cmd, path):
    if hasattr(cmd, "commands"):
        for name, sub in sorted(cmd.commands.items()):
            if not getattr(sub, "hidden", False):
                yield from _commands(sub, path + [name])
    else:
        yield path, cmd


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _param_row(p) -> str:
    if p.param_type_name == "argument":
        name = f"`{p.name.upper()}`"
        default = "required" if p.required else "-"
    else:
        name = ", ".join(f"`{o}`" for o in p.opts)
        if getattr(p, "is_flag", False):
            default = "off" if not p.default else "on"
        else:
            default = (
                "required"
                if p.required
                else ("-" if p.default in (None, "", ()) else f"`{p.default}`")
            )
    return f"| {name} | {default} | {_cell(getattr(p, 'help', '') or '')} |"


def cli_reference() -> str:
    """The commands section: one entry per command, its help and its parameters."""
    import typer

    from bot.cli import app

    root = typer.main.get_command(app)
    out = ["## Commands", ""]
    for path, cmd in _commands(root, []):
        usage = " ".join(
            ["crimecast", *path]
            + [a.name.upper() for a in cmd.params if a.param_type_name == "argument"]
        )
        out += [f"### `{usage}`", "", _cell((cmd.help or "").split("\n\n")[0]), ""]
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            out += ["| argument / option | default | meaning |", "| --- | --- | --- |"]
            out += [_param_row(p) for p in params]
            out.append("")
    return "\n".join(out)


def reference() -> str:
    from workers.settings import settings_table

    return "\n".join(
        [HEAD, cli_reference(), "## Settings (environment variables)", "", settings_table(), ""]
    )


if __name__ == "__main__":
    OUT.write_text(reference())
    print(f"wrote {OUT}", file=sys.stderr)
