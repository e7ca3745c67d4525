"""Reference data in a deployment: files in the mounted config folder (CRIMECAST_CONFIG_DIR) are
found for the built-in Calgary profile, so `crimecast reference load` needs no arguments."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from core.profile import load_profile


def test_reference_files_come_from_the_config_folder(settings_env, r, keys, tmp_path, monkeypatch):
    """Without files beside the profile, the config folder's are read; regions and population
    reach the running deployment's Redis."""
    from tests import conftest as shared

    if not shared.COMMUNITIES_CSV.exists():
        pytest.skip("real reference files not found")
    config = tmp_path / "config"
    config.mkdir()
    (config / "calgary_communities.csv").symlink_to(shared.COMMUNITIES_CSV)
    (config / "calgary_population_2021.csv").symlink_to(shared.POPULATION_CSV)
    profile = load_profile(None)
    monkeypatch.delenv("CRIMECAST_CONFIG_DIR", raising=False)
    assert not profile.resolve_file("calgary_communities.csv").exists()  # nothing ships with it
    monkeypatch.setenv("CRIMECAST_CONFIG_DIR", str(config))
    assert profile.resolve_file("calgary_communities.csv") == config / "calgary_communities.csv"

    from bot.cli import app

    result = CliRunner().invoke(app, ["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output and "no population" not in result.output
    beltline = json.loads(r.hget(keys.communities, "BELTLINE"))
    assert beltline["sector"] == "CENTRE" and beltline["population"] > 20_000
