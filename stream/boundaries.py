"""Area polygons for maps: read from a GeoJSON file (the profile's ``boundaries:``), repaired,
matched to the areas crimecast knows, and kept in Redis beside the other reference data.

``crimecast reference boundaries [FILE | --download]`` runs :func:`read_boundaries`, then
:func:`match_areas` against the areas of the reference data and of the counts, then
:func:`store_boundaries`; the :class:`BoundaryReport` says what matched, what did not (both ways)
and which polygons were repaired or left out. Features match on the reference file's code first
(Calgary's ``comm_code``), then on the name spelled as the counts spell it (upper case, single
spaces); several features of one area are merged into one (multi)polygon.

Invalid polygons (self-intersecting rings, bow ties) are repaired with shapely's ``make_valid``
(``buffer(0)`` when that leaves no area); what cannot be repaired is reported, not stored.
Polygons are simplified to about 5 m and rounded to 6 decimals: a community is a few hundred
vertices, and 300 of them draw within the chart budget.

Nothing here fetches anything: :func:`download` is called only by ``--download``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from core.text import area_name, as_text

from .connection import rename
from .keys import Keys

SIMPLIFY_DEG = 5e-5  # about 5 m: invisible on a city map, a fraction of the vertices
META = "\x00meta"  # the hash field holding how the polygons were loaded


class BoundaryError(ValueError):
    """A boundary file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Feature:
    """One feature of the file: its area name and code as the file spells them, and its shape."""

    name: str
    code: str
    region: str
    geometry: BaseGeometry


@dataclass
class BoundaryReport:
    """What a load did: matched areas (and by what), features matching no known area, known areas
    without a polygon, polygons repaired (and how) or left out (and why)."""

    matched: dict[str, str] = field(default_factory=dict)  # area -> "code" | "name"
    unmatched_features: list[str] = field(default_factory=list)
    areas_without: list[str] = field(default_factory=list)
    repaired: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    stored: int = 0

    def lines(self, one: str = "area", many: str = "areas") -> list[str]:
        """The report as short lines for the console (``one``/``many``: the word for an area).

        >>> for line in BoundaryReport({"A": "code"}, ["X"], stored=2).lines():
        ...     print(line)
        stored 2 polygons; matched 1 area (every area known)
        1 feature matches no known area: X
        """
        word = lambda n: one if n == 1 else many  # noqa: E731
        n = len(self.matched)
        out = [
            f"stored {self.stored} polygons; matched {n} {word(n)}"
            + (f" (every {one} known)" if self.matched and not self.areas_without else "")
        ]
        if self.areas_without:
            n = len(self.areas_without)
            out.append(
                f"{n} {word(n)} with no polygon (not drawn on maps): "
                + ", ".join(self.areas_without)
            )
        if self.unmatched_features:
            n = len(self.unmatched_features)
            out.append(
                f"{n} feature{'s match' if n != 1 else ' matches'} no known {one}: "
                + ", ".join(self.unmatched_features)
            )
        for name, how in self.repaired:
            out.append(f"repaired {name}: {how}")
        for name, why in self.dropped:
            out.append(f"left out {name}: {why}")
        return out


def repair(geom: BaseGeometry) -> tuple[BaseGeometry | None, str]:
    """A valid polygonal geometry and how it was obtained ("" when it was valid already), or
    ``(None, why)``.

    >>> from shapely.geometry import Polygon
    >>> bow = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])  # a bow tie: self-intersecting
    >>> fixed, how = repair(bow)
    >>> fixed.is_valid, round(fixed.area, 6), how
    (True, 2.0, 'made valid (self-intersection)')
    """
    if geom.is_empty:
        return None, "empty geometry"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"a {geom.geom_type}, not a polygon"
    if geom.is_valid:
        return geom, ""
    reason = shapely.is_valid_reason(geom).split("[")[0].strip().lower()
    fixed = _polygonal(shapely.make_valid(geom))
    how = f"made valid ({reason})"
    if fixed is None or fixed.area <= 0:
        fixed, how = _polygonal(geom.buffer(0)), f"rebuilt with buffer(0) ({reason})"
    if fixed is None or fixed.is_empty or fixed.area <= 0 or not fixed.is_valid:
        return None, f"invalid ({reason}) and not repairable"
    return fixed, how


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygons of a geometry (make_valid can return lines beside them)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return unary_union(parts) if parts else None
    return None


