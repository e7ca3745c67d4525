"""Totals over several series and months: coherent means and 80% intervals.

The mean of a total is the sum of the means; its interval is that of one negative binomial with the
total's mean and variance (series treated as independent), via
:class:`online_model.distributions.NegBin` (scipy when that package is absent).
"""

from __future__ import annotations

import numpy as np


def nb_total(means, alphas, level: float = 0.8) -> tuple[float, int, int]:
    """Mean and ``level`` interval of a sum of independent negative binomials (moment-matched).

    >>> nb_total([10.0], [0.0])
    (10.0, 6, 14)
    >>> m, lo, hi = nb_total([2.0, 3.0, 5.0], [0.1, 0.2, 0.0]); m, lo <= 10 <= hi
    (10.0, True)
    """
    mu = np.asarray(means, dtype=float)
    a = np.asarray(alphas, dtype=float)
    ok = np.isfinite(mu)
    mu, a = mu[ok], np.nan_to_num(a[ok])
    total = float(mu.sum())
    if total <= 0:
        return 0.0, 0, 0
    var = float((mu + a * mu ** 2).sum())
    alpha = max((var - total) / total ** 2, 0.0)
    lo, hi = _interval(total, alpha, level)
    return total, lo, hi


def _interval(mean: float, alpha: float, level: float) -> tuple[int, int]:
    try:
        from online_model.distributions import NegBin

        lo, hi = NegBin([mean], [alpha]).interval(level)
        return int(lo[0]), int(hi[0])
    except ImportError:  # pragma: no cover - the online_model package not installed
        from scipy import stats

        tail = (1 - level) / 2
        if alpha < 1e-8:
            return int(stats.poisson.ppf(tail, mean)), int(stats.poisson.ppf(1 - tail, mean))
        n = 1 / alpha
        p = n / (n + mean)
        return int(stats.nbinom.ppf(tail, n, p)), int(stats.nbinom.ppf(1 - tail, n, p))
