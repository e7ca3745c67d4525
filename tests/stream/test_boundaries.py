"""Area polygons for maps: a GeoJSON made here (squares, a multipolygon, a hole, invalid shapes),
read through the Calgary profile's ``boundaries:`` section by ``crimecast reference boundaries``,
matched to the reference data by code and by name, repaired, stored and read back."""

from __future__ import annotations

import json

import pytest
from shapely.geometry import shape
from typer.testing import CliRunner

from bot.cli import app
from stream.reference import store_reference
from core.profile import load_profile, parse_profile
from stream.boundaries import BoundaryError, load_boundaries, match_areas, parse_geojson, repair
from stream.geometry import AreaGeometry, area_geometry
from stream.keys import series_field

runner = CliRunner()
X0, Y0, D = -114.10, 51.00, 0.01  # a corner of Calgary, squares of about 1 km


def square(i: int, j: int, size: float = D) -> list:
    x, y = X0 + i * D, Y0 + j * D
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(name, geometry, code=None, **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"name": name, "comm_code": code, **props},
        "geometry": geometry,
    }


def collection() -> dict:
    """Squares; BRAVO a multipolygon of two squares; CHARLIE a square with a square hole; DELTA
    a bow tie (self-intersecting, repairable); ECHO a zero-area sliver (not repairable); FOXTROT
    named differently from the reference but with its code; GHOST in no reference."""
    x, y = X0 + 2 * D, Y0
    hole = [
        [x + D / 4, y + D / 4],
        [x + D / 4, y + 3 * D / 4],
        [x + 3 * D / 4, y + 3 * D / 4],
        [x + 3 * D / 4, y + D / 4],
        [x + D / 4, y + D / 4],
    ]
    bx, by = X0 + 3 * D, Y0
    bow = [[bx, by], [bx + D, by + D], [bx + D, by], [bx, by + D], [bx, by]]
    return {
        "type": "FeatureCollection",
        "features": [
            feature("Alpha", {"type": "Polygon", "coordinates": [square(0, 0)]}, "ALP"),
            feature(
                "Bravo",
                {"type": "MultiPolygon", "coordinates": [[square(1, 0)], [square(1, 2)]]},
                "BRA",
            ),
            feature("Charlie", {"type": "Polygon", "coordinates": [square(2, 0), hole]}, "CHA"),
            feature("Delta", {"type": "Polygon", "coordinates": [bow]}, "DEL"),
            feature(
                "Echo",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [X0, Y0 + 5 * D],
                            [X0 + D, Y0 + 5 * D],
                            [X0 + 2 * D, Y0 + 5 * D],
                            [X0, Y0 + 5 * D],
                        ]
                    ],
                },
                "ECH",
            ),
            feature("Foxtrot Park", {"type": "Polygon", "coordinates": [square(4, 0)]}, "FOX"),
            feature("Ghost", {"type": "Polygon", "coordinates": [square(5, 0)]}, "GHO"),
            feature(None, {"type": "Polygon", "coordinates": [square(6, 0)]}, "NON"),
        ],
    }


KNOWN = {
    "ALPHA": "ALP",
    "BRAVO": "BRA",
    "CHARLIE": "CHA",
    "DELTA": "DEL",
    "ECHO": "ECH",
    "FOXTROT": "FOX",
    "HOTEL": "HOT",
}


def test_match_repair_and_report():
    """Code first, then name; repaired and dropped polygons named; unmatched listed both ways."""
    feats, left = parse_geojson(json.dumps(collection()), "name", "comm_code", "sector")
    shapes, report = match_areas(feats, KNOWN, left)
    assert report.matched == {
        "ALPHA": "code",
        "BRAVO": "code",
        "CHARLIE": "code",
        "DELTA": "code",
        "FOXTROT": "code",
    }
    assert report.unmatched_features == ["GHOST"]
    assert report.areas_without == ["ECHO", "HOTEL"]
    assert [n for n, _ in report.repaired] == ["DELTA"]
    assert {n for n, _ in report.dropped} == {"ECHO", "feature 8"}
    assert all(g.is_valid for g in shapes.values())
    assert shapes["BRAVO"].geom_type == "MultiPolygon" and len(shapes["BRAVO"].geoms) == 2
    assert len(shapes["CHARLIE"].interiors) == 1
    assert shapes["CHARLIE"].area == pytest.approx(D * D * 0.75, rel=1e-3)
    assert shapes["DELTA"].area == pytest.approx(D * D / 2, rel=1e-3)  # the bow tie's two lobes
    text = "\n".join(report.lines("community", "communities"))
    assert "ECHO, HOTEL" in text and "GHOST" in text and "repaired DELTA" in text


def test_by_name_when_codes_are_absent():
    """Without codes a feature matches the area spelled the same (case and spacing aside)."""
    feats, _ = parse_geojson(json.dumps(collection()), "name")
    _, report = match_areas(feats, {a: "" for a in KNOWN})
    assert set(report.matched) == {"ALPHA", "BRAVO", "CHARLIE", "DELTA"}
    assert set(report.unmatched_features) == {"FOXTROT PARK", "GHOST"}


def test_repair_refuses_what_is_no_polygon():
    ok, how = repair(shape({"type": "Point", "coordinates": [0, 0]}))
    assert ok is None and "Point" in how


