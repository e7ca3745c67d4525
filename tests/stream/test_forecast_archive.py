"""The forecast archive: every served set kept by its data-through month, bounded, and the set made
*before* a month is the one that judges it."""

from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast


def _fc(through, months, mean):
    return CachedForecast(
        "BELTLINE",
        "Street Robbery",
        months,
        [mean] * len(months),
        [0.2] * len(months),
        [0] * len(months),
        [9] * len(months),
        "m@1",
        through,
    )


def test_write_then_read_by_data_through(r, keys):
    """A set written under its data-through month reads back equal; unknown months read empty."""
    arch = ForecastArchive(r, keys)
    f = _fc("2023-11", ["2023-12", "2024-01"], 3.0)
    assert arch.write("2023-11", [f]) == 1
    assert arch.read("2023-11") == {("BELTLINE", "Street Robbery"): f}
    assert arch.read("2023-10") == {}
    assert arch.months() == ["2023-11"]


def test_forecast_for_a_month_comes_from_the_newest_set_made_before_it(r, keys):
    """December is judged by the set made with data through November, not by a later one."""
    arch = ForecastArchive(r, keys)
    arch.write("2023-10", [_fc("2023-10", ["2023-11", "2023-12"], 1.0)])
    arch.write("2023-11", [_fc("2023-11", ["2023-12", "2024-01"], 2.0)])
    arch.write("2023-12", [_fc("2023-12", ["2024-01", "2024-02"], 3.0)])
    assert arch.made_before("2023-12") == "2023-11"
    got = arch.forecasts_for("2023-12")
    f, step = got[("BELTLINE", "Street Robbery")]
    assert f.mean[0] == 2.0 and step == 1
    assert arch.made_before("2023-10") is None and arch.forecasts_for("2023-10") == {}


def test_archive_is_bounded_to_the_newest_months(r, keys):
    """Only the newest ``keep`` sets stay; older ones are deleted with their index entries."""
    arch = ForecastArchive(r, keys, keep=2)
    for m in ("2023-09", "2023-10", "2023-11"):
        arch.write(m, [_fc(m, ["2024-01"], 1.0)])
    assert arch.months() == ["2023-10", "2023-11"]
    assert arch.read("2023-09") == {}
    assert not r.exists(keys.forecast_archive("2023-09"))
