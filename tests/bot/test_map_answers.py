"""Maps as answers: a question broken down by area through the real evaluators, its values equal
to an independent pandas reading of the real Calgary counts, areas without a figure as no data,
and the PNG drawn on the stored polygons."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from shapely.geometry import box

from typer.testing import CliRunner

from bot.answering.maps import (
    NO_MAP,
    Geometries,
    ask_map,
    hot_map_data,
    map_answer,
    map_png,
    map_question,
    map_request,
    spec_of,
)
from bot.cli import app
from bot.language.question import Crime, Period, Question, Where
from core.caveats import CAVEAT
from stream.boundaries import store_boundaries

runner = CliRunner()
BREAK_INS = (
    "Break & Enter - Commercial",
    "Break & Enter - Dwelling",
    "Break & Enter - Other Premises",
)


def expected(slice_frame, year: int, categories=()) -> dict[str, float]:
    df = slice_frame[slice_frame["Year"] == year]
    if categories:
        df = df[df["Category"].isin(categories)]
    return {k.upper(): float(v) for k, v in df.groupby("Community")["Crime Count"].sum().items()}


def test_city_map_of_counts_matches_pandas(engine, slice_frame):
    """Every area's value is its 2023 count of break-ins; the question is asked by area."""
    q = Question(
        "count",
        crime=Crime(BREAK_INS, "break-ins"),
        when=(Period("2023-01", "2023-12", "2023"),),
        resolved=True,
    )
    assert map_question(q).by == "area" and map_question(q).ranking is None
    answer = map_answer(engine, q)
    data = answer.data["map"]
    want = expected(slice_frame, 2023, BREAK_INS)
    got = {a: v for a, v in data["values"].items() if v is not None}
    assert got == pytest.approx(want)
    assert data["shows"] == "count" and data["period"] == "2023" and data["data_month"] == "2023-12"
    # areas the reference knows but the counts never saw are no data, not zero
    assert data["values"]["SADDLE RIDGE"] is None
    assert answer.data["question"]["by"] == "area"


def test_region_map_holds_only_its_areas(engine, slice_frame):
    """A sector's map lists the sector's areas only; those without counts are no data."""
    state = engine.state()
    region = sorted(a for a in state.reference if state.region_of(a) == "CENTRE")
    q = Question(
        "count",
        where=(Where("region", "CENTRE sector", tuple(region), "CENTRE"),),
        when=(Period("2023-01", "2023-12", "2023"),),
        resolved=True,
    )
    data = map_answer(engine, q).data["map"]
    assert set(data["values"]) == set(region)
    want = expected(slice_frame, 2023)
    assert {a: v for a, v in data["values"].items() if v is not None} == pytest.approx(
        {a: v for a, v in want.items() if a in region}
    )
    assert "FOREST LAWN" not in data["values"] and data["place"] == "CENTRE sector"


def test_change_map_shows_the_change(engine, slice_frame):
    """A change maps later minus earlier, on the diverging scale."""
    q = Question(
        "change",
        when=(Period("2022-01", "2022-12", "2022"), Period("2023-01", "2023-12", "2023")),
        resolved=True,
    )
    data = map_answer(engine, q).data["map"]
    a, b = expected(slice_frame, 2023), expected(slice_frame, 2022)
    got = {k: v for k, v in data["values"].items() if v is not None}
    assert got == pytest.approx({k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)})
    assert spec_of(data, CAVEAT).shows == "change"


