"""Forecasting core: panel forecasters (baselines, online River GLM, torch LSTM, ensemble), count
distributions, evaluation, the backtest and the model registry.

Importing this package never imports torch: the LSTM loads lazily (``online_model.LSTMForecaster``
or ``import online_model.lstm``), so the bot can use distributions without it.
"""

from core.months import add_months, month_range
from core.negbin import NegBin

from .base import FRAME_COLUMNS, DispersionTracker, ForecastArrays, PanelForecaster, SeriesKey
from .baselines import SES, TSB, MeanLastN, SeasonalNaive
from .data import DataError, read_calgary_csv, read_many, to_panel
from .distributions import fit_dispersion, nb_nll

__all__ = [
    "FRAME_COLUMNS",
    "DispersionTracker",
    "ForecastArrays",
    "PanelForecaster",
    "SeriesKey",
    "SES",
    "TSB",
    "MeanLastN",
    "SeasonalNaive",
    "DataError",
    "read_calgary_csv",
    "read_many",
    "to_panel",
    "NegBin",
    "fit_dispersion",
    "nb_nll",
    "add_months",
    "month_range",
    "LSTMForecaster",
    "OnlineGLM",
    "Ensemble",
    "Registry",
    "RegistryError",
    "run_backtest",
    "aggregate",
    "build_served",
]

# loaded on first use: torch (lstm) and river (online) are heavy and the bot needs neither
_LAZY = {
    "LSTMForecaster": ("lstm", "LSTMForecaster"),
    "OnlineGLM": ("online", "OnlineGLM"),
    "Ensemble": ("ensemble", "Ensemble"),
    "Registry": ("registry", "Registry"),
    "RegistryError": ("registry", "RegistryError"),
    "run_backtest": ("backtest", "run_backtest"),
    "aggregate": ("aggregate", "aggregate"),
    "build_served": ("served", "build_served"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
