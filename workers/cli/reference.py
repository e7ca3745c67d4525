"""``crimecast reference load``: the areas' regions, classes and population into Redis
(:mod:`stream.reference`), as the city profile reads them. Registers nothing elsewhere;
``bot/cli.py`` composes it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .base import console, fail, load_settings, open_runtime_or_exit

__all__ = ["reference_app"]

reference_app = typer.Typer()  # reference load


@reference_app.command("load")
def reference_load_cmd(
    areas: Optional[Path] = typer.Option(
        None,
        "--areas",
        "--communities",
        help="The file of areas and their regions (columns as "
        "the city profile says); default the profile's.",
    ),
    population: Optional[Path] = typer.Option(
        None, "--population", help="Population per area (for rates per 1,000)."
    ),
) -> None:
    """Load the areas' regions, classes and population into Redis (as the city profile reads them)."""
    from core.profile import load_profile

    from stream.reference import ReferenceError_, read_reference, store_reference

    settings = load_settings()
    rt = open_runtime_or_exit(settings)
    try:
        profile = load_profile(settings.city_file)
        data = read_reference(areas, population, profile)
        n = store_reference(rt.client, rt.keys, data)
        pops = sum(1 for v in data.values() if v["population"])
    except (ReferenceError_, ValueError) as exc:
        raise fail(str(exc), 2) from exc
    finally:
        rt.close()
    console.print(
        f"loaded {n} {profile.area.plural}" + ("" if pops else " (no population: no rates)"),
        markup=False,
    )
