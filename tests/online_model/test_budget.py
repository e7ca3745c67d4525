"""Cost that grows with the series, not series x areas: area effects are an index, not columns,
and a fit holds a bounded sample of rows whatever the number of series."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np
import pytest

from online_model.budget import set_budget
from online_model.data import replicate, to_panel
from online_model.lstm import LSTMForecaster
from online_model.metrics import poisson_deviance
from online_model.online import OnlineGLM
from online_model.served import build_served


@pytest.fixture(scope="module")
def panels(small_long):
    """The five communities' panel and the same replicated 4 times as new areas."""
    return to_panel(small_long), to_panel(replicate(small_long, 4, seed=3))


def test_the_design_is_as_wide_for_four_times_the_areas(panels):
    one, four = panels
    widths = []
    for panel in (one, four):
        m = OnlineGLM(seed=1, warm_epochs=1)
        m.learn_many(panel)
        widths.append(m._design(m.history_.shape[1] - 1, 1)[0].shape[1])
        assert len(m.area_[1]) == len(m.communities_) and np.any(m.area_[1] != 0)
    assert len(four) > 3 * len(one)
    assert widths[0] == widths[1]


def test_a_glm_saved_with_one_hot_area_columns_loads_with_the_same_forecasts(panels):
    one, _ = panels
    m = OnlineGLM(seed=1, warm_epochs=1)
    m.learn_many(one)
    before = m.forecast_arrays(3).mean
    state = m.__dict__.copy()
    for h, glm in m._glms.items():  # the layout of a model saved before this change
        for i, c in enumerate(m.communities_):
            glm._weights[f"com={c}"] = float(m.area_[h][i])
    del state["area_"], state["_area_adam"], state["max_rows"]
    old = OnlineGLM.__new__(OnlineGLM)
    old.__setstate__(state)
    again = pickle.loads(pickle.dumps(old))
    np.testing.assert_allclose(again.forecast_arrays(3).mean, before, rtol=1e-9)
    assert not any(k.startswith("com=") for k in again._glms[1]._weights)


def _warm_peak(panel, max_rows):
    m = OnlineGLM(seed=1, warm_epochs=1, max_rows=max_rows)
    m._bulk = True
    super(OnlineGLM, m).learn_many(panel)
    m._bulk = False
    tracemalloc.start()
    m._warm_fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return m, peak


def test_a_fit_holds_the_same_rows_for_four_times_the_series(panels):
    one, four = panels
    cap = 500
    _, peak_one = _warm_peak(one, cap)
    m, peak_four = _warm_peak(four, cap)
    rows = m._rows(1, list(range(11, m.history_.shape[1] - 1)), sample=True)[0]
    assert len(rows) <= cap < len(four) * (m.history_.shape[1] - 12)
    assert peak_four < 1.5 * peak_one  # not 4x


def test_a_sampled_fit_forecasts_nearly_as_well_as_the_whole(panels):
    _, four = panels
    train, test = four.iloc[:, :-6], four.iloc[:, -6:]
    devs = []
    for cap in (None, 4000):
        m = OnlineGLM(seed=1, warm_epochs=2, max_rows=cap)
        m.learn_many(train)
        devs.append(poisson_deviance(test.to_numpy().ravel(), m.forecast_arrays(6).mean.ravel()))
    assert devs[1] < 1.05 * devs[0]


def test_the_lstm_trains_on_a_bounded_sample_and_forecasts_every_series(panels):
    _, four = panels
    m = LSTMForecaster(seed=1, epochs=1, max_rows=2000)
    origins = np.arange(11, four.shape[1] - 1)
    m.learn_many(four)
    picks = m._sample(origins, 0)
    assert sum(len(p) for p in picks) <= 2000
    mean = m.forecast_arrays(6).mean
    assert mean.shape == (len(four), 6) and np.all(np.isfinite(mean))


def test_the_served_budget_follows_the_settings():
    model = build_served(include_lstm=True, memory_mb=64, sample_rows=10**9)
    glm, lstm = model.members["online"], model.members["lstm"]
    assert glm.max_rows == 64 * 2**20 // glm.ROW_BYTES
    set_budget(model, memory_mb=4096, sample_cap=5000)
    assert glm.max_rows == lstm.max_rows == 5000
