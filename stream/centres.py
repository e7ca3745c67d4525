"""Where each area's incidents lie: a robust centre per area, kept as the stream is counted.

A source with coordinates (Atlanta's ``Latitude``/``Longitude``; another city's X/Y converted by
its mapping) sends them on each record (``geo``, WGS84). The counting script adds every newly
counted incident to two histograms of its area, latitude and longitude binned at :data:`BIN`
degree (about 100 m: below a pixel on a city map, and few bins per area, so the counting script
writes little more), under ``keys.geo_bins(area)``: an id counts once there as in the counts, so
re-sending a file moves nothing. The centre is the coordinate-wise median of those histograms:
one stray point (a geocoder's default, a privacy offset that survived the source's checks) cannot
drag it the way it drags a mean. With it a proportional-symbol map needs no boundary file.

>>> to_bin(51.04473)
51045
>>> weighted_median({51044: 3, 51045: 1, 99999: 1})
51.044
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import redis

from core.text import as_text

from .keys import Keys, split_series_field

BIN = 1e-3  # degrees per histogram bin
_SCALE = round(1 / BIN)


def to_bin(degrees: float) -> int:
    """The histogram bin of a coordinate."""
    return round(degrees * _SCALE)


def geo_arg(point: tuple[float, float] | None) -> str:
    """The counting script's argument for a record's point: ``"<lat bin> <lon bin>"`` or ``""``.

    >>> geo_arg((33.749, -84.388)), geo_arg(None)
    ('33749 -84388', '')
    """
    if point is None:
        return ""
    return f"{to_bin(point[0])} {to_bin(point[1])}"


def weighted_median(hist: Mapping[int, int]) -> float:
    """The median of binned values (the lower middle bin for an even total), in degrees."""
    items = sorted((b, n) for b, n in hist.items() if n > 0)
    total = sum(n for _, n in items)
    if not total:
        raise ValueError("no points")
    half, seen = (total + 1) // 2, 0
    for b, n in items:
        seen += n
        if seen >= half:
            return b / _SCALE
    return items[-1][0] / _SCALE  # pragma: no cover (the loop always returns)


@dataclass(frozen=True)
class Centre:
    """An area's centre: median latitude and longitude of its ``n`` placed incidents."""

    lat: float
    lon: float
    n: int


def centre_of(fields: Mapping) -> Centre | None:
    """The centre from one area's histogram hash (``y<bin>``/``x<bin>`` -> count), or None.

    >>> centre_of({"y33749": "2", "y33750": "1", "x-84388": "3"})
    Centre(lat=33.749, lon=-84.388, n=3)
    """
    ys: dict[int, int] = {}
    xs: dict[int, int] = {}
    for k, v in fields.items():
        k = k.decode() if isinstance(k, bytes) else k
        try:
            b, n = int(k[1:]), int(v)
        except ValueError:
            continue
        (ys if k[:1] == "y" else xs if k[:1] == "x" else {})[b] = n
    if not ys or not xs:
        return None
    return Centre(weighted_median(ys), weighted_median(xs), sum(ys.values()))


def placed_areas(client: redis.Redis, keys: Keys) -> list[str]:
    """Every area that has ever been counted (from the series set)."""
    return sorted({split_series_field(as_text(f))[0] for f in client.smembers(keys.series)})


def area_centres(
    client: redis.Redis, keys: Keys, areas: Iterable[str] | None = None
) -> dict[str, Centre]:
    """``area -> Centre`` for every area (or those given) with placed incidents, in one round
    trip. Areas whose incidents carry no coordinates are left out."""
    names = list(areas) if areas is not None else placed_areas(client, keys)
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.hgetall(keys.geo_bins(name))
    out = {}
    for name, fields in zip(names, pipe.execute()):
        centre = centre_of(fields) if fields else None
        if centre is not None:
            out[name] = centre
    return out
