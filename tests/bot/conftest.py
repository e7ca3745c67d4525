"""Fixtures for the bot: a vocabulary from the real names, and a Redis filled from the real data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bot.engine import Engine
from bot.names import CommunityInfo, Names
from tests.bot import seed
from tests.conftest import COMMUNITIES_CSV, POPULATION_CSV, SLICE_COMMUNITIES

TODAY = date(2024, 1, 20)  # "today" for answers about data through 2023-12: fresh, not stale


@pytest.fixture(scope="session")
def reference_files():
    if not COMMUNITIES_CSV.exists() or not POPULATION_CSV.exists():
        pytest.skip("reference files not found")
    return COMMUNITIES_CSV, POPULATION_CSV


@pytest.fixture(scope="session")
def names(calgary_frame, reference_files) -> Names:
    """Every community and category of the real data, with sectors from the reference file."""
    from bot.reference import read_reference

    ref = read_reference(*reference_files)
    info = {n: CommunityInfo(n, d["code"], d["sector"], d["class"], d["population"])
            for n, d in ref.items()}
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
    from bot.reference import load_reference

    load_reference(r, keys, *reference_files)
    return r, keys


@pytest.fixture
def engine(with_reference) -> Engine:
    r, keys = with_reference
    return Engine(r, keys, today=TODAY)
