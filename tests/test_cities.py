"""One deployment, several cities: Calgary and Atlanta under two key prefixes on one Redis and
one state directory both train, both serve, and neither overwrites the other; a prefix refuses
another city's data with one line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pandas as pd
import pytest
from workers.rq_worker import InProcessWorker
from typer.testing import CliRunner

from online_model.registry import Registry
from redis_prefix import delete_prefix  # tests/ is on sys.path (tests/conftest.py)
from stream.forecast_cache import ForecastCache
from workers.runtime import runtime
from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
ATLANTA_PROFILE = ROOT / "docs" / "cities" / "atlanta.yaml"
HOODS = ("Downtown", "Midtown", "Old Fourth Ward", "West End")
runner = CliRunner()


def _app():
    from bot.cli import app

    return app


@pytest.fixture
def two_cities(redis_url, tmp_path, calgary_frame, monkeypatch):
    """Files and environments of the two cities; both share ``tmp_path/state``."""
    atl_csv = DATA / "atlanta_cobra_2019.csv"
    if not atl_csv.exists():
        pytest.skip(f"real data not found at {atl_csv}")
    yyc = calgary_frame[
        calgary_frame["Community"].isin(("BELTLINE", "FOREST LAWN", "CRANSTON"))
        & (calgary_frame["Year"] >= 2022)
    ]
    yyc.to_csv(tmp_path / "calgary.csv", index=False)
    atl = pd.read_csv(atl_csv, dtype=str)
    atl[atl["Neighborhood"].isin(HOODS)].to_csv(tmp_path / "atlanta.csv", index=False)
    run = os.urandom(4).hex()
    cities = {
        "calgary": (
            {"CRIMECAST_KEY_PREFIX": f"cctest-yyc-{run}"},
            ["ingest", "calgary", str(tmp_path / "calgary.csv"), "--drain"],
        ),
        "atlanta": (
            {
                "CRIMECAST_KEY_PREFIX": f"cctest-atl-{run}",
                "CRIMECAST_CITY_FILE": str(ATLANTA_PROFILE),
            },
            ["ingest", "csv", str(tmp_path / "atlanta.csv"), "--drain"],
        ),
    }
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CRIMECAST_STATE_DIR", str(tmp_path / "state"))

    def use(city: str) -> tuple[Settings, list[str]]:
        env, ingest = cities[city]
        monkeypatch.delenv("CRIMECAST_CITY_FILE", raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return Settings(), ingest

    yield use
    for env, _ in cities.values():
        delete_prefix(redis_url, env["CRIMECAST_KEY_PREFIX"])


def _invoke(args: list[str]):
    """Run a command; undo the logging set-up it did (its stream closes with the runner)."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        return runner.invoke(_app(), args)
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)


def _ingest_and_train(use, city: str) -> Settings:
    settings, ingest = use(city)
    result = _invoke(ingest)
    assert result.exit_code == 0, result.output
    result = _invoke(["worker", "--burst"])  # counts, closes months, queues updates
    assert result.exit_code == 0, result.output
    with runtime(settings) as rt:
        q = rt.queue("models")
        assert q.count >= 1
        InProcessWorker([q], connection=rt.raw).work(burst=True)
    return settings


@pytest.mark.slow
def test_two_cities_share_redis_and_state_dir(two_cities):
    """Both train and serve under their own prefix and registry; neither overwrites the other."""
    yyc = _ingest_and_train(two_cities, "calgary")
    yyc_registry = Registry(yyc.models_path)
    yyc_version = yyc_registry.current("served")
    assert yyc_version is not None and yyc.models_path.name == yyc.key_prefix

    atl = _ingest_and_train(two_cities, "atlanta")
    atl_registry = Registry(atl.models_path)
    assert atl.models_path.parent == yyc.models_path.parent  # one state directory
    assert atl_registry.current("served") is not None

    # Calgary's registry and forecasts are untouched by Atlanta's training
    assert Registry(yyc.models_path).current("served") == yyc_version
    yyc_model, _ = yyc_registry.load("served")
    atl_model, _ = atl_registry.load("served")
    yyc_areas = {c for c, _ in yyc_model.forecast_arrays(1).series}
    atl_areas = {c for c, _ in atl_model.forecast_arrays(1).series}
    assert yyc_areas == {"BELTLINE", "FOREST LAWN", "CRANSTON"}
    assert {h.upper() for h in HOODS} == atl_areas
    with runtime(yyc) as rt:
        assert {c for c, _ in ForecastCache(rt.client, rt.keys).read_all()} == yyc_areas
    with runtime(atl) as rt:
        assert {c for c, _ in ForecastCache(rt.client, rt.keys).read_all()} == atl_areas

    # both serve: each answers in its own city's words
    answer = _invoke(["ask", "forecast Midtown next month"])
    assert answer.exit_code == 0 and "MIDTOWN" in answer.output.upper(), answer.output
    two_cities("calgary")
    answer = _invoke(["ask", "forecast Beltline next month"])
    assert answer.exit_code == 0 and "BELTLINE" in answer.output.upper(), answer.output

    # Calgary's prefix refuses Atlanta's data (and an Atlanta worker) with one line
    _, atl_ingest = two_cities("atlanta")
    os.environ["CRIMECAST_KEY_PREFIX"] = yyc.key_prefix
    refused = _invoke(atl_ingest)
    assert refused.exit_code == 1
    errors = [line for line in refused.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "holds Calgary's data" in errors[0], refused.output
    assert "Traceback" not in refused.output and "sent" not in refused.output
    worker = _invoke(["worker", "--burst"])
    assert worker.exit_code == 1 and "refusing to mix two cities" in worker.output
