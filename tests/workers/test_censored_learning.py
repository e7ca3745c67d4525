"""Suppressed cells (``<5``) are learned as their expectation under the model's own forecast."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from core.censored import HIGH, LOW
from online_model.data import read_calgary_csv, to_panel
from online_model.served import build_served
from stream.censored import Cell, CensoredCells
from stream.consumer import Consumer
from stream.producer import Producer
from stream.records import Incident
from stream.store import CountStore
from workers.model_jobs import learnable_counts, learnable_panel


@pytest.fixture(scope="module")
def small_panel(calgary_csv):
    """Five communities of the real file, 2022-2023 (the training is what the test costs)."""
    long = read_calgary_csv(calgary_csv)
    keep = long["community"].isin(("BELTLINE", "FOREST LAWN", "AMBLETON", "01B", "CRANSTON"))
    return to_panel(long[keep & (long["month"] >= "2022-01")], "2022-01", "2023-12")


def test_a_suppressed_cell_is_learned_between_its_bounds_by_the_forecast(r, keys, small_panel):
    """A busy series' ``<5`` is learned near 4, a quiet one's near 1; published counts as they are;
    the first training's panel fills its cells from the series' level."""
    panel = small_panel.loc[:, :"2023-11"]
    model = build_served(seed=3, include_lstm=False)
    model.learn_many(panel)
    arr = model.forecast_arrays(1)
    order = np.argsort(arr.mean[:, 0])
    quiet, busy, plain = arr.series[order[0]], arr.series[order[-1]], arr.series[order[-2]]
    day = date(2023, 12, 31)
    Producer(r, keys).send(
        [
            Incident(f"t:{i}", c, k, day, n, "test")
            for i, ((c, k), n) in enumerate([(quiet, LOW), (busy, LOW), (plain, 17)])
        ]
    )
    Consumer(r, keys, block_ms=0).run(burst=True)
    cells = CensoredCells(r, keys)
    cells.record(
        [
            Cell("t:0", *quiet, "2023-12", True),
            Cell("t:1", *busy, "2023-12", True),
            Cell("t:2", *plain, "2023-12", False),
        ]
    )
    got = learnable_counts(CountStore(r, keys), cells, "2023-12", model)
    assert LOW < got[quiet] < 1.5 and 3.0 < got[busy] <= HIGH
    assert got[plain] == 17
    model.learn_one("2023-12", got)  # the model takes them

    wide = panel.copy()
    wide["2023-12"] = 0
    wide.loc[quiet, "2023-12"], wide.loc[busy, "2023-12"] = LOW, LOW
    filled = learnable_panel(cells, wide)
    assert LOW <= filled.loc[quiet, "2023-12"] < filled.loc[busy, "2023-12"] <= HIGH
    assert (filled.drop(columns="2023-12") == wide.drop(columns="2023-12")).all().all()
