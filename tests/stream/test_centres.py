"""Centres of incidents per area: coordinates ride on the records (``geo``), the counting script
keeps each area's location histograms, the centre is their coordinate-wise median. Checked on the
Atlanta sample's real coordinates against an independent numpy reading of the file."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.profile import load_profile
from stream.categories import CategorySet
from stream.centres import Centre, area_centres
from stream.consumer import Consumer
from stream.producer import Producer
from stream.record_parser import RecordParser
from stream.records import GEO, Incident, parse_point
from stream.sources.base import SourceError
from stream.sources.mapped import ColumnMapping, read_mapped

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
ATLANTA_CSV = DATA_DIR / "atlanta_cobra_2019.csv"
PROFILE = ROOT / "docs" / "cities" / "atlanta.yaml"
TODAY = date(2020, 1, 10)


def _drain(r, keys, categories: CategorySet | None = None) -> None:
    consumer = Consumer(r, keys, block_ms=0, categories=categories)
    consumer.run(burst=True)
    consumer.close()


def test_geo_field_round_trip_and_old_records():
    """A placed record carries ``geo``; an unplaced one is exactly the old shape; a bad ``geo``
    places nothing but still counts; the fast parser agrees."""
    placed = Incident.make(
        "a:1", "midtown", "Street Robbery", "2019-05-01", lat="33.78", lon="-84.38"
    )
    assert placed.to_fields()[GEO] == "33.780000,-84.380000"
    assert Incident.from_fields(placed.to_fields()) == placed
    old = Incident.make("a:2", "midtown", "Street Robbery", "2019-05-01")
    assert GEO not in old.to_fields() and Incident.from_fields(old.to_fields()).lat is None
    parser = RecordParser()
    for fields in (
        placed.to_fields(),
        old.to_fields(),
        {**old.to_fields(), GEO: "0,0"},
        {**old.to_fields(), GEO: "nonsense"},
        {**old.to_fields(), GEO: ""},
    ):
        raw = {k.encode(): v.encode() for k, v in fields.items()}
        assert parser.parse(raw) == Incident.from_fields(fields)
    assert Incident.from_fields({**old.to_fields(), GEO: "0,0"}) == old


def test_centres_are_medians_robust_to_strays_and_idempotent(r, keys):
    """Three near points and one far stray: the centre stays with the three; re-sending the same
    records moves nothing; unplaced records count but do not place."""
    pts = [(51.040, -114.070), (51.042, -114.072), (51.044, -114.068), (49.0, -120.0)]
    recs = [
        Incident(f"t:{i}", "BELTLINE", "Street Robbery", date(2023, 5, 1), 1, "t", *p)
        for i, p in enumerate(pts)
    ]
    recs.append(Incident("t:x", "BELTLINE", "Street Robbery", date(2023, 5, 1), 1, "t"))
    recs.append(Incident("t:y", "CRANSTON", "Street Robbery", date(2023, 5, 1), 1, "t"))
    Producer(r, keys, chunk_size=4).send(recs)  # chunks mixing placed and unplaced records
    _drain(r, keys)
    first = area_centres(r, keys)
    assert first == {"BELTLINE": Centre(51.04, -114.072, 4)}  # lower medians, with the three
    Producer(r, keys).send(recs)
    _drain(r, keys)
    assert area_centres(r, keys) == first
    assert int(r.hget(keys.stats, "incidents")) == 6


def test_mapping_location_rules(tmp_path):
    """Zeros, blanks, points outside the bounds and listed placeholders are missing; projected
    X/Y need a crs and come back as degrees."""
    pyproj = pytest.importorskip("pyproj")
    to_xy = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:2240", always_xy=True).transform
    x, y = to_xy(-84.388, 33.749)
    csv = tmp_path / "xy.csv"
    csv.write_text(
        "ID,Area,Type,Date,X,Y\n"
        f"1,MIDTOWN,AGG ASSAULT,2019-05-01,{x:.2f},{y:.2f}\n"
        "2,MIDTOWN,AGG ASSAULT,2019-05-02,0,0\n"
        "3,MIDTOWN,AGG ASSAULT,2019-05-03,,\n"
    )
    cats = CategorySet(["AGG ASSAULT"])
    base = {
        "columns": {
            "id": "ID",
            "community": "Area",
            "category": "Type",
            "datetime": "Date",
            "x": "X",
            "y": "Y",
        },
        "categories": "same",
    }
    with pytest.raises(SourceError, match="need 'crs'"):
        ColumnMapping(base, categories=cats)
    got = list(
        read_mapped(
            csv, ColumnMapping({**base, "crs": "EPSG:2240"}, categories=cats), today=TODAY
        ).make()
    )
    assert [(g.lat is None) for g in got] == [False, True, True]
    assert got[0].lat == pytest.approx(33.749, abs=1e-6) and got[0].lon == pytest.approx(
        -84.388, abs=1e-6
    )
    deg = ColumnMapping(
        {
            "columns": {
                "community": "A",
                "category": "T",
                "datetime": "D",
                "latitude": "Lat",
                "longitude": "Lon",
            },
            "categories": "same",
            "bounds": {"lat": [33, 34], "lon": [-85, -84]},
            "missing_points": [[33.7537, -84.3863]],
        },
        categories=cats,
    )
    assert deg.locator.point({"Lat": "33.75375", "Lon": "-84.38632"}) is None  # placeholder
    assert deg.locator.point({"Lat": "40.7", "Lon": "-74.0"}) is None  # outside the city
    assert deg.locator.point({"Lat": "33.8", "Lon": "-84.4"}) == (33.8, -84.4)
    assert parse_point("nan", "nan") is None


def lower_median_bin(values: np.ndarray) -> float:
    """The lower median of values rounded to 1e-3 degree (what a centre is), computed directly."""
    bins = np.sort(np.round(values * 1e3).astype(np.int64))
    return bins[(len(bins) - 1) // 2] / 1e3


@pytest.mark.skipif(not ATLANTA_CSV.exists(), reason=f"{ATLANTA_CSV} not found")
def test_atlanta_centres_match_an_independent_reading(r, keys, tmp_path):
    """Every neighborhood's centre equals the median of its rows' coordinates in the file."""
    df = pd.read_csv(ATLANTA_CSV, dtype=str, keep_default_na=False).iloc[:6000]
    sample = tmp_path / "atlanta_sample.csv"
    df.to_csv(sample, index=False)
    profile = load_profile(PROFILE)
    cmap = ColumnMapping(profile.source.mapping, profile.path, CategorySet.from_profile(profile))
    Producer(r, keys).send(read_mapped(sample, cmap, today=TODAY))
    _drain(r, keys, cmap.categories)
    got = area_centres(r, keys)
    hood = df["Neighborhood"].str.strip().str.upper().str.split().str.join(" ")
    lat, lon = df["Latitude"].astype(float), df["Longitude"].astype(float)
    inside = lat.between(33.60, 33.95) & lon.between(-84.60, -84.25) & (lat != 0) & (lon != 0)
    want = {}
    for name, rows in df[(hood != "") & inside].groupby(hood[(hood != "") & inside]):
        want[name] = (
            lower_median_bin(lat[rows.index].to_numpy()),
            lower_median_bin(lon[rows.index].to_numpy()),
            len(rows),
        )
    named = {a: c for a, c in got.items() if not a.endswith("(NO NEIGHBORHOOD)")}
    assert {a: (c.lat, c.lon, c.n) for a, c in named.items()} == want
    assert len(want) > 150