@pytest.mark.parametrize(
    "text, message",
    [
        ("not json", "not valid JSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "no features"),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [
                        {"type": "Feature", "properties": {"NAME_X": "A"}, "geometry": None}
                    ],
                }
            ),
            "no feature has the property 'name' (they have NAME_X)",
        ),
    ],
)
def test_bad_files_say_why(text, message):
    with pytest.raises(BoundaryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_geojson(text, "name")


def test_command_loads_and_says_what_matched(settings_env, r, keys, tmp_path):
    """``reference boundaries FILE`` against the reference data and the counts' areas."""
    store_reference(
        r,
        keys,
        {
            a: {"code": c, "sector": "CENTRE", "class": "Residential", "population": 100}
            for a, c in KNOWN.items()
            if a != "HOTEL"
        },
    )
    r.sadd(keys.series, series_field("HOTEL", "Street Robbery"))  # an area only the counts know
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps(collection()))
    result = runner.invoke(app, ["reference", "boundaries", str(path)])
    assert result.exit_code == 0, result.output
    assert "stored 6 polygons; matched 5 communities" in result.output
    assert "2 communities with no polygon" in result.output and "ECHO, HOTEL" in result.output
    assert "1 feature matches no known community: GHOST" in result.output
    assert "left out ECHO" in result.output
    shapes = load_boundaries(r, keys)
    assert set(shapes) == {"ALPHA", "BRAVO", "CHARLIE", "DELTA", "FOXTROT", "GHOST"}
    geo = area_geometry(r, keys)
    assert geo.kind == "polygons" and geo.only(["ALPHA", "HOTEL"]).areas == ("ALPHA",)
    x, y = geo.centre("CHARLIE")  # a representative point lies inside the ring, not in the hole
    assert shapes["CHARLIE"].contains(shape({"type": "Point", "coordinates": [x, y]}))


def test_command_errors_are_one_line(settings_env, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{")
    result = runner.invoke(app, ["reference", "boundaries", str(bad)])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["reference", "boundaries", str(tmp_path / "missing.geojson")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_profile_boundaries_section():
    """Calgary names its portal dataset; a URL must be http(s); the section is optional."""
    calgary = load_profile(None)
    assert "surr-xmvs" in calgary.boundaries.url and calgary.boundaries.region == "sector"
    text = load_profile(None).path and open(load_profile(None).path).read()
    with pytest.raises(ValueError, match="boundaries.url"):
        parse_profile(
            text.replace(
                'url: "https://data.calgary.ca/resource/surr-xmvs', 'url: "ftp://x/surr-xmvs'
            )
        )
    start = text.index("\nboundaries:")
    end = text.index("\n\n", start + 1)
    assert parse_profile(text[:start] + text[end:]).boundaries is None


def signed_areas(verts, codes) -> list[float]:
    """Shoelace area of each subpath: positive counter-clockwise, negative clockwise."""
    out, starts = [], [i for i, c in enumerate(codes) if c == 1] + [len(codes)]
    for a, b in zip(starts, starts[1:]):
        x, y = verts[a:b, 0], verts[a:b, 1]
        out.append(
            0.5
            * float(
                (
                    x * (y.take(range(1, len(y) + 1), mode="wrap"))
                    - (x.take(range(1, len(x) + 1), mode="wrap")) * y
                ).sum()
            )
        )
    return out


def test_geometry_outline_keeps_holes_empty():
    """Exteriors counter-clockwise, holes clockwise (a nonzero fill leaves the hole empty; the
    map test looks at the pixels); a multipolygon is one path of two rings."""
    feats, _ = parse_geojson(json.dumps(collection()), "name")
    shapes, _ = match_areas(feats, {})
    geo = AreaGeometry.of_shapes(shapes)
    outer, hole = signed_areas(*geo.outline("CHARLIE"))
    assert outer == pytest.approx(D * D, rel=1e-3) and hole == pytest.approx(-D * D / 4, rel=1e-3)
    assert signed_areas(*geo.outline("BRAVO")) == pytest.approx([D * D, D * D], rel=1e-3)


def test_download_reads_the_profile_url(settings_env, r, keys, tmp_path, monkeypatch):
    """``--download`` fetches the profile's URL (here a server on this machine) and ``--save``
    keeps the file; nothing else is fetched."""
    import http.server
    import threading
    from functools import partial

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "areas.geojson").write_text(json.dumps(collection()))
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        text = open(load_profile(None).path).read()
        start = text.index('  url: "https://data.calgary.ca/resource/surr-xmvs')
        end = text.index("\n", start)
        profile = tmp_path / "city.yaml"
        profile.write_text(
            text[:start] + f'  url: "http://127.0.0.1:{server.server_port}/'
            'areas.geojson"' + text[end:]
        )
        monkeypatch.setenv("CRIMECAST_CITY_FILE", str(profile))
        saved = tmp_path / "saved.geojson"
        result = runner.invoke(app, ["reference", "boundaries", "--download", "--save", str(saved)])
        assert result.exit_code == 0, result.output
        assert "stored 6 polygons" in result.output and json.loads(saved.read_text())["features"]
        assert set(load_boundaries(r, keys)) >= {"ALPHA", "BRAVO", "GHOST"}
        both = runner.invoke(app, ["reference", "boundaries", str(saved), "--download"])
        assert both.exit_code == 2 and "not both" in both.output
    finally:
        server.shutdown()
