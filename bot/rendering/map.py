"""Maps as PNG bytes: one value per area, drawn on the areas' polygons (a choropleth) or, without
a boundary file, as circles at the centres of their incidents (a proportional-symbol map).

A map says what it shows (forecast or reported count, rate, change), its period and data month,
which classes its legend uses, and the caveat. Classes must not exaggerate: levels use quantile
classes (each class holds about as many areas; the legend gives each class's range and how many
areas fall in it), a change uses equal intervals around zero on a diverging scale (blue down, red
up, a pale middle class for "about the same"). Areas without data are hatched grey and named "no
data", never drawn as zero. Only the areas in ``values`` are drawn: a region's map shows its own.
No basemap tiles: nothing is fetched.

Figures use matplotlib's object API (no pyplot state) with fixed margins (no tight layout, which
measures every label first), as :mod:`bot.chart` does.
"""

from __future__ import annotations

import gc
import io
import math
import textwrap

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.transforms import Affine2D, IdentityTransform, offset_copy  # noqa: E402

from stream.geometry import AreaGeometry  # noqa: E402

from .map_legend import (  # noqa: E402
    DIVERGING,
    NO_DATA,
    SEQUENTIAL,
    Classes,
    MapSpec,
    classes_for,
    diverging_classes,
    fmt_value,
    legend_lines,
    quantile_classes,
    title,
)

__all__ = [
    "DIVERGING",
    "NO_DATA",
    "SEQUENTIAL",
    "Classes",
    "MapSpec",
    "classes_for",
    "diverging_classes",
    "draw_map",
    "legend_lines",
    "quantile_classes",
    "render_map",
    "title",
    "to_png",
]

SIZE = (8.0, 7.0)
DPI = 80
MAX_RADIUS_PT = 14.0  # the largest symbol's radius, in points


def render_map(spec: MapSpec, geometry: AreaGeometry) -> bytes:
    """Draw ``spec`` on ``geometry`` and return PNG bytes (see the module docstring); raises
    ValueError when none of the areas can be placed. The PNG's text chunks repeat the title,
    legend and caveat (``Title``, ``Legend``, ``Description``) for readers that cannot see it."""
    was_enabled = gc.isenabled()
    gc.disable()  # as in bot.chart: no full collections half-way through a figure
    try:
        return to_png(draw_map(spec, geometry)[0], spec)
    finally:
        gc.collect(1)
        if was_enabled:
            gc.enable()


