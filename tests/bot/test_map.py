"""The map renderer: values drawn where they belong, in the class an independent computation puts
them in; no data drawn as no data; a region's map draws only its areas; the PNG decodes and carries
its legend and caveat. Calgary-like squares (300 areas) and Atlanta's real incident locations."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image
from shapely.geometry import Polygon, box

from bot.rendering.map import (
    DIVERGING,
    NO_DATA,
    SEQUENTIAL,
    MapSpec,
    draw_map,
    quantile_classes,
    render_map,
    to_png,
)
from core.caveats import CAVEAT
from stream.geometry import AreaGeometry

ROOT = Path(__file__).resolve().parents[2]
ATLANTA_CSV = (
    Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
    / "atlanta_cobra_2019.csv"
)
X0, Y0, D = -114.30, 50.85, 0.02
WHITE = (255, 255, 255)


def hex_rgb(h: str) -> tuple[int, int, int]:
    return tuple(int(h[i : i + 2], 16) for i in (1, 3, 5))


def grid(n: int = 310, cols: int = 20) -> dict:
    """``n`` squares of a Calgary-sized grid; AREA 005 has a hole in the middle."""
    shapes = {}
    for i in range(n):
        r, c = divmod(i, cols)
        shapes[f"AREA {i:03d}"] = box(X0 + c * D, Y0 + r * D, X0 + (c + 1) * D, Y0 + (r + 1) * D)
    x, y = X0 + 5 * D, Y0
    shapes["AREA 005"] = Polygon(
        list(shapes["AREA 005"].exterior.coords),
        [
            [
                (x + D / 4, y + D / 4),
                (x + D / 4, y + 3 * D / 4),
                (x + 3 * D / 4, y + 3 * D / 4),
                (x + 3 * D / 4, y + D / 4),
            ]
        ],
    )
    return shapes


def centre_xy(area: str, cols: int = 20) -> tuple[float, float]:
    r, c = divmod(int(area.split()[1]), cols)
    return X0 + (c + 0.5) * D, Y0 + (r + 0.5) * D


class Drawn:
    """A rendered map: the decoded PNG, and where a longitude/latitude lands on it."""

    def __init__(self, spec: MapSpec, geometry: AreaGeometry):
        self.fig, self.to_px = draw_map(spec, geometry)
        FigureCanvasAgg(self.fig)  # so that the drawn state (label extents) stays readable
        self.png = to_png(self.fig, spec)
        self.image = Image.open(io.BytesIO(self.png))
        self.rgb = np.asarray(self.image.convert("RGB"))
        renderer = self.fig.canvas.get_renderer()
        self.labels = [
            t.get_window_extent(renderer)
            for t in self.fig.texts
            if t.get_transform() is not self.fig.transFigure
        ]

    def pixel(self, x: float, y: float) -> tuple[int, int, int] | None:
        """The colour at a map point (None where a name label covers it)."""
        px, py = self.to_px.transform((x, y))
        if any(b.x0 - 2 <= px <= b.x1 + 2 and b.y0 - 2 <= py <= b.y1 + 2 for b in self.labels):
            return None
        return tuple(int(v) for v in self.rgb[self.rgb.shape[0] - int(round(py)), int(round(px))])


@pytest.fixture(scope="module")
def squares():
    return AreaGeometry.of_shapes(grid())


def test_choropleth_places_each_value_in_its_quantile_class(squares):
    """300 areas with values 1..300: value v is in quantile class (v - 1) // 60, so its square is
    that class's colour; 10 areas without data are hatched grey; the hole is left empty."""
    rng = random.Random(5)
    vals = list(range(1, 301))
    rng.shuffle(vals)
    values = {f"AREA {i:03d}": float(v) for i, v in enumerate(vals)}
    values.update({f"AREA {i:03d}": None for i in range(300, 310)})
    spec = MapSpec(values, "count", "break-ins", "2023", "2023-12", CAVEAT)
    drawn = Drawn(spec, squares)
    checked = 0
    for area, v in values.items():
        got = drawn.pixel(*centre_xy(area))
        if got is None or area == "AREA 005":
            continue
        if v is None:
            assert got in (hex_rgb(NO_DATA), hex_rgb("#888888")) or got[0] == got[1] == got[2], area
            assert got not in [hex_rgb(c) for c in SEQUENTIAL], area
        else:
            assert got == hex_rgb(SEQUENTIAL[(int(v) - 1) // 60]), (area, v, got)
        checked += 1
    assert checked > 290
    assert drawn.pixel(*centre_xy("AREA 005")) == WHITE  # the hole
    x, y = centre_xy("AREA 005")
    assert drawn.pixel(x - 0.4 * D, y) == hex_rgb(SEQUENTIAL[(int(values["AREA 005"]) - 1) // 60])


def test_png_carries_legend_and_caveat(squares):
    """The PNG decodes; its text chunks hold title, legend classes and caveat; every class colour
    and the no-data grey are drawn in the legend column."""
    values = {f"AREA {i:03d}": float(i % 37) if i % 50 else None for i in range(310)}
    spec = MapSpec(values, "forecast", "break-ins", "January 2024", "2023-12", CAVEAT)
    png = render_map(spec, squares)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.size == (640, 560)
    assert image.text["Description"] == CAVEAT
    assert image.text["Title"] == "Forecast break-ins"
    words = image.text["Legend"]
    assert "quantile classes" in words and "no data  (7 areas)" in words
    assert "data through 2023-12" in image.text["Period"]
    rgb = np.asarray(image.convert("RGB"))
    legend = {tuple(p) for p in rgb[:, int(0.69 * 640) :].reshape(-1, 3)}
    classes = quantile_classes([v for v in values.values() if v is not None], decimals=1)
    assert all(hex_rgb(c) in legend for c in classes.colors)
    assert hex_rgb(NO_DATA) in legend
    footer = rgb[-60:, :400]
    assert (footer < 200).any()  # the caveat's words are drawn at the bottom
    assert len(png) < 200_000


def test_region_map_draws_only_its_areas(squares):
    """Areas outside the mapping are not drawn at all (a region's map shows its own areas)."""
    own = {f"AREA {i:03d}": float(i) for i in range(40, 80)}
    drawn = Drawn(
        MapSpec(own, "count", "assaults", "2023", "2023-12", CAVEAT, place="NORTHEAST sector"),
        squares,
    )
    for other in ("AREA 000", "AREA 039", "AREA 080", "AREA 200"):
        px, py = drawn.to_px.transform(centre_xy(other))
        if 0 <= px < 640 and 0 <= py < 560:
            assert drawn.pixel(*centre_xy(other)) in (WHITE, None), other
    inside = [drawn.pixel(*centre_xy(a)) for a in own]
    assert sum(p in [hex_rgb(c) for c in SEQUENTIAL] for p in inside) >= 35
    assert "NORTHEAST sector" in drawn.image.text["Title"]


def test_change_uses_diverging_equal_intervals(squares):
    """Falls are blue, rises red, about-the-same pale; classes are equal intervals around zero."""
    values = {f"AREA {i:03d}": float(i - 150) for i in range(301)}
    drawn = Drawn(
        MapSpec(values, "change", "break-ins", "2023 vs 2022", "2023-12", CAVEAT), squares
    )
    assert drawn.pixel(*centre_xy("AREA 001")) == hex_rgb(DIVERGING[0])  # -149
    assert drawn.pixel(*centre_xy("AREA 299")) == hex_rgb(DIVERGING[-1])  # +149
    assert drawn.pixel(*centre_xy("AREA 150")) == hex_rgb(DIVERGING[2])  # 0
    assert drawn.pixel(*centre_xy("AREA 100")) == hex_rgb(DIVERGING[1])  # -50: (-90, -30]
    assert "equal intervals around zero" in drawn.image.text["Legend"]


def test_classes_never_split_ties_and_count_every_area():
    rng = random.Random(2)
    xs = [float(rng.choice([0, 0, 0, 1, 2, 2, 3, 7, 15])) for _ in range(500)]
    c = quantile_classes(xs)
    assert sum(c.counts) == 500 and list(c.edges) == sorted(set(c.edges))
    assert c.labels[0] == "0"


def test_nothing_placeable_is_a_clear_error(squares):
    with pytest.raises(ValueError, match="no polygon"):
        render_map(MapSpec({"NOWHERE": 3.0}, "count", "x", "2023", "2023-12", CAVEAT), squares)


@pytest.mark.skipif(not ATLANTA_CSV.exists(), reason=f"{ATLANTA_CSV} not found")
def test_atlanta_symbols_sit_at_the_medians_of_incidents(tmp_path):
    """Circles at each neighborhood's median incident location (computed here with pandas), the
    busiest neighborhoods in the top class; areas with no data marked, not drawn as zero."""
    df = pd.read_csv(ATLANTA_CSV, usecols=["Neighborhood", "Latitude", "Longitude"])
    df = df[df["Neighborhood"].notna()]
    df["area"] = df["Neighborhood"].str.strip().str.upper()
    med = df.groupby("area")[["Latitude", "Longitude"]].median()
    counts = df.groupby("area").size().astype(float)
    geo = AreaGeometry.of_centres({a: (r.Latitude, r.Longitude) for a, r in med.iterrows()})
    values = {a: float(n) for a, n in counts.items()}
    for a in list(values)[:4]:
        values[a] = None
    spec = MapSpec(values, "count", "all crime", "2019", "2019-12", CAVEAT)
    drawn = Drawn(spec, geo)
    top = counts.drop(list(values)[:4]).sort_values(ascending=False).index[:10]
    tops = [drawn.pixel(med.loc[a, "Longitude"], med.loc[a, "Latitude"]) for a in top]
    assert sum(p == hex_rgb(SEQUENTIAL[-1]) for p in tops) >= 7, tops
    assert "no data  (4 areas)" in drawn.image.text["Legend"]
    (tmp_path / "atlanta.png").write_bytes(drawn.png)
