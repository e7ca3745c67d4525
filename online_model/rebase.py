"""A fitted model carried over to other series: the global pieces kept, the series' own state
rebuilt from their history.

The partitioned train (docs/operations.md) fits the served ensemble once on a sample of whole
areas; each partition job then asks :func:`rebase` for a model that holds the partition's series
instead and forecasts them. What is global is kept as fitted: the GLM's weights and area effects,
the LSTM's network (an area it never saw gets the mean embedding, as a new area would), the
ensemble's weights and calibration per category and horizon, the dispersion tables. What belongs
to a series is rebuilt from its history alone: the baselines relearn it (per-series arithmetic, the
same numbers as in the fitted model), the GLM steps its SES features over it, the LSTM reads its
window. Nothing is learned, so a series' forecast depends on its own history, its area's other
series (the community features; partitions hold whole areas), the city's totals (given) and the
global pieces: not on which partition it is in. A series of the fitted model gets the forecast the
fitted model gives it.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd

from .base import PanelForecaster
from .ensemble import Ensemble
from .online import OnlineGLM

SeriesKey = tuple[str, str]


def rebase(model: PanelForecaster, panel: pd.DataFrame) -> PanelForecaster:
    """``model`` holding the series of ``panel`` (index (community, category), columns exactly
    the months ``model`` learned) instead of its own; ``model`` itself is not changed."""
    months = [str(m) for m in panel.columns]
    if months != list(model.months_):
        raise ValueError(
            f"the panel's months ({months[:1]}..{months[-1:]}) are not the ones the model learned "
            f"({model.months_[:1]}..{model.months_[-1:]})"
        )
    panel = panel.sort_index()
    keys = [tuple(k) for k in panel.index]
    values = panel.to_numpy(dtype=float)
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise ValueError("panel counts must be finite and >= 0")
    return _rebase(model, panel, keys, values)


def _rebase(m: PanelForecaster, panel, keys: list[SeriesKey], values: np.ndarray):
    if isinstance(m, Ensemble):
        new = _reindexed(m, keys, values)
        new.members = {n: _rebase(x, panel, keys, values) for n, x in m.members.items()}
        new._convex = {}
        return new
    if isinstance(m, OnlineGLM):
        new = _reindexed(m, keys, values)
        new._ses = np.zeros((len(keys), 0))
        new._ses_slow = np.zeros((len(keys), 0))
        new._cache = {}
        new.area_ = {h: np.asarray(u).copy() for h, u in m.area_.items()}
        new._area_adam = {}
        for j in range(values.shape[1]):
            new._step_levels(values[:, j])
        new.set_totals(getattr(m, "totals_", None))
        return new
    if getattr(m, "kind", "") == "lstm":
        new = _reindexed(m, keys, values)
        new._cache = {}
        if new._net is not None:
            new._net = new._widen(new._net)
        return new
    # a baseline: its state is per series; relearning the panel gives the same numbers
    fresh = _clone(m)
    fresh.learn_many(panel)
    return fresh


def _clone(m: PanelForecaster) -> PanelForecaster:
    """A fresh, unfitted forecaster with ``m``'s constructor arguments (stored under their names)."""
    params = inspect.signature(type(m).__init__).parameters
    args = {p: getattr(m, p) for p in params if p != "self" and hasattr(m, p)}
    return type(m)(**args)


def _reindexed(m: PanelForecaster, keys: list[SeriesKey], values: np.ndarray):
    """A shallow copy of ``m`` whose series are ``keys`` (history ``values``); categories and
    communities keep ``m``'s codes (what its weights are indexed by), new ones come after."""
    new = object.__new__(type(m))  # not copy.copy: the LSTM's pickling state leaves its net out
    new.__dict__.update(m.__dict__)
    new.series_ = list(keys)
    new._index = {k: i for i, k in enumerate(keys)}
    new.categories_ = list(m.categories_)
    new.communities_ = list(m.communities_)
    new._cat_index = dict(m._cat_index)
    new._comm_index = dict(m._comm_index)
    for comm, cat in keys:
        if cat not in new._cat_index:
            new._cat_index[cat] = len(new.categories_)
            new.categories_.append(cat)
        if comm not in new._comm_index:
            new._comm_index[comm] = len(new.communities_)
            new.communities_.append(comm)
    new._group = np.array([new._cat_index[k[1]] for k in keys], dtype=np.int32)
    new._community = np.array([new._comm_index[k[0]] for k in keys], dtype=np.int64)
    new.history_ = np.array(values, dtype=float)
    new.months_ = list(m.months_)
    new._pending = {}
    return new
