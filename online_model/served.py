"""The model crimecast serves: an :class:`~online_model.ensemble.Ensemble` of the online River GLM,
the LSTM and the strong baselines, and what the workers need around it.

>>> sorted(build_served(include_lstm=False).members)
['mean6', 'online', 'ses', 'ses_slow', 'snaive', 'tsb']
"""

from __future__ import annotations

from .baselines import SES, TSB, MeanLastN, SeasonalNaive
from .budget import MEMORY_MB, SAMPLE_ROWS, set_budget
from .ensemble import Ensemble
from .online import OnlineGLM

HORIZON = 6
GLM_REFIT_EVERY = 1  # months between the online GLM's refits on all history (after each close)
LSTM_DEFER_ONLINE = True  # the LSTM's epoch on a new month waits for the close's follow-up job


def build_served(
    seed: int = 42,
    include_lstm: bool = True,
    lstm_epochs: int = 3,
    memory_mb: float = MEMORY_MB,
    sample_rows: int = SAMPLE_ROWS,
) -> Ensemble:
    """A fresh, unfitted served ensemble (the LSTM is imported only when included); each fit of
    its global members holds what ``memory_mb`` allows, at most ``sample_rows`` rows."""
    # the GLM refits on all history after every close and the LSTM's epoch on the new month waits
    # for the close's follow-up job (Ensemble.after_close): the close itself stays fast
    members = {"online": OnlineGLM(seed=seed, refit_every=GLM_REFIT_EVERY)}
    if include_lstm:
        from .lstm import LSTMForecaster

        members["lstm"] = LSTMForecaster(
            seed=seed, epochs=lstm_epochs, defer_online=LSTM_DEFER_ONLINE
        )
    members.update(
        {
            "ses": SES(0.2),
            "snaive": SeasonalNaive(),
            "mean6": MeanLastN(6),
            "tsb": TSB(0.1, 0.1),
            "ses_slow": SES(0.05),
        }
    )
    model = Ensemble(members, max_horizon=HORIZON, prior=("online", "ses"))
    set_budget(model, memory_mb, sample_rows)
    return model


def bring_up_to_date(model: Ensemble) -> Ensemble:
    """A served model saved by an earlier version learns from now on as a new one would: the GLM
    refits after each close and the LSTM's monthly epoch waits for the follow-up job (settings it
    did not have are set; nothing it learned changes)."""
    glm, lstm = model.members.get("online"), model.members.get("lstm")
    if glm is not None and not hasattr(glm, "refit_every"):
        glm.refit_every = GLM_REFIT_EVERY
        glm.refitted_through_ = glm.last_month  # due after the next close, not at once
    if lstm is not None and not hasattr(lstm, "defer_online"):
        lstm.defer_online, lstm._due = LSTM_DEFER_ONLINE, []
    return model


def health_figures(model: Ensemble, months: int = 6) -> dict:
    """Recent one-step MAE of the served model vs seasonal naive and SES (for the forecast meta).

    Shape: ``{"model": kind, "mae": {"model": x, "snaive": y, "ses": z, ...}, "months": n}``.
    """
    h = model.health(months)
    mae = dict(h["mae"])
    if model.kind in mae:
        mae["model"] = mae.pop(model.kind)
    return {"model": model.kind, "mae": mae, "months": h["months"], "through": h["through"]}
