"""Commands: ``profile check FILE`` (is a city profile usable?) and ``profile show``.

A profile is checked the way the deployment will read it: the YAML itself, every field (with the
line it is on), and the source's column mapping (:class:`stream.sources.mapped.ColumnMapping`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from core.profile import ProfileError, load_profile
from stream.categories import CategorySet
from stream.sources.base import SourceError
from stream.sources.mapped import ColumnMapping

from .base import console, err_console, load_settings

profile_app = typer.Typer(
    help="City profiles: the city's words, categories, places and source.", no_args_is_help=True
)


def problems(path: Path) -> list[str]:
    """Every problem with the profile at ``path``, one line each (``FILE:LINE: what``)."""
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        return [f"{path}:{line}: {msg}" if line else f"{path}: {msg}" for line, msg in exc.problems]
    out: list[str] = []
    if profile.source.mapping:
        try:
            ColumnMapping(profile.source.mapping, path, CategorySet.from_profile(profile))
        except (SourceError, ValueError) as exc:
            out.append(f"{path}: source.mapping: {getattr(exc, 'message', exc)}")
    return out


@profile_app.command("check")
def check_cmd(file: Path = typer.Argument(..., help="The profile YAML to check.")) -> None:
    """Check a city profile; print what is wrong, line by line (exit 1 if anything is)."""
    found = problems(file)
    for line in found:
        err_console.print(Text(line), soft_wrap=True)
    if found:
        raise typer.Exit(1)
    profile = load_profile(file)
    console.print(
        Text(
            f"{file}: OK: {profile.name}, {len(profile.categories)} categories, "
            f"{len(profile.groups)} groups, areas called {profile.area.plural}"
            + (f", regions called {profile.regions.word.plural}" if profile.regions else "")
        ),
        soft_wrap=True,
    )


@profile_app.command("show")
def show_cmd(
    file: Optional[Path] = typer.Argument(None, help="Default: the deployment's."),
) -> None:
    """Show the profile in use (``CRIMECAST_CITY_FILE``, else Calgary's)."""
    path = file or load_settings().city_file
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        err_console.print(Text(str(exc)), soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        Text(
            f"{profile.name} ({profile.path}): time zone {profile.timezone}; "
            f"{profile.area.plural}; categories: "
            + ", ".join(" ".join(c.split()) for c in profile.category_names)
        ),
        soft_wrap=True,
    )
