"""The LSTM learns every month as it comes, and its challenger is judged on data neither has seen."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from online_model.lstm import LSTMForecaster  # noqa: E402


def _fitted(small_panel, through="2023-06"):
    model = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3)
    model.learn_many(small_panel.loc[:, :through])
    return model


def _params(net):
    return torch.cat([p.detach().ravel().clone() for p in net.parameters()])


def test_an_untrained_head_forecasts_the_window_mean(small_panel):
    """Before any training step the output is exactly log(window mean + eps): the net corrects it."""
    model = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3)
    model.learn_many(small_panel.loc[:, :"2022-12"])
    fresh = model._build(len(model.communities_), len(model.categories_))
    T = model.history_.shape[1] - 1
    with torch.inference_mode():
        mu = torch.exp(fresh(*model._tensors(np.array([T])))).numpy()
    window_mean = model.history_[:, -12:].mean(axis=1)
    np.testing.assert_allclose(mu[:, 0], window_mean + 0.1, rtol=1e-5)


def test_each_new_month_is_learned(small_panel):
    """learn_one takes a training step on the month that arrived: the served weights move."""
    model = _fitted(small_panel)
    before = _params(model._net)
    model.learn_one("2023-07", small_panel["2023-07"].to_dict())
    assert not torch.equal(before, _params(model._net))
    assert model.trained_through_ == "2023-07"


def test_a_challenger_waits_for_the_next_month_and_is_judged_on_it(small_panel):
    """fine_tune trains a challenger on every month through the newest; the next month to arrive
    (unseen by both) decides, and the better of the two serves."""
    model = _fitted(small_panel)
    record = model.fine_tune()
    assert record["pending"] and not record["promoted"] and model.challenger_ is not None
    assert model.fine_tuned_through_ == "2023-06"
    challenger = model.challenger_
    model.learn_one("2023-07", small_panel["2023-07"].to_dict())
    judged = model.fine_tunes_[-1]
    assert judged["judged_on"] == "2023-07" and model.challenger_ is None
    assert judged["promoted"] == (judged["challenger_deviance"] < judged["champion_deviance"])
    assert (model._net is challenger) == judged["promoted"]


def test_the_same_series_at_a_hundred_times_the_scale_is_forecast_in_proportion(small_panel):
    """Scale-free inputs: multiplying every count by 100 multiplies the forecasts by about 100."""
    small = _fitted(small_panel)
    big = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3)
    big.learn_many(small_panel.loc[:, :"2023-06"] * 100)
    a, b = small.forecast_arrays(1).mean[:, 0], big.forecast_arrays(1).mean[:, 0]
    busy = small_panel.loc[:, "2022-07":"2023-06"].mean(axis=1).to_numpy() >= 2
    ratio = np.median(b[busy] / a[busy])
    assert 50 < ratio < 200
