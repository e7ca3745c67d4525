"""Every forecaster keeps the same contract (River's habits, one month a step)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from online_model import FRAME_COLUMNS, SES, TSB, MeanLastN, SeasonalNaive
from online_model.ensemble import Ensemble
from online_model.online import OnlineGLM
from online_model.registry import Registry


def _lstm():
    from online_model.lstm import LSTMForecaster

    return LSTMForecaster(hidden=8, epochs=1, fine_tune_epochs=1, window=12, seed=3)


FACTORIES = {
    "ses": lambda: SES(0.2),
    "snaive": lambda: SeasonalNaive(),
    "mean6": lambda: MeanLastN(6),
    "tsb": lambda: TSB(0.1, 0.1),
    "online": lambda: OnlineGLM(warm_epochs=1, seed=3),
    "lstm": _lstm,
    "ensemble": lambda: Ensemble(
        {
            "online": OnlineGLM(warm_epochs=1, seed=3),
            "lstm": _lstm(),
            "ses": SES(0.2),
            "snaive": SeasonalNaive(),
        }
    ),
}

pytestmark = pytest.mark.parametrize("name", list(FACTORIES))


@pytest.fixture
def fitted(name, small_panel):
    model = FACTORIES[name]()
    model.learn_many(small_panel.loc[:, :"2023-06"])
    return model


def test_forecast_before_any_learning(name):
    """A fresh model forecasts an empty frame with the contract's columns, not an error."""
    frame = FACTORIES[name]().forecast(3)
    assert list(frame.columns) == FRAME_COLUMNS and frame.empty


def test_inputs_are_not_mutated(name, small_panel):
    """learn_many and learn_one leave the caller's panel and mapping as they were."""
    model = FACTORIES[name]()
    panel = small_panel.loc[:, :"2023-01"]
    before = panel.copy()
    model.learn_many(panel)
    pd.testing.assert_frame_equal(panel, before)
    counts = {k: float(v) for k, v in small_panel["2023-02"].items()}
    kept = copy.deepcopy(counts)
    model.learn_one("2023-02", counts)
    assert counts == kept


def test_forecasts_are_non_negative_and_complete(name, fitted, small_panel):
    """One row per series and step, months after the last learned, finite non-negative values."""
    frame = fitted.forecast(6)
    assert len(frame) == len(small_panel) * 6
    assert set(frame["month"]) == {"2023-07", "2023-08", "2023-09", "2023-10", "2023-11", "2023-12"}
    assert np.isfinite(frame["mean"]).all() and (frame["mean"] >= 0).all()
    assert np.isfinite(frame["dispersion"]).all() and (frame["dispersion"] >= 0).all()
    assert (frame.groupby(["community", "category"]).size() == 6).all()


def test_repeated_forecast_is_identical(name, fitted):
    """Forecasting twice changes nothing."""
    pd.testing.assert_frame_equal(fitted.forecast(6), fitted.forecast(6))


def test_save_load_gives_the_same_forecast(name, fitted, tmp_path, small_panel):
    """A model saved to the registry and loaded forecasts exactly as before, and keeps learning."""
    reg = Registry(tmp_path)
    reg.save(name, fitted, data_through=fitted.last_month)
    loaded, manifest = reg.load(name)
    assert manifest.kind == fitted.kind and manifest.data_through == "2023-06"
    pd.testing.assert_frame_equal(loaded.forecast(6), fitted.forecast(6))
    counts = small_panel["2023-07"].to_dict()
    loaded.learn_one("2023-07", counts)
    fitted.learn_one("2023-07", counts)
    pd.testing.assert_frame_equal(loaded.forecast(2), fitted.forecast(2))


def test_months_must_come_in_order_and_new_series_are_added(name, fitted):
    """A month already learned is refused; a series never seen before gets a forecast."""
    with pytest.raises(ValueError):
        fitted.learn_one("2023-06", {})
    fitted.learn_one("2023-07", {("NEW TOWN", "Street Robbery"): 2})
    frame = fitted.forecast(1)
    row = frame[(frame["community"] == "NEW TOWN")]
    assert len(row) == 1 and row["mean"].iloc[0] >= 0


def test_bad_counts_are_refused(name, fitted):
    """A negative or non-finite count is a clear ValueError and nothing is learned."""
    with pytest.raises(ValueError):
        fitted.learn_one("2023-07", {("BELTLINE", "Street Robbery"): -1})
    assert fitted.last_month == "2023-06"