def parse_geojson(
    text: str | bytes, name_prop: str, code_prop: str | None = None, region_prop: str | None = None
) -> tuple[list[Feature], list[tuple[str, str]]]:
    """Features of a GeoJSON FeatureCollection and the ones left out ``(label, why)``; raises
    :class:`BoundaryError` when the text is no FeatureCollection or no feature has the name
    property."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BoundaryError(f"not GeoJSON (not valid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryError("not a GeoJSON FeatureCollection")
    raw = data.get("features") or []
    feats: list[Feature] = []
    left: list[tuple[str, str]] = []
    for i, f in enumerate(raw):
        props = (f or {}).get("properties") or {}
        name = area_name(props.get(name_prop) or "")
        label = name or f"feature {i + 1}"
        if not name:
            left.append((label, f"no {name_prop!r} property"))
            continue
        try:
            geom = shape(f["geometry"])
        except Exception as exc:  # shapely's errors for malformed coordinates vary by case
            left.append((label, f"unreadable geometry ({type(exc).__name__})"))
            continue
        feats.append(
            Feature(
                name,
                str(props.get(code_prop) or "").strip().upper() if code_prop else "",
                area_name(props.get(region_prop) or "") if region_prop else "",
                geom,
            )
        )
    if raw and not feats and all(why.startswith("no ") for _, why in left):
        keys = sorted({k for f in raw for k in ((f or {}).get("properties") or {})})
        raise BoundaryError(
            f"no feature has the property {name_prop!r} (they have "
            f"{', '.join(keys[:12]) or 'none'})"
        )
    if not raw:
        raise BoundaryError("the FeatureCollection has no features")
    return feats, left


def read_boundaries(
    path: str | Path, name_prop: str, code_prop: str | None = None, region_prop: str | None = None
) -> tuple[list[Feature], list[tuple[str, str]]]:
    """:func:`parse_geojson` of a file."""
    p = Path(path)
    try:
        text = p.read_bytes()
    except OSError as exc:
        raise BoundaryError(f"cannot read {p}: {exc.strerror or exc}") from None
    return parse_geojson(text, name_prop, code_prop, region_prop)


def download(url: str, timeout: float = 60.0) -> bytes:
    """The boundary file at ``url`` (only ever called by ``--download``)."""
    import httpx

    try:
        resp = httpx.get(url, timeout=timeout, follow_redirects=True)
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise BoundaryError(f"cannot download {url}: {exc}") from None
    return resp.content


def match_areas(
    features: list[Feature], known: dict[str, str], left: list[tuple[str, str]] = ()
) -> tuple[dict[str, BaseGeometry], BoundaryReport]:
    """``area -> valid geometry`` for the features, matched to ``known`` (``area -> code``, the
    reference data's and the counts' areas; empty: every feature is stored under its own name).

    A feature matches the area whose code equals its code, else the area of its name.
    """
    report = BoundaryReport(dropped=list(left))
    by_code = {code: area for area, code in known.items() if code}
    parts: dict[str, list[BaseGeometry]] = {}
    for f in features:
        geom, how = repair(f.geometry)
        if geom is None:
            report.dropped.append((f.name, how))
            continue
        if how:
            report.repaired.append((f.name, how))
        area, via = (by_code[f.code], "code") if f.code and f.code in by_code else (f.name, "name")
        if known and area not in known:
            report.unmatched_features.append(f.name)
        else:
            report.matched[area] = via
        parts.setdefault(area, []).append(geom)
    shapes = {}
    for area, geoms in parts.items():
        merged = geoms[0] if len(geoms) == 1 else unary_union(geoms)
        simple = merged.simplify(SIMPLIFY_DEG, preserve_topology=True)
        shapes[area] = shapely.set_precision(simple, 1e-6) if simple.is_valid else merged
    report.areas_without = sorted(a for a in known if a not in report.matched)
    report.unmatched_features.sort()
    return shapes, report


def known_areas(client: redis.Redis, keys: Keys) -> dict[str, str]:
    """``area -> code`` for every area of the reference data and of the counts."""
    from .keys import split_series_field

    out: dict[str, str] = {}
    for name, raw in client.hgetall(keys.communities).items():
        try:
            out[as_text(name)] = str(json.loads(raw).get("code") or "")
        except ValueError:
            out[as_text(name)] = ""
    for f in client.smembers(keys.series):
        out.setdefault(split_series_field(as_text(f))[0], "")
    return out


def store_boundaries(
    client: redis.Redis, keys: Keys, shapes: dict[str, BaseGeometry], origin: str, name_prop: str
) -> int:
    """Replace the stored polygons atomically; returns how many."""
    if not shapes:
        raise BoundaryError("no usable polygon in the file")
    staging = keys.staging(keys.boundaries)
    meta = {"origin": origin, "property": name_prop, "loaded_at": round(time.time(), 3)}
    pipe = client.pipeline(transaction=True)
    pipe.delete(staging)
    pipe.hset(
        staging,
        mapping={a: json.dumps(mapping(g), separators=(",", ":")) for a, g in shapes.items()},
    )
    pipe.hset(staging, META, json.dumps(meta))
    rename(pipe, staging, keys.boundaries)
    pipe.execute()
    return len(shapes)


def load_boundaries(client: redis.Redis, keys: Keys) -> dict[str, BaseGeometry]:
    """The stored ``area -> geometry`` (empty when none were loaded)."""
    out = {}
    for area, raw in client.hgetall(keys.boundaries).items():
        area = as_text(area)
        if area == META:
            continue
        out[area] = shape(json.loads(raw))
    return out
