"""What a map is drawn on: the areas' polygons when a boundary file was loaded, else the centres
of their incidents (:mod:`stream.centres`), in one value the renderer takes.

Coordinates are WGS84 degrees, ``x`` = longitude and ``y`` = latitude; the renderer corrects the
aspect for latitude. Outlines are turned into drawing paths once per geometry and kept.

>>> from shapely.geometry import box
>>> g = AreaGeometry.of_shapes({"A": box(0, 0, 1, 1)})
>>> g.kind, g.centre("A")
('polygons', (0.5, 0.5))
>>> g.only(["A", "B"]).areas, AreaGeometry.of_centres({"B": (51.0, -114.0)}).centre("B")
(('A',), (-114.0, 51.0))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal, Mapping

import numpy as np
import redis
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from .boundaries import load_boundaries
from .centres import area_centres
from .keys import Keys

# matplotlib's path codes (kept here so that stream/ need not import matplotlib)
MOVETO, LINETO, CLOSEPOLY = 1, 2, 79


@dataclass(frozen=True)
class AreaGeometry:
    """Per-area polygons (``kind == "polygons"``) or points (``"points"``), with a point per area
    (a polygon's representative point) for symbols and labels."""

    kind: Literal["polygons", "points"]
    shapes: Mapping[str, BaseGeometry]
    points: Mapping[str, tuple[float, float]]  # area -> (x = lon, y = lat)
    origin: str = ""
    _paths: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of_shapes(cls, shapes: Mapping[str, BaseGeometry], origin: str = "") -> "AreaGeometry":
        pts = {}
        for area, g in shapes.items():
            p = g.representative_point()
            pts[area] = (round(p.x, 6), round(p.y, 6))
        return cls("polygons", dict(shapes), pts, origin)

    @classmethod
    def of_centres(
        cls, centres: Mapping[str, tuple[float, float]], origin: str = "centres of incidents"
    ) -> "AreaGeometry":
        """From ``area -> (lat, lon)``."""
        return cls("points", {}, {a: (lon, lat) for a, (lat, lon) in centres.items()}, origin)

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(sorted(self.points))

    def centre(self, area: str) -> tuple[float, float] | None:
        return self.points.get(area)

    def only(self, areas: Iterable[str]) -> "AreaGeometry":
        """The same geometry restricted to ``areas`` (a region's map shows its own areas)."""
        keep = [a for a in areas if a in self.points]
        return AreaGeometry(
            self.kind,
            {a: self.shapes[a] for a in keep if a in self.shapes},
            {a: self.points[a] for a in keep},
            self.origin,
            self._paths,
        )

    def outline(self, area: str) -> tuple[np.ndarray, np.ndarray] | None:
        """``(vertices, codes)`` of an area's polygon(s) for a matplotlib ``Path``: exteriors
        counter-clockwise and holes clockwise, so that holes stay empty when filled."""
        got = self._paths.get(area)
        if got is None and area in self.shapes:
            got = self._paths[area] = _path(self.shapes[area])
        return got

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(minx, miny, maxx, maxy)`` of what would be drawn."""
        if self.kind == "polygons" and self.shapes:
            b = np.array([g.bounds for g in self.shapes.values()])
            lo, hi = b[:, :2].min(axis=0), b[:, 2:].max(axis=0)
        elif self.points:
            xy = np.array(list(self.points.values()))
            lo, hi = xy.min(axis=0), xy.max(axis=0)
        else:
            return None
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _path(geom: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    verts, codes = [], []
    for poly in polys:
        poly = orient(poly, 1.0)
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            c = np.full(len(xy), LINETO, dtype=np.uint8)
            c[0], c[-1] = MOVETO, CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return np.zeros((0, 2)), np.zeros(0, dtype=np.uint8)
    return np.concatenate(verts), np.concatenate(codes)


def area_geometry(client: redis.Redis, keys: Keys) -> AreaGeometry | None:
    """The stored polygons if any were loaded, else the centres of placed incidents, else None
    (then no map can be drawn, and the answer says so)."""
    shapes = load_boundaries(client, keys)
    if shapes:
        return AreaGeometry.of_shapes(shapes, "boundary file")
    centres = area_centres(client, keys)
    if centres:
        return AreaGeometry.of_centres({a: (c.lat, c.lon) for a, c in centres.items()})
    return None
