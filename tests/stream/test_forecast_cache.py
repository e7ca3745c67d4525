"""The forecast cache: what workers write is what the bot reads, swapped atomically."""

from stream.forecast_cache import CachedForecast, ForecastCache


def _fc(community, mean, model="m@1"):
    return CachedForecast(
        community,
        "Street Robbery",
        ["2024-01", "2024-02"],
        [mean, mean + 1],
        [0.2, 0.2],
        [0, 1],
        [int(mean) + 3, int(mean) + 4],
        model,
        "2023-12",
    )


def test_write_then_read_round_trips(r, keys):
    """Every series written is read back equal, with its meta and a version."""
    cache = ForecastCache(r, keys)
    n = cache.write([_fc("BELTLINE", 3.0), _fc("FOREST LAWN", 1.5)], {"data_through": "2023-12"})
    assert n == 2
    got = cache.read_all()
    assert got[("BELTLINE", "Street Robbery")] == _fc("BELTLINE", 3.0)
    assert cache.read("FOREST LAWN", "Street Robbery").mean == [1.5, 2.5]
    assert cache.read("NOWHERE", "Street Robbery") is None
    assert cache.meta()["data_through"] == "2023-12"
    assert cache.version() == 1


def test_refresh_replaces_whole_set_and_keeps_previous(r, keys):
    """A refresh drops series no longer forecast and keeps the replaced set as 'previous'."""
    cache = ForecastCache(r, keys)
    cache.write([_fc("BELTLINE", 3.0), _fc("FOREST LAWN", 1.5)], {"model": "a"})
    cache.write([_fc("BELTLINE", 4.0, model="m@2")], {"model": "b"})
    assert set(cache.read_all()) == {("BELTLINE", "Street Robbery")}
    assert cache.previous_all()[("FOREST LAWN", "Street Robbery")].mean[0] == 1.5
    assert cache.version() == 2 and cache.meta()["model"] == "b"
