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
from dataclasses import dataclass, field
from typing import Literal, Mapping

import matplotlib

matplotlib.use("Agg", force=False)
import numpy as np  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from stream.geometry import AreaGeometry  # noqa: E402

Shows = Literal["forecast", "count", "rate", "change", "pct"]
SEQUENTIAL = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")  # ColorBrewer OrRd 5
DIVERGING = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")  # ColorBrewer RdBu 5, reversed
NO_DATA = "#d9d9d9"
SIZE = (8.0, 7.0)
DPI = 80
MAX_RADIUS_PT = 14.0  # the largest symbol's radius, in points
WHAT = {"forecast": "Forecast", "count": "Reported", "rate": "Reported rate",
        "change": "Change in reported", "pct": "Change in reported"}


@dataclass(frozen=True)
class MapSpec:
    """What to map: ``values`` (area -> value, None = no data) of ``shows`` for ``subject``
    ("break-ins") over ``period`` ("January 2024"), data through ``data_month``."""

    values: Mapping[str, float | None]
    shows: Shows
    subject: str
    period: str
    data_month: str
    caveat: str
    unit: str = "incidents"
    place: str = ""  # "NORTHEAST sector"; empty = the city
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Classes:
    """Legend classes: upper ``edges`` (a value v is in the first class whose edge >= v),
    ``labels``, ``colors``, ``counts`` of areas per class and how they were made (``method``)."""

    edges: tuple[float, ...]
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    counts: tuple[int, ...]
    method: str

    def index(self, v: float) -> int:
        return min(int(np.searchsorted(self.edges, v, side="left")), len(self.edges) - 1)


def _fmt(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}" if decimals else f"{round(v):,}"


def quantile_classes(values: list[float], k: int = 5, decimals: int = 0) -> Classes:
    """Up to ``k`` classes holding about equal numbers of areas; each label is the range of the
    values actually in the class (ties never split across classes).

    >>> c = quantile_classes([0, 0, 0, 0, 1, 2, 3, 5, 8, 40])
    >>> c.labels, c.counts
    (('0', '1–2', '3–5', '8–40'), (4, 2, 2, 2))
    """
    xs = np.sort(np.asarray(values, dtype=float))
    if xs.size == 0:
        return Classes((), (), (), (), "quantiles")
    cuts = np.unique(np.quantile(xs, np.arange(1, k + 1) / k, method="inverted_cdf"))
    edges, labels, counts, lo = [], [], [], -math.inf
    for c in cuts:
        members = xs[(xs > lo) & (xs <= c)]
        if members.size == 0:
            continue
        a, b = _fmt(members[0], decimals), _fmt(members[-1], decimals)
        labels.append(a if a == b else f"{a}–{b}")
        edges.append(float(c))
        counts.append(int(members.size))
        lo = c
    n = len(edges)
    colors = ((SEQUENTIAL[2],) if n == 1 else
              tuple(SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / (n - 1))] for i in range(n)))
    return Classes(tuple(edges), tuple(labels), tuple(colors), tuple(counts),
                   f"quantile classes ({n} groups of about equal numbers of areas)")


def diverging_classes(values: list[float], decimals: int = 0, unit: str = "") -> Classes:
    """Five equal intervals symmetric around zero: two of decrease, "about the same", two of
    increase; the middle class spans a fifth of the largest change either way.

    >>> diverging_classes([-10, 0, 2, 10]).labels
    ('-10 to -6', '-6 to -2', '-2 to 2', '2 to 6', '6 to 10')
    """
    xs = np.asarray(values, dtype=float)
    m = float(np.abs(xs).max()) if xs.size else 0.0
    if m == 0:
        return Classes((0.0,), ("no change",), (DIVERGING[2],), (int(xs.size),),
                       "equal intervals around zero")
    step = 2 * m / 5
    edges = tuple(-m + step * (i + 1) for i in range(5))
    bounds = [-m] + list(edges)
    labels = tuple(f"{_fmt(bounds[i], decimals)}{unit} to {_fmt(bounds[i + 1], decimals)}{unit}"
                   for i in range(5))
    idx = np.minimum(np.searchsorted(edges, xs, side="left"), 4)
    counts = tuple(int((idx == i).sum()) for i in range(5))
    return Classes(edges, labels, DIVERGING, counts,
                   "equal intervals around zero (blue: down, red: up)")


def classes_for(spec: MapSpec) -> Classes:
    """The legend classes of a map: diverging equal intervals for a change, quantiles otherwise."""
    xs = [float(v) for v in spec.values.values() if v is not None and math.isfinite(v)]
    if spec.shows in ("change", "pct"):
        return diverging_classes(xs, decimals=0, unit="%" if spec.shows == "pct" else "")
    decimals = 0 if spec.shows == "count" else 1
    return quantile_classes(xs, decimals=decimals)


