"""Fixtures for the bot: a vocabulary from the real names, and a Redis filled from the real data."""

from __future__ import annotations

import importlib.util
import os
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bot.answering.engine import Engine
from bot.language.names import CommunityInfo, Names

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CRIMECAST_DATA_DIR", HERE.parents[2] / "shared" / "data"))
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
TODAY = date(2024, 1, 20)  # "today" for answers about data through 2023-12: fresh, not stale


def _load_seed():
    """tests/bot/seed.py by path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("crimecast_bot_seed", HERE / "seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


seed = _load_seed()


@pytest.fixture(scope="session")
def seeder():
    """The helpers that fill Redis from the real data with a real simple model."""
    return seed


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture
def alert_dict():
    """A weekly alert dict of the documented shape (for rendering and posting tests)."""

    def make(n_hot: int = 5, text: str = "x") -> dict:
        return {
            "channel_id": "42",
            "iso_week": "2024-W03",
            "as_of": "2024-01-15",
            "week": {"start": "2024-01-08", "end": "2024-01-14"},
            "month_to_date": {"month": "2024-01", "days": 14, "days_in_month": 31},
            "data_through": "2023-12",
            "stale": True,
            "synthetic": True,
            "scope_label": "NORTHEAST sector @everyone",
            "hot": [
                {
                    "community": f"C{i} <@123>",
                    "category": "Theft OF Vehicle" + text,
                    "observed": 9,
                    "expected": 2.4,
                    "p_value": 0.001,
                    "q_value": 0.01,
                }
                for i in range(n_hot)
            ],
            "fdr": {"method": "Benjamini-Hochberg", "level": 0.1, "tested": 2700, "flagged": n_hot},
            "top_next_month": [
                {"community": f"T{i}", "month": "2024-02", "mean": 30.5 - i, "lo80": 20, "hi80": 40}
                for i in range(5)
            ],
            "changes": [
                {
                    "community": "BELTLINE",
                    "category": "Street Robbery",
                    "mean": 5.0,
                    "previous_mean": 3.0,
                    "change": 2.0,
                }
            ],
            "health": {
                "model": "ensemble@3",
                "mae": {"model": 1.1, "snaive": 1.4, "ses": 1.3},
                "months": 6,
                "data_age_days": 15,
            },
            "caveat": "Reported crime, not all crime.",
        }

    return make


@pytest.fixture(scope="session")
def reference_files():
    if not COMMUNITIES_CSV.exists() or not POPULATION_CSV.exists():
        pytest.skip("reference files not found")
    return COMMUNITIES_CSV, POPULATION_CSV


@pytest.fixture(scope="session")
def names(calgary_frame, reference_files) -> Names:
    """Every community and category of the real data, with sectors from the reference file."""
    from stream.reference import read_reference

    ref = read_reference(*reference_files)
    info = {
        n: CommunityInfo(n, d["code"], d["sector"], d["class"], d["population"])
        for n, d in ref.items()
    }
    long = seed.long_counts(calgary_frame)
    return Names(long["community"].unique(), long["category"].unique(), info)


@pytest.fixture(scope="session")
def slice_frame(calgary_frame) -> pd.DataFrame:
    """The real rows of the slice communities, every year."""
    return calgary_frame[calgary_frame["Community"].isin(SLICE_COMMUNITIES)]


@pytest.fixture
def filled(r, keys, slice_frame):
    """Counts of the slice through 2023-12 and forecasts for 2024-01..03 from a real simple model."""
    seed.fill(r, keys, slice_frame, data_through="2023-12", horizon=3)
    return r, keys


@pytest.fixture
def with_reference(filled, reference_files):
    r, keys = filled
    from stream.reference import load_reference

    load_reference(r, keys, *reference_files)
    return r, keys


@pytest.fixture
def engine(with_reference) -> Engine:
    r, keys = with_reference
    return Engine(r, keys, today=TODAY)