def to_png(fig: Figure, spec: MapSpec) -> bytes:
    """The figure of :func:`draw_map` as PNG bytes, with its words in the PNG's text chunks."""
    buf = io.BytesIO()
    classes = classes_for(spec)
    missing = sum(1 for v in spec.values.values() if v is None or not math.isfinite(v))
    meta = {
        "Title": title(spec),
        "Description": spec.caveat,
        "Software": "crimecast",
        "Legend": "; ".join(legend_lines(spec, classes, missing)) + f" ({classes.method})",
        "Period": f"{spec.period}; data through {spec.data_month}",
    }
    fig.savefig(buf, format="png", metadata=meta, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def draw_map(spec: MapSpec, geometry: AreaGeometry) -> tuple[Figure, Affine2D]:
    """The map's figure and the transform taking (longitude, latitude) to its pixels (origin at
    the bottom left). The map is drawn straight on the figure through that transform: an Axes
    (ticks, spines, titles, all hidden) cost more to build than the map costs to draw."""
    geo = geometry.only(spec.values)
    bounds = geo.bounds()
    if bounds is None:
        raise ValueError(
            "none of these areas has a place on the map (no polygon, no located incident)"
        )
    classes = classes_for(spec)
    fig = Figure(figsize=SIZE, dpi=DPI)
    to_px = _frame(bounds, (0.02, 0.13, 0.66, 0.76))
    have = {
        a: float(v)
        for a, v in spec.values.items()
        if v is not None and math.isfinite(v) and a in geo.points
    }
    missing = [a for a, v in spec.values.items() if a in geo.points and a not in have]
    if geo.kind == "polygons":
        _polygons(fig, to_px, geo, have, missing, classes)
    else:
        _symbols(fig, to_px, geo, have, missing, classes)
    _label_top(fig, to_px, geo, have, spec.shows in ("change", "pct"))
    _legend(fig, spec, classes, have, missing, geo.kind == "points")
    _texts(fig, spec, classes, geo, unplaced=[a for a in spec.values if a not in geo.points])
    return fig, to_px


def _frame(bounds: tuple[float, float, float, float], box: tuple[float, ...]) -> Affine2D:
    """(lon, lat) -> pixels: the bounds (padded 4%) centred in ``box`` (figure fractions), one
    degree of longitude shortened by cos(latitude) so that shapes are not stretched."""
    minx, miny, maxx, maxy = bounds
    kx = max(math.cos(math.radians((miny + maxy) / 2)), 0.1)
    w, h = max((maxx - minx) * kx, 1e-4) * 1.08, max(maxy - miny, 1e-4) * 1.08
    bx, by, bw, bh = (v * SIZE[i % 2] * DPI for i, v in enumerate(box))
    scale = min(bw / w, bh / h)
    return (
        Affine2D()
        .translate(-(minx + maxx) / 2, -(miny + maxy) / 2)
        .scale(scale * kx, scale)
        .translate(bx + bw / 2, by + bh / 2)
    )


def _polygons(fig, to_px, geo: AreaGeometry, have: dict, missing: list, classes: Classes) -> None:
    paths, colors = [], []
    for area, v in have.items():
        out = geo.outline(area)
        if out is not None and len(out[0]):
            paths.append(MplPath(*out))
            colors.append(classes.colors[classes.index(v)])
    fig.add_artist(
        PathCollection(
            paths, facecolors=colors, edgecolors="#555555", linewidths=0.3, transform=to_px
        )
    )
    gaps = [MplPath(*o) for o in map(geo.outline, missing) if o is not None and len(o[0])]
    if gaps:
        fig.add_artist(
            PathCollection(
                gaps,
                facecolors=NO_DATA,
                edgecolors="#888888",
                linewidths=0.3,
                hatch="////",
                transform=to_px,
            )
        )


def _markers(xy, sizes, to_px, marker: str = "o", **kw) -> PathCollection:
    """A scatter without an Axes: markers of ``sizes`` (points squared) at ``xy`` through
    ``to_px``."""
    style = MarkerStyle(marker)
    path = style.get_path().transformed(style.get_transform())
    return PathCollection(
        [path],
        sizes=np.broadcast_to(sizes, (len(xy),)),
        offsets=xy,
        offset_transform=to_px,
        transform=IdentityTransform(),
        **kw,
    )


def _symbols(fig, to_px, geo: AreaGeometry, have: dict, missing: list, classes: Classes) -> None:
    """Circles whose area is proportional to the value (to its size, for a change)."""
    # faint dots at every area's centre give the city's shape without a basemap
    xy_all = np.array([geo.points[a] for a in list(have) + missing])
    fig.add_artist(_markers(xy_all, 2.0, to_px, facecolors="#bbbbbb", linewidths=0))
    if have:
        order = sorted(have, key=lambda a: -abs(have[a]))  # big first, small drawn on top
        xy = np.array([geo.points[a] for a in order])
        mags = np.array([abs(have[a]) for a in order])
        colors = [classes.colors[classes.index(have[a])] for a in order]
        fig.add_artist(
            _markers(
                xy,
                _sizes(mags, mags.max() or 1.0),
                to_px,
                facecolors=colors,
                edgecolors="#333333",
                linewidths=0.4,
            )
        )
    if missing:
        xy = np.array([geo.points[a] for a in missing])
        fig.add_artist(
            _markers(xy, 14.0, to_px, "x", facecolors="none", edgecolors="#888888", linewidths=0.8)
        )


def _sizes(mags: np.ndarray, top: float) -> np.ndarray:
    """Marker sizes (points squared) whose area grows with the value (a zero still shows)."""
    return (2 * MAX_RADIUS_PT) ** 2 * (mags / top) + 6


def _label_top(fig, to_px, geo: AreaGeometry, have: dict, diverging: bool, n: int = 3) -> None:
    """Name the ``n`` highest areas (largest changes) on the map."""
    top = sorted(have, key=lambda a: (-(abs(have[a]) if diverging else have[a]), a))[:n]
    shifted = offset_copy(to_px, fig=fig, x=4, y=4, units="points")
    for area in top:
        if have[area] == 0:
            continue
        x, y = geo.points[area]
        fig.text(
            x,
            y,
            area.title()[:24],
            transform=shifted,
            fontsize=7,
            color="#222222",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )


def _line_step(fontsize: float, spacing: float) -> float:
    """The distance between the baselines of a multi-line text, in figure fraction (matplotlib's
    fixed line spacing: ``spacing`` x the font's ascent + descent), so that legend swatches line
    up with the lines of one text (one text draws far faster than one per class)."""
    return spacing * fontsize * _em_height() / 72 / SIZE[1]


def _em_height(cache: list = []) -> float:  # noqa: B006 (a one-value cache)
    if not cache:
        from matplotlib import font_manager

        font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
        head, os2 = font.get_sfnt_table("head"), font.get_sfnt_table("OS/2")
        cache.append(
            (os2["sTypoAscender"] - os2["sTypoDescender"]) / head["unitsPerEm"] if os2 else 1.17
        )
    return cache[0]


def _legend(fig, spec: MapSpec, classes: Classes, have: dict, missing: list, points: bool) -> None:
    lines = legend_lines(spec, classes, len(missing))
    x0, top, size, spacing = 0.70, 0.87, 8.0, 1.7
    step = _line_step(size, spacing)
    fig.text(x0 + 0.035, top, "\n".join(lines), fontsize=size, va="top", linespacing=spacing)
    # swatch i sits on line i + 1 (line 0 is the heading), centred on the line's middle
    ys = [top - step * (i + 1.5) for i in range(len(classes.colors) + bool(missing))]
    n = len(classes.colors)
    fig.add_artist(
        _markers(
            np.column_stack([np.full(n, x0 + 0.015), ys[:n]]),
            90.0,
            fig.transFigure,
            "s",
            facecolors=list(classes.colors),
            edgecolors="#555555",
            linewidths=0.4,
        )
    )
    if missing:
        if points:
            fig.add_artist(
                _markers(
                    [[x0 + 0.015, ys[-1]]],
                    20.0,
                    fig.transFigure,
                    "x",
                    facecolors="none",
                    edgecolors="#888888",
                    linewidths=0.8,
                )
            )
        else:
            fig.add_artist(
                _markers(
                    [[x0 + 0.015, ys[-1]]],
                    90.0,
                    fig.transFigure,
                    "s",
                    facecolors=NO_DATA,
                    edgecolors="#888888",
                    linewidths=0.4,
                    hatch="////",
                )
            )
    if points and have:
        top_v = max(abs(v) for v in have.values()) or 1.0
        fracs = np.array([1.0, 0.5, 0.1])
        yt, gap = 0.31, 4.0
        ys = yt - _line_step(size, gap) * (np.arange(3) + 0.5)
        fig.add_artist(
            _markers(
                np.column_stack([np.full(3, 0.735), ys]),
                _sizes(fracs, 1.0),
                fig.transFigure,
                facecolors="none",
                edgecolors="#333333",
                linewidths=0.6,
            )
        )
        key = "circle area grows with the " + (
            "size of the change" if spec.shows in ("change", "pct") else "value"
        )
        nums = [fmt_value(top_v * f, 0 if spec.shows == "count" else 1) for f in fracs]
        fig.text(0.79, yt, "\n".join(nums), fontsize=size, va="top", linespacing=gap)
        fig.text(0.70, yt + 0.03, key, fontsize=7, va="top")


def _texts(fig, spec: MapSpec, classes: Classes, geo: AreaGeometry, unplaced: list) -> None:
    fig.text(0.02, 0.975, title(spec), fontsize=12, fontweight="bold", va="top")
    drawn = (
        "areas"
        if geo.kind == "polygons"
        else "circles at the median location of each area's incidents"
    )
    fig.text(
        0.02,
        0.935,
        f"{spec.period} · data through {spec.data_month} · {drawn}",
        fontsize=8,
        va="top",
        color="#333333",
    )
    notes = [f"Legend: {classes.method}."]
    if unplaced:
        names = ", ".join(a.title() for a in unplaced[:6]) + (" …" if len(unplaced) > 6 else "")
        lacking = "polygon" if geo.kind == "polygons" else "location"
        notes.append(f"Not on the map ({len(unplaced)}, no {lacking}): {names}.")
    notes += list(spec.notes)
    notes.append(spec.caveat)
    text = "\n".join(textwrap.fill(n, 120) for n in notes)
    fig.text(0.02, 0.015, text, fontsize=7, va="bottom", color="#444444", linespacing=1.3)
