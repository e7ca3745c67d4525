"""Fitting and scoring negative-binomial forecasts (the distribution itself is :mod:`core.negbin`).

>>> round(float(nb_nll([0], [1.0], [0.0])[0]), 4)  # -log P(X = 0) for a Poisson(1)
1.0
"""

from __future__ import annotations

import numpy as np

from core.negbin import NegBin


def nb_nll(y, mean, dispersion) -> np.ndarray:
    """Negative log probability of counts ``y`` (the log score; lower is better)."""
    return -NegBin(mean, dispersion).logpmf(y)


def fit_dispersion(y, mean, grid=None) -> float:
    """Dispersion maximising the NB likelihood of ``y`` around fixed ``mean`` (grid search).

    >>> rng = np.random.default_rng(0)
    >>> mu = np.full(20000, 4.0)
    >>> y = rng.negative_binomial(1 / 0.3, 1 / (1 + 0.3 * mu))
    >>> abs(fit_dispersion(y, mu) - 0.3) < 0.05
    True
    """
    y = np.asarray(y, dtype=float).ravel()
    mean = np.asarray(mean, dtype=float).ravel()
    if y.size == 0:
        return 0.0
    grid = DISPERSION_GRID if grid is None else np.asarray(grid, dtype=float)
    ll = [NegBin(mean, a).logpmf(y).sum() for a in grid]
    return float(grid[int(np.argmax(ll))])


DISPERSION_GRID = np.concatenate([[0.0], np.geomspace(0.005, 3.0, 40)])
