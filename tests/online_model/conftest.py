"""Small real panels for the model tests (a few communities of the real Calgary file)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from online_model.data import read_calgary_csv, to_panel

COMMUNITIES = ("BELTLINE", "FOREST LAWN", "AMBLETON", "01B", "CRANSTON")


@pytest.fixture(scope="session")
def calgary_long(calgary_csv) -> pd.DataFrame:
    return read_calgary_csv(calgary_csv)


@pytest.fixture(scope="session")
def small_long(calgary_long) -> pd.DataFrame:
    """Five communities, 2021-01 .. 2023-12, long format."""
    sel = calgary_long["community"].isin(COMMUNITIES) & (calgary_long["month"] >= "2021-01")
    return calgary_long[sel].reset_index(drop=True)


@pytest.fixture(scope="session")
def small_panel(small_long) -> pd.DataFrame:
    return to_panel(small_long, "2021-01", "2023-12")


# one pool thread in tests (results never depend on it; see test_threads.py)
os.environ.setdefault("CRIMECAST_TORCH_THREADS", "1")
