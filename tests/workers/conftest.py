"""Helpers for the worker tests: real data into a real Redis, forecasts from a real simple model.

The model here is deliberately plain (mean of the last six months, a negative-binomial dispersion
per category fitted by moments on the same rule's one-step errors): the alert tests need honest
forecasts with honest spreads, not the project's best model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.negbin import NegBin
from stream.categories import CategorySet
from stream.consumer import Consumer
from stream.forecast_cache import CachedForecast, ForecastCache
from core.months import add_months as month_add
from stream.producer import Producer
from core.text import area_name
from stream.sources.calgary import read_calgary


def panel_of(frame: pd.DataFrame) -> pd.DataFrame:
    """Wide panel (community, category) x month from a portal-shaped frame, duplicates summed."""
    cats = CategorySet.calgary()
    f = frame.assign(
        month=frame["Year"].astype(str) + "-" + frame["Month"].astype(str).str.zfill(2),
        Community=frame["Community"].map(area_name),
        Category=frame["Category"].map(cats.resolve),
    )
    p = f.pivot_table(
        index=["Community", "Category"],
        columns="month",
        values="Crime Count",
        aggfunc="sum",
        fill_value=0,
    )
    return p.sort_index(axis=1).astype(float)


def expected_counts(frame: pd.DataFrame) -> dict[tuple[str, str, str], int]:
    """``(community, category, month) -> count`` of a portal-shaped frame, names canonical."""
    panel = panel_of(frame)
    return {(c, k, m): int(v) for (c, k), row in panel.iterrows() for m, v in row.items() if v}


def mean_forecasts(
    panel: pd.DataFrame, data_through: str, horizon: int = 3, window: int = 6, model: str = "mean6"
) -> list[CachedForecast]:
    """Mean-of-last-``window``-months forecasts for every series alive by ``data_through``."""
    cols = [c for c in panel.columns if c <= data_through]
    hist = panel[cols]
    hist = hist[hist.sum(axis=1) > 0]
    values = hist.to_numpy()
    mu = np.maximum(values[:, -window:].mean(axis=1), 0.05)
    # dispersion per category from the rule's one-step errors over the last 12 months
    errs_num: dict[str, float] = {}
    errs_den: dict[str, float] = {}
    cats = hist.index.get_level_values(1)
    for t in range(max(window, values.shape[1] - 12), values.shape[1]):
        pred = np.maximum(values[:, t - window : t].mean(axis=1), 0.05)
        y = values[:, t]
        for cat in np.unique(cats):
            sel = cats == cat
            errs_num[cat] = errs_num.get(cat, 0.0) + float(
                ((y[sel] - pred[sel]) ** 2 - pred[sel]).sum()
            )
            errs_den[cat] = errs_den.get(cat, 0.0) + float((pred[sel] ** 2).sum())
    alpha_cat = {
        c: max(errs_num.get(c, 0.0) / errs_den[c], 0.01) if errs_den.get(c) else 0.1
        for c in np.unique(cats)
    }
    months = [month_add(data_through, h) for h in range(1, horizon + 1)]
    out = []
    for (community, category), m in zip(hist.index, mu):
        a = alpha_cat[category]
        lo, hi = NegBin([m] * horizon, [a] * horizon).interval(0.8)
        out.append(
            CachedForecast(
                community,
                category,
                months,
                [float(m)] * horizon,
                [float(a)] * horizon,
                lo.tolist(),
                hi.tolist(),
                model,
                data_through,
            )
        )
    return out


def write_forecasts(client, keys, panel, data_through, **meta) -> list[CachedForecast]:
    entries = mean_forecasts(panel, data_through)
    health = meta.pop("health", {"mae": {"model": 1.10, "snaive": 1.32, "ses": 1.15}, "months": 6})
    ForecastCache(client, keys).write(
        entries, {"data_through": data_through, "model": "mean6@1", "health": health, **meta}
    )
    return entries


def ingest_frame(client, keys, frame: pd.DataFrame, tmp_path: Path, name: str = "slice.csv") -> int:
    """Stream ``frame`` (portal layout) expanded to incidents through the real producer and
    consumer; returns the incidents sent."""
    path = tmp_path / name
    frame.to_csv(path, index=False)
    # invented days: a day-level stand-in for the day-level alert paths (never from the CLI)
    sent = Producer(client, keys).send(read_calgary(path, expand=True, invent_days=True))
    consumer = Consumer(client, keys, batch_size=2000)
    try:
        consumer.run(burst=True)
    finally:
        consumer.close()
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
    from rq import Queue
    from rq.registry import (
        CanceledJobRegistry,
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    from stream.connection import connect

    raw = connect(redis_url, decode_responses=False)
    try:
        for kind in ("default", "models"):
            q = Queue(f"{keys.prefix}.{kind}", connection=raw)
            ids = set(q.job_ids)
            for reg in (
                StartedJobRegistry,
                FinishedJobRegistry,
                FailedJobRegistry,
                DeferredJobRegistry,
                ScheduledJobRegistry,
                CanceledJobRegistry,
            ):
                ids.update(reg(queue=q).get_job_ids())
            for job_id in ids:
                raw.delete(
                    f"rq:job:{job_id}",
                    f"rq:results:{job_id}",
                    f"rq:job:{job_id}:dependents",
                    f"rq:job:{job_id}:dependencies",
                )
            for key in raw.scan_iter(match=f"rq:*{q.name}*", count=1000):
                raw.delete(key)
    finally:
        raw.close()


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
ATLANTA_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "atlanta_cobra_2019.csv"
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
    consumer = Consumer(client, keys, batch_size=2000)
    try:
        consumer.run(burst=True)
    finally:
        consumer.close()
    return sent


def atlanta_panel(frame: pd.DataFrame) -> pd.DataFrame:
    """(community, category) x month counts of ``frame``."""
    month = frame["day"].map(lambda d: f"{d.year:04d}-{d.month:02d}")
    p = frame.assign(month=month).pivot_table(
        index=["community", "category"], columns="month", values="id", aggfunc="count", fill_value=0
    )
    return p.sort_index(axis=1).astype(float)