def test_map_png_on_stored_polygons(engine, with_reference):
    """With polygons stored, the answer draws; without any geometry there is no map (no error)."""
    r, keys = with_reference
    q = Question("count", when=(Period("2023-01", "2023-12", "2023"),), resolved=True)
    data = map_answer(engine, q).data["map"]
    geometries = Geometries(r, keys)
    assert geometries.get() is None and map_png(data, None, CAVEAT) is None
    areas = sorted(data["values"])
    store_boundaries(
        r,
        keys,
        {
            a: box(i % 20 * 0.02, i // 20 * 0.02, i % 20 * 0.02 + 0.02, i // 20 * 0.02 + 0.02)
            for i, a in enumerate(areas)
        },
        "test",
        "name",
    )
    geo = geometries.get()
    assert geo is not None and geo.kind == "polygons" and len(geo.areas) == len(areas)
    png = map_png(data, geo, CAVEAT)
    image = Image.open(io.BytesIO(png))
    assert image.text["Title"] == "Reported crime (all categories)"
    assert image.text["Description"] == CAVEAT
    assert (
        f"no data  ({sum(v is None for v in data['values'].values())} areas)"
        in image.text["Legend"]
    )


def test_hot_map_counts_categories_per_area():
    items = [
        {"community": "A", "category": "x"},
        {"community": "A", "category": "y"},
        {"community": "C", "category": "x"},
    ]
    d = hot_map_data(items, ["A", "B", "C"], "2023-12", "January 2024")
    assert d["values"] == {"A": 2.0, "B": 0.0, "C": 1.0}


def squares_for(r, keys, areas) -> None:
    store_boundaries(
        r,
        keys,
        {
            a: box(i % 20 * 0.02, i // 20 * 0.02, i % 20 * 0.02 + 0.02, i // 20 * 0.02 + 0.02)
            for i, a in enumerate(sorted(areas))
        },
        "test",
        "name",
    )


def archive_november(r, keys, seeder, slice_frame) -> None:
    """A forecast archived before December 2023, so that "running hot" can test that month."""
    from stream.forecast_archive import ForecastArchive

    long = seeder.long_counts(slice_frame)
    ForecastArchive(r, keys).write(
        "2023-11", seeder.simple_forecasts(long[long["month"] <= "2023-11"], "2023-11", 3)
    )


@pytest.fixture
def archived(with_reference, seeder, slice_frame):
    archive_november(*with_reference, seeder, slice_frame)
    return with_reference


def test_where_is_it_running_hot_is_a_map(engine, with_reference, seeder, slice_frame):
    """ "where is it running hot" answers the hot question with a map of the flags per area;
    untested (no forecast made before the month), it has no map rather than a map of zeros."""
    untested = engine.ask("where is it running hot")
    assert untested.ok and "map" not in untested.data
    archive_november(*with_reference, seeder, slice_frame)
    assert map_request("where is it running hot") == "where is it running hot"
    answer = engine.ask("where is it running hot")
    assert answer.ok and answer.intent == "hot" and answer.data["fdr"]["tested"] > 0
    data = answer.data["map"]
    flagged = {}
    for h in answer.data["hot"]:
        flagged[h["community"]] = flagged.get(h["community"], 0) + 1
    assert {a: v for a, v in data["values"].items() if v} == flagged
    assert set(data["values"]) >= set(engine.state().catalog.communities)


def test_map_of_what_has_no_value_per_area_says_so(engine):
    answer = ask_map(engine, "status")
    assert answer.ok and "map" not in answer.data and NO_MAP in answer.warnings


def test_cli_ask_map_writes_the_png(settings_env, archived, tmp_path):
    """``crimecast ask --map FILE``: the map is written; without geometry it says why."""
    r, keys = archived
    out = tmp_path / "hot.png"
    res = runner.invoke(app, ["ask", "where is it running hot", "--map", str(out)])
    assert res.exit_code == 0, res.output
    assert "no map for this answer: no area has a boundary" in res.output and not out.exists()
    squares_for(r, keys, set(map_answer_areas(r, keys)))
    res = runner.invoke(app, ["ask", "where is it running hot", "--map", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["map_file"] == str(out)
    image = Image.open(out)
    assert image.format == "PNG" and "Running hot" in image.text["Title"]


def map_answer_areas(r, keys) -> list[str]:
    from stream.keys import split_series_field

    return sorted(
        {split_series_field(f)[0] for f in r.smembers(keys.series)} | set(r.hkeys(keys.communities))
    )


# --- from the words ------------------------------------------------------------------------------
def test_map_of_a_region_in_words(engine, slice_frame):
    """ "map assaults in the centre in 2023": the CENTRE sector's areas only, each with its 2023
    count of assaults (pandas), the rest of the sector as no data."""
    answer = engine.ask("map assaults in the centre in 2023")
    data = answer.data["map"]
    state = engine.state()
    centre = {a for a in state.reference if state.region_of(a) == "CENTRE"}
    assert set(data["values"]) == centre and data["place"] == "CENTRE sector"
    want = expected(slice_frame, 2023, ("Assault (Non-domestic)",))
    assert {a: v for a, v in data["values"].items() if v is not None} == pytest.approx(
        {a: v for a, v in want.items() if a in centre}
    )
    assert answer.data["question"]["by"] == "area"


def test_map_of_next_month_forecast_in_words(engine, with_reference):
    """ "map break-ins next month": each area's value is the sum of its break-in series' served
    forecast means for January 2024, read straight from the forecast cache."""
    from stream.forecast_cache import ForecastCache

    r, keys = with_reference
    data = engine.ask("map break-ins next month").data["map"]
    want: dict[str, float] = {}
    for (area, cat), f in ForecastCache(r, keys).read_all().items():
        if cat in BREAK_INS:
            want[area] = want.get(area, 0.0) + f.mean[f.months.index("2024-01")]
    assert data["shows"] == "forecast" and data["period"] == "January 2024"
    got = {a: v for a, v in data["values"].items() if v is not None}
    assert got == pytest.approx(want, rel=1e-3)


def test_cli_map_words_and_map_option(settings_env, with_reference, slice_frame, tmp_path):
    """``ask "map break-ins in 2023" --map FILE`` writes the map; ``--map`` alone asks by area;
    a question with no value per area says so."""
    r, keys = with_reference
    squares_for(r, keys, map_answer_areas(r, keys))
    out = tmp_path / "m.png"
    res = runner.invoke(app, ["ask", "map break-ins in 2023", "--map", str(out)])
    assert res.exit_code == 0 and f"map written to {out}" in res.output, res.output
    assert Image.open(out).text["Title"] == "Reported break-ins"
    res = runner.invoke(app, ["ask", "car thefts in 2022", "--map", str(out), "--json"])
    body = json.loads(res.output)
    assert body["map_file"] == str(out) and body["question"]["by"] == "area"
    assert body["map"]["values"]["BELTLINE"] == pytest.approx(
        expected(slice_frame, 2022, ("Theft OF Vehicle",))["BELTLINE"]
    )
    res = runner.invoke(app, ["ask", "status", "--map", str(tmp_path / "none.png")])
    assert "no map for this answer" in res.output and not (tmp_path / "none.png").exists()
