"""Where a mapped source's row happened, as WGS84 latitude/longitude, or None when it cannot say.

A mapping names its coordinate columns in one of two ways::

    columns:
      latitude: Latitude            # degrees (Atlanta) ...
      longitude: Longitude
      # x: X Coordinate / y: Y Coordinate   # ... or X/Y in a named projection:
    crs: EPSG:3435                  # with x/y: the projection they are in (needs pyproj)
    bounds: {lat: [33.6, 33.9], lon: [-84.6, -84.2]}   # optional: points outside are missing
    missing_points: [[33.7537, -84.3863]]              # optional: placeholder locations

Missing means missing, never zero: blank or non-numeric cells, zeros (the usual "no location"),
points outside ``bounds`` (a privacy offset or geocoder default far from the city) and the
``missing_points`` a city uses for withheld locations (within ~10 m) place nothing. The count still
counts; only the map leaves the incident out.

Projected X/Y need pyproj (the one library here that knows every named projection; imported only
for such a mapping, so a city with degrees or no coordinates never loads it).
"""

from __future__ import annotations

from typing import Callable

from ..records import parse_point
from .base import SourceError

_NEAR = 1e-4  # degrees: a point this close to a listed placeholder is that placeholder


class Locator:
    """Reads a row's point through a mapping's location settings (see the module docstring).

    >>> loc = Locator({"columns": {"latitude": "Lat", "longitude": "Lon"},
    ...                "bounds": {"lat": [33, 34], "lon": [-85, -84]}})
    >>> loc.point({"Lat": "33.75", "Lon": "-84.39"}), loc.point({"Lat": "40.7", "Lon": "-74.0"})
    ((33.75, -84.39), None)
    >>> Locator({"columns": {}}).columns
    []
    """

    def __init__(self, data: dict, path=None):
        cols = {str(k): str(v) for k, v in (data.get("columns") or {}).items() if v is not None}
        self.lat_col, self.lon_col = cols.get("latitude"), cols.get("longitude")
        self.x_col, self.y_col = cols.get("x"), cols.get("y")
        if bool(self.lat_col) != bool(self.lon_col) or bool(self.x_col) != bool(self.y_col):
            raise SourceError(
                path, None, "coordinates need both columns: latitude and longitude, or x and y"
            )
        if self.lat_col and self.x_col:
            raise SourceError(path, None, "give latitude/longitude or x/y, not both")
        self.crs = str(data["crs"]) if data.get("crs") else None
        if self.x_col and not self.crs:
            raise SourceError(
                path, None, "x/y columns need 'crs' (the projection they are in, e.g. EPSG:3435)"
            )
        self._to_degrees: Callable | None = _transformer(self.crs, path) if self.x_col else None
        self.bounds = _bounds(data.get("bounds"), path)
        try:
            self.missing = [(float(a), float(b)) for a, b in data.get("missing_points") or []]
        except (TypeError, ValueError):
            raise SourceError(path, None, "missing_points is a list of [lat, lon] pairs") from None

    @property
    def columns(self) -> list[str]:
        """The columns the location is read from (checked in the header when named)."""
        return [c for c in (self.lat_col, self.lon_col, self.x_col, self.y_col) if c]

    def point(self, values: dict[str, str]) -> tuple[float, float] | None:
        """The row's ``(lat, lon)``, or None when it has none worth drawing."""
        if self.lat_col:
            p = parse_point(
                values.get(self.lat_col, "").strip(), values.get(self.lon_col, "").strip()
            )
        elif self.x_col:
            p = self._project(values.get(self.x_col, ""), values.get(self.y_col, ""))
        else:
            return None
        if p is None:
            return None
        if self.bounds is not None:
            (s, n), (w, e) = self.bounds
            if not (s <= p[0] <= n and w <= p[1] <= e):
                return None
        if any(abs(p[0] - a) <= _NEAR and abs(p[1] - b) <= _NEAR for a, b in self.missing):
            return None
        return p

    def _project(self, x: str, y: str) -> tuple[float, float] | None:
        try:
            fx, fy = float(x), float(y)
        except (TypeError, ValueError):
            return None
        if fx == 0.0 or fy == 0.0 or fx != fx or fy != fy:
            return None
        lon, lat = self._to_degrees(fx, fy)
        return parse_point(lat, lon)


def _transformer(crs: str, path) -> Callable:
    try:
        from pyproj import Transformer
        from pyproj.exceptions import CRSError
    except ImportError:
        raise SourceError(
            path,
            None,
            f"x/y in {crs} need pyproj to become latitude/longitude: "
            "pip install pyproj (or map latitude/longitude columns)",
        ) from None
    try:
        return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    except CRSError as exc:
        raise SourceError(path, None, f"unknown crs {crs!r}: {exc}") from None


def _bounds(raw, path):
    if raw is None:
        return None
    try:
        (s, n), (w, e) = (sorted(map(float, raw["lat"])), sorted(map(float, raw["lon"])))
    except (TypeError, ValueError, KeyError):
        raise SourceError(
            path, None, "bounds is {lat: [south, north], lon: [west, east]}"
        ) from None
    return (s, n), (w, e)
