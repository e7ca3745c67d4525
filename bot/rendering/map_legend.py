"""What a map says, apart from drawing it (:mod:`bot.rendering.map`): its :class:`MapSpec`, the
legend's classes, the legend's lines and the title.

The classes must not exaggerate. Levels use quantile classes (each class holds about as many
areas; each label is the range of the values in it), a change uses five equal intervals around
zero on a diverging scale (blue down, red up, a pale middle class for "about the same"). Colours
are ColorBrewer's; areas without data are ``NO_DATA`` grey.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Mapping

import numpy as np

__all__ = [
    "DIVERGING",
    "NO_DATA",
    "SEQUENTIAL",
    "WHAT",
    "Classes",
    "MapSpec",
    "Shows",
    "classes_for",
    "diverging_classes",
    "fmt_value",
    "legend_lines",
    "quantile_classes",
    "title",
]

SEQUENTIAL = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")  # ColorBrewer OrRd 5
DIVERGING = ("#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b")  # ColorBrewer RdBu 5, reversed
NO_DATA = "#d9d9d9"
Shows = Literal["forecast", "count", "rate", "change", "pct", "average", "share", "hot"]
WHAT = {
    "forecast": "Forecast",
    "count": "Reported",
    "rate": "Reported rate",
    "change": "Change in reported",
    "pct": "Change in reported",
    "average": "Monthly average of reported",
    "share": "Share of reported",
    "hot": "Running hot:",
}


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


def fmt_value(v: float, decimals: int) -> str:
    """A legend number: thousands separated, ``decimals`` places (whole numbers rounded)."""
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
        a, b = fmt_value(members[0], decimals), fmt_value(members[-1], decimals)
        labels.append(a if a == b else f"{a}–{b}")
        edges.append(float(c))
        counts.append(int(members.size))
        lo = c
    n = len(edges)
    colors = (
        (SEQUENTIAL[2],)
        if n == 1
        else tuple(SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / (n - 1))] for i in range(n))
    )
    return Classes(
        tuple(edges),
        tuple(labels),
        tuple(colors),
        tuple(counts),
        f"quantile classes ({n} groups of about equal numbers of areas)",
    )


def diverging_classes(values: list[float], decimals: int = 0, unit: str = "") -> Classes:
    """Five equal intervals symmetric around zero: two of decrease, "about the same", two of
    increase; the middle class spans a fifth of the largest change either way.

    >>> diverging_classes([-10, 0, 2, 10]).labels
    ('-10 to -6', '-6 to -2', '-2 to 2', '2 to 6', '6 to 10')
    """
    xs = np.asarray(values, dtype=float)
    m = float(np.abs(xs).max()) if xs.size else 0.0
    if m == 0:
        return Classes(
            (0.0,), ("no change",), (DIVERGING[2],), (int(xs.size),), "equal intervals around zero"
        )
    step = 2 * m / 5
    edges = tuple(-m + step * (i + 1) for i in range(5))
    bounds = [-m] + list(edges)
    labels = tuple(
        f"{fmt_value(bounds[i], decimals)}{unit} to {fmt_value(bounds[i + 1], decimals)}{unit}"
        for i in range(5)
    )
    idx = np.minimum(np.searchsorted(edges, xs, side="left"), 4)
    counts = tuple(int((idx == i).sum()) for i in range(5))
    return Classes(
        edges, labels, DIVERGING, counts, "equal intervals around zero (blue: down, red: up)"
    )


def classes_for(spec: MapSpec) -> Classes:
    """The legend classes of a map: diverging equal intervals for a change, quantiles otherwise."""
    xs = [float(v) for v in spec.values.values() if v is not None and math.isfinite(v)]
    if spec.shows in ("change", "pct"):
        return diverging_classes(xs, decimals=0, unit="%" if spec.shows == "pct" else "")
    decimals = 0 if spec.shows == "count" else 1
    return quantile_classes(xs, decimals=decimals)


def legend_lines(spec: MapSpec, classes: Classes, missing: int) -> list[str]:
    """The legend's lines (a heading, then one per class, then "no data"), as drawn.

    >>> spec = MapSpec({}, "count", "break-ins", "2023", "2023-12", "caveat")
    >>> legend_lines(spec, quantile_classes([0, 1, 5]), 2)
    ['Reported incidents', '0  (1 area)', '1  (1 area)', '5  (1 area)', 'no data  (2 areas)']
    """
    out = [
        spec.unit[:1].upper() + spec.unit[1:]
        if spec.shows == "hot"
        else f"{WHAT[spec.shows]} {spec.unit}"
    ]
    out += [
        f"{lab}  ({n} area{'s' if n != 1 else ''})"
        for lab, n in zip(classes.labels, classes.counts)
    ]
    if missing:
        out.append(f"no data  ({missing} area{'s' if missing != 1 else ''})")
    return out


def title(spec: MapSpec) -> str:
    """The map's title: what it shows, of what, where.

    >>> title(MapSpec({}, "forecast", "break-ins", "Jan 2024", "2023-12", "", place="NE sector"))
    'Forecast break-ins — NE sector'
    """
    where = f" — {spec.place}" if spec.place else ""
    subject = "crime (all categories)" if spec.subject == "all crime" else spec.subject
    return f"{WHAT[spec.shows]} {subject}{where}"[:80]