def render_map(spec: MapSpec, geometry: AreaGeometry) -> bytes:
    """Draw ``spec`` on ``geometry`` and return PNG bytes (see the module docstring); raises
    ValueError when none of the areas can be placed. The PNG's text chunks repeat the title,
    legend and caveat (``Title``, ``Legend``, ``Description``) for readers that cannot see it."""
    was_enabled = gc.isenabled()
    gc.disable()  # as in bot.chart: no full collections half-way through a figure
    try:
        return to_png(draw_map(spec, geometry), spec)
    finally:
        gc.collect(1)
        if was_enabled:
            gc.enable()


def to_png(fig: Figure, spec: MapSpec) -> bytes:
    """The figure of :func:`draw_map` as PNG bytes, with its words in the PNG's text chunks."""
    buf = io.BytesIO()
    classes = classes_for(spec)
    missing = sum(1 for v in spec.values.values() if v is None or not math.isfinite(v))
    meta = {"Title": title(spec), "Description": spec.caveat, "Software": "crimecast",
            "Legend": "; ".join(legend_lines(spec, classes, missing)) + f" ({classes.method})",
            "Period": f"{spec.period}; data through {spec.data_month}"}
    fig.savefig(buf, format="png", metadata=meta, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def draw_map(spec: MapSpec, geometry: AreaGeometry) -> Figure:
    """The map's figure (the map itself is ``fig.axes[0]``, in longitude/latitude)."""
    geo = geometry.only(spec.values)
    bounds = geo.bounds()
    if bounds is None:
        raise ValueError("none of these areas has a place on the map (no polygon, no located "
                         "incident)")
    classes = classes_for(spec)
    fig = Figure(figsize=SIZE, dpi=DPI)
    ax = fig.add_axes((0.02, 0.13, 0.66, 0.76))
    ax.set_axis_off()
    minx, miny, maxx, maxy = bounds
    padx, pady = (maxx - minx) * 0.04 + 1e-3, (maxy - miny) * 0.04 + 1e-3
    ax.set_xlim(minx - padx, maxx + padx)
    ax.set_ylim(miny - pady, maxy + pady)
    ax.set_aspect(1.0 / max(math.cos(math.radians((miny + maxy) / 2)), 0.1))
    have = {a: float(v) for a, v in spec.values.items()
            if v is not None and math.isfinite(v) and a in geo.points}
    missing = [a for a, v in spec.values.items() if a in geo.points and a not in have]
    if geo.kind == "polygons":
        _polygons(ax, geo, have, missing, classes)
    else:
        _symbols(ax, geo, have, missing, classes, spec.shows in ("change", "pct"))
    _label_top(ax, geo, have, spec.shows in ("change", "pct"))
    _legend(fig, spec, classes, have, missing, geo.kind == "points")
    _texts(fig, spec, classes, geo, unplaced=[a for a in spec.values if a not in geo.points])
    return fig


def _polygons(ax, geo: AreaGeometry, have: dict, missing: list, classes: Classes) -> None:
    paths, colors = [], []
    for area, v in have.items():
        out = geo.outline(area)
        if out is not None and len(out[0]):
            paths.append(MplPath(*out))
            colors.append(classes.colors[classes.index(v)])
    ax.add_collection(PathCollection(paths, facecolors=colors, edgecolors="#555555",
                                     linewidths=0.3))
    gaps = [MplPath(*o) for o in map(geo.outline, missing) if o is not None and len(o[0])]
    if gaps:
        ax.add_collection(PathCollection(gaps, facecolors=NO_DATA, edgecolors="#888888",
                                         linewidths=0.3, hatch="////"))


def _symbols(ax, geo: AreaGeometry, have: dict, missing: list, classes: Classes,
             diverging: bool) -> None:
    """Circles whose area is proportional to the value (to its size, for a change)."""
    # faint dots at every area's centre give the city's shape without a basemap
    xy_all = np.array([geo.points[a] for a in list(have) + missing])
    ax.scatter(xy_all[:, 0], xy_all[:, 1], s=2, color="#bbbbbb", zorder=1, linewidths=0)
    if have:
        order = sorted(have, key=lambda a: -abs(have[a]))  # big first, small drawn on top
        xy = np.array([geo.points[a] for a in order])
        mags = np.array([abs(have[a]) for a in order])
        sizes = _sizes(mags, mags.max() or 1.0)
        colors = [classes.colors[classes.index(have[a])] for a in order]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colors, edgecolors="#333333", linewidths=0.4,
                   zorder=2)
    if missing:
        xy = np.array([geo.points[a] for a in missing])
        ax.scatter(xy[:, 0], xy[:, 1], s=14, marker="x", color="#888888", linewidths=0.8,
                   zorder=3)


def _sizes(mags: np.ndarray, top: float) -> np.ndarray:
    """Marker sizes (points squared) whose area grows with the value (a zero still shows)."""
    return (2 * MAX_RADIUS_PT) ** 2 * (mags / top) + 6


