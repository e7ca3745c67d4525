"""`crimecast demo`: the whole pipeline, from records to an answer, on a real Redis."""

from typer.testing import CliRunner

from bot.cli import app
from stream.forecast_cache import ForecastCache
from stream.store import CountStore


def test_synthetic_demo_counts_trains_and_answers(settings_env, r, keys):
    """The offline demo counts every record, closes its months, caches forecasts and answers,
    saying the data are synthetic."""
    result = CliRunner().invoke(
        app, ["demo", "--synthetic", "--ask", "forecast Beltline next month"]
    )
    assert result.exit_code == 0, result.output
    store = CountStore(r, keys)
    assert store.is_synthetic()
    assert store.closed_months() == store.months()
    cache = ForecastCache(r, keys)
    assert set(cache.read_all()) == set(store.series())
    assert cache.meta()["data_through"] == store.months()[-1]
    assert "80% range" in result.output and "SYNTHETIC" in result.output.upper()


def test_demo_on_a_slice_of_real_data_is_idempotent(settings_env, r, keys, calgary_slice):
    """Running the demo twice on the same file counts each record once."""
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--data", str(calgary_slice), "--ask", "status"])
    assert first.exit_code == 0, first.output
    totals = {m: CountStore(r, keys).total(m) for m in CountStore(r, keys).months()}
    second = runner.invoke(app, ["demo", "--data", str(calgary_slice), "--ask", "status"])
    assert second.exit_code == 0, second.output
    assert {m: CountStore(r, keys).total(m) for m in CountStore(r, keys).months()} == totals
    assert CountStore(r, keys).stats()["duplicates"] > 0


def test_demo_looks_for_the_shared_file_beside_the_project():
    """The demo reads ``../shared/data`` relative to the project root, wherever its module lives."""
    from pathlib import Path

    from workers.cli.demo import SHARED_FILE

    root = Path(__file__).resolve().parents[2]
    assert SHARED_FILE == root.parent / "shared" / "data" / SHARED_FILE.name
