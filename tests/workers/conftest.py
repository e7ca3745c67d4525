"""Helpers for the worker tests: real data into a real Redis, forecasts from a real simple model
(the panel, expected counts and plain forecasts are tests/portal_oracle.py's).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from core.months import add_months as month_add
from core.text import area_name
from stream.consumer import Consumer
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.producer import Producer
from stream.sources.calgary import read_calgary

from portal_oracle import expected_counts, mean_forecasts, panel_of  # tests/ is on sys.path
from redis_prefix import delete_rq_jobs


def write_forecasts(client, keys, panel, data_through, **meta) -> list[CachedForecast]:
    entries = mean_forecasts(panel, data_through)
    health = meta.pop("health", {"mae": {"model": 1.10, "snaive": 1.32, "ses": 1.15}, "months": 6})
    ForecastCache(client, keys).write(
        entries, {"data_through": data_through, "model": "mean6@1", "health": health, **meta}
    )
    return entries


def drain(client, keys) -> None:
    """Count everything waiting on the stream with a real consumer (burst), then leave."""
    consumer = Consumer(client, keys, batch_size=2000)
    try:
        consumer.run(burst=True)
    finally:
        consumer.close()


def ingest_frame(client, keys, frame: pd.DataFrame, tmp_path: Path, name: str = "slice.csv") -> int:
    """Stream ``frame`` (portal layout) expanded to incidents through the real producer and
    consumer; returns the incidents sent."""
    path = tmp_path / name
    frame.to_csv(path, index=False)
    # invented days: a day-level stand-in for the day-level alert paths (never from the CLI)
    sent = Producer(client, keys).send(read_calgary(path, expand=True, invent_days=True))
    drain(client, keys)
    return sent


@pytest.fixture(scope="session")
def calgary_panel(calgary_frame) -> pd.DataFrame:
    return panel_of(calgary_frame)


@pytest.fixture(scope="session")
def tools():
    """The helpers above, for tests (conftest modules are not importable under importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        month_add=month_add,
        panel_of=panel_of,
        expected_counts=expected_counts,
        mean_forecasts=mean_forecasts,
        write_forecasts=write_forecasts,
        ingest_frame=ingest_frame,
        ingest_atlanta=ingest_atlanta,
        atlanta_panel=atlanta_panel,
    )


@pytest.fixture(autouse=True)
def _clean_rq(redis_url, keys):
    """Delete the rq queues, registries and jobs of this test's prefix afterwards (rq keys live
    outside the ``{prefix}`` namespace, so the ``r`` fixture's cleanup does not reach them)."""
    yield
    delete_rq_jobs(redis_url, keys.prefix)


@pytest.fixture(autouse=True)
def _restore_logging():
    """Commands such as `crimecast worker` configure logging (basicConfig); undo it after each test
    so that later CliRunner outputs are not mixed with log lines."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


# --- a second city: Atlanta's 2019 incidents (day-level dates, real ids) ------------------------
DATA_DIR = Path(
    os.environ.get("CRIMECAST_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data")
)
ATLANTA_CSV = DATA_DIR / "atlanta_cobra_2019.csv"
ATLANTA_TYPES = {  # Atlanta's UCR types -> the configured categories (others are out of scope)
    "LARCENY-FROM VEHICLE": "Theft FROM Vehicle",
    "AUTO THEFT": "Theft OF Vehicle",
    "BURGLARY-RESIDENCE": "Break & Enter - Dwelling",
    "BURGLARY-NONRES": "Break & Enter - Commercial",
    "ROBBERY-PEDESTRIAN": "Street Robbery",
    "ROBBERY-COMMERCIAL": "Commercial Robbery",
    "AGG ASSAULT": "Assault (Non-domestic)",
}


@pytest.fixture(scope="session")
def atlanta_frame() -> pd.DataFrame:
    """Atlanta's 2019 offences with a neighbourhood and an in-scope type: ``id, community, npu,
    category, day`` (day a date), as the tests count them independently of crimecast."""
    if not ATLANTA_CSV.exists():
        pytest.skip(f"{ATLANTA_CSV} not present")
    raw = pd.read_csv(ATLANTA_CSV, dtype=str)
    day = pd.to_datetime(raw["Occur Date"], format="%m/%d/%Y", errors="coerce")
    frame = pd.DataFrame(
        {
            "id": "atl-"
            + raw["Report Number"]
            + "-"
            + raw["UCR #"].fillna("")
            + "-"
            + raw.index.astype(str),
            "community": raw["Neighborhood"].fillna("").map(area_name),
            "npu": raw["NPU"].fillna("").str.strip().str.upper(),
            "category": raw["UCR Literal"].map(ATLANTA_TYPES),
            "day": day.dt.date,
        }
    )
    keep = (frame["community"] != "") & frame["category"].notna() & (day.dt.year == 2019)
    return frame[keep].reset_index(drop=True)


def ingest_atlanta(client, keys, frame: pd.DataFrame) -> int:
    """Count ``frame`` (see :func:`atlanta_frame`) through the real producer and consumer."""
    from stream.records import Incident

    sent = Producer(client, keys).send(
        Incident(i, c, k, d, 1, "atlanta")
        for i, c, k, d in frame[["id", "community", "category", "day"]].itertuples(index=False)
    )
    drain(client, keys)
    return sent


def atlanta_panel(frame: pd.DataFrame) -> pd.DataFrame:
    """(community, category) x month counts of ``frame``."""
    month = frame["day"].map(lambda d: f"{d.year:04d}-{d.month:02d}")
    p = frame.assign(month=month).pivot_table(
        index=["community", "category"], columns="month", values="id", aggfunc="count", fill_value=0
    )
    return p.sort_index(axis=1).astype(float)