def _label_top(ax, geo: AreaGeometry, have: dict, diverging: bool, n: int = 3) -> None:
    """Name the ``n`` highest areas (largest changes) on the map."""
    top = sorted(have, key=lambda a: (-(abs(have[a]) if diverging else have[a]), a))[:n]
    for area in top:
        if have[area] == 0:
            continue
        x, y = geo.points[area]
        ax.annotate(area.title()[:24], (x, y), xytext=(4, 4), textcoords="offset points",
                    fontsize=7, color="#222222", zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})


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
        cache.append((os2["sTypoAscender"] - os2["sTypoDescender"]) / head["unitsPerEm"]
                     if os2 else 1.17)
    return cache[0]


def legend_lines(spec: MapSpec, classes: Classes, missing: int) -> list[str]:
    """The legend's lines (a heading, then one per class, then "no data"), as drawn.

    >>> spec = MapSpec({}, "count", "break-ins", "2023", "2023-12", "caveat")
    >>> legend_lines(spec, quantile_classes([0, 1, 5]), 2)
    ['Reported incidents', '0  (1 area)', '1  (1 area)', '5  (1 area)', 'no data  (2 areas)']
    """
    out = [f"{WHAT[spec.shows]} {spec.unit}"]
    out += [f"{lab}  ({n} area{'s' if n != 1 else ''})"
            for lab, n in zip(classes.labels, classes.counts)]
    if missing:
        out.append(f"no data  ({missing} area{'s' if missing != 1 else ''})")
    return out


def _legend(fig, spec: MapSpec, classes: Classes, have: dict, missing: list, points: bool) -> None:
    lines = legend_lines(spec, classes, len(missing))
    x0, top, size, spacing = 0.70, 0.87, 8.0, 1.7
    step = _line_step(size, spacing)
    fig.text(x0 + 0.035, top, "\n".join(lines), fontsize=size, va="top", linespacing=spacing)
    # swatch i sits on line i + 1 (line 0 is the heading), centred on the line's middle
    ys = [top - step * (i + 1.5) for i in range(len(classes.colors) + bool(missing))]
    sw = fig.add_axes((x0, 0.0, 0.03, 1.0))
    sw.set_axis_off()
    sw.set_xlim(0, 1)
    sw.set_ylim(0, 1)
    sw.scatter(np.full(len(classes.colors), 0.5), ys[:len(classes.colors)], s=90, marker="s",
               c=list(classes.colors), edgecolors="#555555", linewidths=0.4)
    if missing:
        if points:
            sw.scatter([0.5], [ys[-1]], s=20, marker="x", color="#888888", linewidths=0.8)
        else:
            sw.scatter([0.5], [ys[-1]], s=90, marker="s", color=NO_DATA, edgecolors="#888888",
                       linewidths=0.4, hatch="////")
    if points and have:
        top_v = max(abs(v) for v in have.values()) or 1.0
        fracs = np.array([1.0, 0.5, 0.1])
        ax = fig.add_axes((0.70, 0.14, 0.28, 0.20))
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        yt, gap = 0.85, 4.0
        ys = yt - _line_step(size, gap) / 0.20 * (np.arange(3) + 0.5)
        ax.scatter(np.full(3, 0.12), ys, s=_sizes(fracs * top_v, top_v), facecolors="none",
                   edgecolors="#333333", linewidths=0.6)
        key = "circle area grows with the " + ("size of the change" if spec.shows in
                                                 ("change", "pct") else "value")
        nums = [_fmt(top_v * f, 0 if spec.shows == "count" else 1) for f in fracs]
        ax.text(0.32, yt, "\n".join(nums), fontsize=size, va="top", linespacing=gap)
        ax.text(0.0, 1.0, key, fontsize=7, va="top")


def title(spec: MapSpec) -> str:
    """The map's title: what it shows, of what, where.

    >>> title(MapSpec({}, "forecast", "break-ins", "Jan 2024", "2023-12", "", place="NE sector"))
    'Forecast break-ins — NE sector'
    """
    where = f" — {spec.place}" if spec.place else ""
    return f"{WHAT[spec.shows]} {spec.subject}{where}"[:80]


def _texts(fig, spec: MapSpec, classes: Classes, geo: AreaGeometry, unplaced: list) -> None:
    fig.text(0.02, 0.975, title(spec), fontsize=12, fontweight="bold", va="top")
    drawn = ("areas" if geo.kind == "polygons"
             else "circles at the median location of each area's incidents")
    fig.text(0.02, 0.935, f"{spec.period} · data through {spec.data_month} · {drawn}",
             fontsize=8, va="top", color="#333333")
    notes = [f"Legend: {classes.method}."]
    if unplaced:
        names = ", ".join(a.title() for a in unplaced[:6]) + (" …" if len(unplaced) > 6 else "")
        notes.append(f"Not on the map ({len(unplaced)}, no {'polygon' if geo.kind == 'polygons' else 'location'}): {names}.")
    notes += list(spec.notes)
    notes.append(spec.caveat)
    text = "\n".join(textwrap.fill(n, 120) for n in notes)
    fig.text(0.02, 0.015, text, fontsize=7, va="bottom", color="#444444", linespacing=1.3)
