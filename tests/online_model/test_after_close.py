"""What follows a month's close: the LSTM's epoch on the new month and the online GLM's refit may
run in a job of their own after the close (``after_close``), and the model ends exactly where it
would have had it learned everything in ``learn_one``."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from online_model.ensemble import Ensemble  # noqa: E402
from online_model.baselines import SES  # noqa: E402
from online_model.lstm import LSTMForecaster  # noqa: E402
from online_model.online import OnlineGLM  # noqa: E402


def _counts(panel, month):
    return {k: float(v) for k, v in panel[month].items() if v}


def _params(net):
    return torch.cat([p.detach().ravel().clone() for p in net.parameters()])


def _twin(model):
    """An independent copy (torch weights travel outside the pickle, as in the registry)."""
    twin = pickle.loads(pickle.dumps(model))
    twin.import_weights(model.export_weights())
    return twin


def test_a_deferred_lstm_epoch_waits_for_after_close_and_then_matches_learning_at_once(small_panel):
    inline = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3)
    inline.learn_many(small_panel.loc[:, :"2023-06"])
    deferred = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3, defer_online=True)
    deferred.learn_many(small_panel.loc[:, :"2023-06"])
    before = _params(deferred._net)

    inline.learn_one("2023-07", _counts(small_panel, "2023-07"))
    deferred.learn_one("2023-07", _counts(small_panel, "2023-07"))
    assert torch.equal(before, _params(deferred._net)), "the close itself trains nothing"
    assert deferred.after_close() == {"epochs_on": ["2023-07"]}
    assert deferred.after_close() == {}, "an epoch is taken once"
    assert torch.equal(_params(inline._net), _params(deferred._net))
    np.testing.assert_array_equal(inline.forecast_arrays(3).mean, deferred.forecast_arrays(3).mean)


def test_the_glm_refits_on_all_history_when_due_and_not_before(small_panel):
    glm = OnlineGLM(seed=1, refit_every=2)
    glm.learn_many(small_panel.loc[:, :"2023-06"])
    glm.refit()  # as the served ensemble does at the end of a first fit
    assert glm.refitted_through_ == "2023-06"
    glm.learn_one("2023-07", _counts(small_panel, "2023-07"))
    assert glm.after_close() == {}, "one month since the fit: not due"
    glm.learn_one("2023-08", _counts(small_panel, "2023-08"))
    assert glm.after_close(full=False) == {}, "full=False never refits"
    stepped = glm.forecast_arrays(1).mean
    assert glm.after_close()["refit"] is True
    assert glm.refitted_through_ == "2023-08"
    assert not np.allclose(stepped, glm.forecast_arrays(1).mean), "the refit changed the forecasts"
    fresh = OnlineGLM(seed=1)
    fresh.learn_many(small_panel.loc[:, :"2023-08"])
    fresh.refit()
    # the same fit on the same months (up to the sample-weight scale, fixed at each model's first fit)
    np.testing.assert_allclose(
        glm.forecast_arrays(1).mean, fresh.forecast_arrays(1).mean, rtol=0.02
    )


def test_a_glm_that_never_refits_says_so():
    with pytest.raises(ValueError, match="refit_every"):
        OnlineGLM(refit_every=-1)


def test_an_ensemble_closing_in_two_steps_ends_where_one_step_would(small_panel):
    def build():
        return Ensemble(
            {
                "online": OnlineGLM(seed=1, refit_every=1),
                "lstm": LSTMForecaster(hidden=8, epochs=1, window=12, seed=3, defer_online=True),
                "ses": SES(0.2),
            },
            prior=("online", "ses"),
        )

    inline = build()
    inline.learn_many(small_panel.loc[:, :"2023-06"])
    inline.members["lstm"].full_train()  # as the train job does when the block was short
    two_step = _twin(inline)
    for month in ("2023-07", "2023-08"):
        inline.learn_one(month, _counts(small_panel, month))
        with two_step.deferring():
            two_step.learn_one(month, _counts(small_panel, month))
        assert two_step.members["lstm"]._due, "the close left the LSTM's epoch for later"
        done = two_step.after_close()
        assert set(done) == {"online", "lstm"}
    a, b = inline.forecast_arrays(3), two_step.forecast_arrays(3)
    np.testing.assert_allclose(a.mean, b.mean, rtol=1e-9)
    np.testing.assert_allclose(a.dispersion, b.dispersion, rtol=1e-9)
    assert two_step.after_close() == {}


def test_a_model_saved_before_the_follow_up_existed_learns_like_a_new_one(small_panel):
    """A served model pickled by an earlier version (no refit or deferral settings) is brought up
    to date on load: the GLM refits after the next close, the LSTM's epoch waits for the follow-up."""
    from online_model.served import bring_up_to_date

    glm = OnlineGLM(seed=1)
    lstm = LSTMForecaster(hidden=8, epochs=1, window=12, seed=3)
    old = Ensemble({"online": glm, "lstm": lstm, "ses": SES(0.2)}, prior=("online", "ses"))
    old.learn_many(small_panel.loc[:, :"2023-06"])
    lstm.full_train()
    for attr in ("refit_every", "refitted_through_"):
        del glm.__dict__[attr]
    del lstm.__dict__["defer_online"], lstm.__dict__["_due"]
    model = bring_up_to_date(_twin(old))
    assert model.after_close() == {}, "nothing is due before a month closes"
    with model.deferring():
        model.learn_one("2023-07", _counts(small_panel, "2023-07"))
    assert set(model.after_close()) == {"online", "lstm"}
    assert model.members["online"].refitted_through_ == "2023-07"
