"""Models hold at any scale: series counting hundreds a month are learned as well as small ones."""

from __future__ import annotations

import numpy as np
import pytest

from online_model.baselines import SES
from online_model.metrics import poisson_deviance
from core.months import month_range
from online_model.online import OnlineGLM


def _one_step_deviance(model, panel, first, last):
    model.learn_many(panel.loc[:, :first])
    ys, mus = [], []
    for month in month_range(first, last)[1:]:
        mus.append(model.forecast_arrays(1).mean[:, 0])
        ys.append(panel[month].to_numpy(float))
        model.learn_one(month, panel[month].to_dict())
    return poisson_deviance(np.concatenate(ys), np.concatenate(mus))


@pytest.fixture(scope="module")
def large_panel(small_panel):
    """The five communities' totals per category, times 20: counts in the tens to hundreds."""
    totals = small_panel.groupby(level="category").sum() * 20
    totals.index = [("ALL", c) for c in totals.index]
    return totals


def test_online_glm_at_hundreds_a_month_is_no_worse_than_ses(large_panel):
    """The online GLM does not diverge at large counts: its one-step deviance stays near SES's."""
    assert large_panel.to_numpy().mean() > 50
    glm = _one_step_deviance(OnlineGLM(warm_epochs=2, seed=1), large_panel, "2023-05", "2023-12")
    ses = _one_step_deviance(SES(0.2), large_panel, "2023-05", "2023-12")
    assert glm < 1.25 * ses


def test_online_glm_starts_at_the_local_level(large_panel):
    """Before its warm fit the GLM forecasts each series' local level, at any scale."""
    model = OnlineGLM(seed=1)
    model.learn_one("2023-01", large_panel["2023-01"].to_dict())
    model.learn_one("2023-02", large_panel["2023-02"].to_dict())
    mean = model.forecast_arrays(1).mean[:, 0]
    np.testing.assert_allclose(
        mean, large_panel.loc[:, ["2023-01", "2023-02"]].mean(axis=1), rtol=0.02
    )


def test_ensemble_weights_with_little_evidence_stay_near_the_prior(large_panel):
    """Nine series' year of errors outweighs 300 pseudo-observations of prior only in proportion:
    even the worse member, when it is the prior's, keeps its share."""
    from online_model.baselines import SeasonalNaive
    from online_model.ensemble import PRIOR_STRENGTH, Ensemble

    model = Ensemble({"ses": SES(0.2), "snaive": SeasonalNaive()}, prior=("snaive",))
    model.learn_many(large_panel)
    n = len(large_panel) * 12  # a year of one-step errors per series
    w = model.weights_frame().query("h == 1")
    assert (w["snaive"] >= PRIOR_STRENGTH / (n + PRIOR_STRENGTH) - 1e-9).all()
    assert (w["ses"] <= n / (n + PRIOR_STRENGTH) + 1e-9).all() and (w["ses"] > 0.05).all()
