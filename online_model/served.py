"""The model crimecast serves: an :class:`~online_model.ensemble.Ensemble` of the online River GLM,
the LSTM and the strong baselines, and what the workers need around it.

>>> sorted(build_served(include_lstm=False).members)
['mean6', 'online', 'ses', 'ses_slow', 'snaive', 'tsb']
"""

from __future__ import annotations

from .baselines import SES, TSB, MeanLastN, SeasonalNaive
from .ensemble import Ensemble
from .online import OnlineGLM

HORIZON = 6


def build_served(seed: int = 42, include_lstm: bool = True, lstm_epochs: int = 3) -> Ensemble:
    """A fresh, unfitted served ensemble (the LSTM is imported only when included)."""
    # the GLM refits on all history after every close and the LSTM's epoch on the new month waits
    # for the close's follow-up job (Ensemble.after_close): the close itself stays fast
    members = {"online": OnlineGLM(seed=seed, refit_every=1)}
    if include_lstm:
        from .lstm import LSTMForecaster

        members["lstm"] = LSTMForecaster(seed=seed, epochs=lstm_epochs, defer_online=True)
    members.update({"ses": SES(0.2), "snaive": SeasonalNaive(), "mean6": MeanLastN(6),
                    "tsb": TSB(0.1, 0.1), "ses_slow": SES(0.05)})
    return Ensemble(members, max_horizon=HORIZON, prior=("online", "ses"))


def health_figures(model: Ensemble, months: int = 6) -> dict:
    """Recent one-step MAE of the served model vs seasonal naive and SES (for the forecast meta).

    Shape: ``{"model": kind, "mae": {"model": x, "snaive": y, "ses": z, ...}, "months": n}``.
    """
    h = model.health(months)
    mae = dict(h["mae"])
    if model.kind in mae:
        mae["model"] = mae.pop(model.kind)
    return {"model": model.kind, "mae": mae, "months": h["months"], "through": h["through"]}
