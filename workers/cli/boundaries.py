"""Command: ``reference boundaries [FILE | --download]``: the areas' polygons for maps.

Reads the GeoJSON the city profile's ``boundaries:`` section describes (the file given, the
profile's file, or with ``--download`` its URL), repairs what is invalid, matches the features to
the areas of the reference data and of the counts, stores the polygons and says what matched:
every area, or the ones without a polygon and the features matching no area, and each polygon
repaired or left out. Without polygons maps still work where incidents carry coordinates (circles
at each area's median location, :mod:`stream.centres`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from core.profile import load_profile
from stream.boundaries import (
    BoundaryError,
    download,
    known_areas,
    match_areas,
    parse_geojson,
    read_boundaries,
    store_boundaries,
)

from .base import console, fail, load_settings, open_runtime_or_exit

boundaries_app = typer.Typer()


@boundaries_app.command("boundaries")
def boundaries_cmd(
    file: Optional[Path] = typer.Argument(
        None,
        help="A GeoJSON FeatureCollection of the areas (default: the profile's boundaries.file).",
    ),
    fetch: bool = typer.Option(False, "--download", help="Fetch the profile's boundaries.url."),
    save: Optional[Path] = typer.Option(
        None, "--save", help="With --download: keep the file here."
    ),
) -> None:
    """Load the areas' polygons for maps and say which areas matched."""
    settings = load_settings()
    profile = load_profile(settings.city_file)
    spec = profile.boundaries
    if spec is None:
        raise fail(
            f"the {profile.name} profile has no 'boundaries:' section (a GeoJSON file or "
            "URL and the property naming each area); maps use incident locations instead",
            2,
        )
    if file is not None and fetch:
        raise fail("give a FILE or --download, not both", 2)
    try:
        if fetch:
            if not spec.url:
                raise fail("the profile's boundaries section names no url", 2)
            data = download(spec.url)
            if save is not None:
                save.write_bytes(data)
            features, left = parse_geojson(data, spec.name, spec.code, spec.region)
            origin = spec.url
        else:
            path = file or profile.resolve_file(spec.file)
            if path is None:
                raise fail("give the GeoJSON file (or --download: the profile names no file)", 2)
            features, left = read_boundaries(path, spec.name, spec.code, spec.region)
            origin = str(path)
    except (BoundaryError, OSError) as exc:
        raise fail(str(exc), 2) from exc
    rt = open_runtime_or_exit(settings)
    try:
        shapes, report = match_areas(features, known_areas(rt.client, rt.keys), left)
        try:
            report.stored = store_boundaries(rt.client, rt.keys, shapes, origin, spec.name)
        except BoundaryError as exc:
            raise fail(str(exc), 2) from exc
    finally:
        rt.close()
    for line in report.lines(profile.area.singular, profile.area.plural):
        console.print(Text(line), soft_wrap=True)
