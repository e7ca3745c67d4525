"""A fitted model carried over to other series (online_model/rebase.py) and the partitioned
train's choices (online_model/partition.py): forecasts that do not depend on the partitioning."""

from __future__ import annotations

import numpy as np
import pytest

from online_model.partition import assign, sample_series
from online_model.rebase import rebase
from online_model.served import build_served
from online_model.totals import category_totals, give_totals


@pytest.fixture(scope="module")
def panel(calgary_long):
    from online_model.data import to_panel

    comms = sorted(calgary_long["community"].unique())[100:112]
    sel = calgary_long["community"].isin(comms) & (calgary_long["month"] >= "2020-01")
    return to_panel(calgary_long[sel], "2020-01", "2023-12").astype(float)


@pytest.fixture(scope="module")
def whole(panel):
    return _fit(panel, list(panel.index))


def _fit(panel, rows):
    model = build_served(seed=7, lstm_epochs=1)
    give_totals(model, category_totals(panel))
    model.learn_many(panel.loc[rows])
    model.members["lstm"].full_train()
    return model


def _forecasts(model, panel, n):
    out = {}
    for part in assign(list(panel.index), n):
        arr = rebase(model, panel.loc[part]).forecast_arrays(6)
        out.update({s: (arr.mean[i], arr.dispersion[i]) for i, s in enumerate(arr.series)})
    return out


def test_a_rebased_model_gives_its_own_series_the_forecasts_it_gives_them(panel, whole):
    """Every series in the fit: the fitted model's forecasts, to rounding, on 1 or 4 partitions."""
    model = whole
    own = model.forecast_arrays(6)
    for n in (1, 4):
        got = _forecasts(model, panel, n)
        for i, s in enumerate(own.series):
            assert np.allclose(got[s][0], own.mean[i], rtol=1e-9, atol=0)
            assert np.allclose(got[s][1], own.dispersion[i], rtol=1e-9, atol=0)
    assert np.array_equal(model.forecast_arrays(6).mean, own.mean)  # the model is unchanged


def test_forecasts_of_series_outside_the_sample_do_not_depend_on_the_partitions(panel):
    """Global pieces fitted on half the areas: every series (areas never seen included) gets the
    same forecast on 1, 2 or 5 partitions, and a finite one."""
    sample = sample_series(list(panel.index), cap=len(panel) // 2, seed=3)
    assert 0 < len(sample) <= len(panel) // 2
    assert {a for a, _ in sample} != {a for a, _ in panel.index}
    model = _fit(panel, sample)
    ref = _forecasts(model, panel, 1)
    assert len(ref) == len(panel)
    assert all(np.all(np.isfinite(m)) and np.all(m >= 0) for m, _ in ref.values())
    for n in (2, 5):
        got = _forecasts(model, panel, n)
        assert max(np.abs(got[s][0] - ref[s][0]).max() for s in ref) < 1e-9


def test_a_panel_of_other_months_is_refused(panel, whole):
    with pytest.raises(ValueError, match="months"):
        rebase(whole, panel.iloc[:, 1:])
