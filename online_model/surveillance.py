"""Surveillance statistics for the weekly alert: pro-rating, NB tail probabilities, FDR control.

Pure functions over numpy arrays (no Redis, no I/O), so they are cheap to test and to reuse.

The question the alert asks of every series is: given the forecast for this month (a negative
binomial with mean ``mu`` and dispersion ``alpha``, variance ``mu + alpha * mu**2``), how surprising
is the count observed so far this month? Pro-rating: under the gamma-Poisson reading of the NB (one
gamma-distributed rate for the month, Poisson arrivals at that rate), the count over a fraction
``f`` of the month is NB with mean ``f * mu`` and the *same* ``alpha``; that is what
:func:`expected_to_date` and :func:`upper_tail` use.

Thousands of series are tested at once, so a raw 5% threshold would flag a hundred series in an
ordinary week. :func:`benjamini_hochberg` controls the false-discovery rate (the expected share of
flags that are noise) across the whole family; :func:`heyse` is a discrete-aware variant that
accounts for count data's lumpy p-values (more power for low-count series, same target).

>>> round(float(expected_to_date(31.0, 15, 31)), 2)
15.0
>>> p = upper_tail([15], [3.0], [0.1])
>>> bool(p[0] < 0.001)
True
>>> benjamini_hochberg([0.001, 0.02, 0.5], level=0.1).tolist()
[True, True, False]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "expected_to_date",
    "nb_params",
    "upper_tail",
    "bh_qvalues",
    "benjamini_hochberg",
    "heyse_qvalues",
    "heyse",
    "FlagResult",
    "flag_hot",
]

_MIN_ALPHA = 1e-8  # below this the NB is a Poisson for every practical purpose


def expected_to_date(mean, days: int, days_in_month: int):
    """Forecast mean for the month pro-rated by elapsed days (uniform over the month's days)."""
    if days_in_month <= 0 or not 0 <= days <= days_in_month:
        raise ValueError(f"days must be within 0..{days_in_month}, got {days}")
    return np.asarray(mean, dtype=float) * (days / days_in_month)


def nb_params(mean, alpha):
    """scipy's ``(n, p)`` for an NB with this mean and dispersion (alpha clipped to > 0)."""
    mu = np.maximum(np.asarray(mean, dtype=float), 1e-12)
    a = np.maximum(np.asarray(alpha, dtype=float), _MIN_ALPHA)
    n = 1.0 / a
    p = n / (n + mu)
    return n, p


def upper_tail(observed, mean, alpha):
    """P(X >= observed) for X ~ NB(mean, alpha), vectorised: the one-sided p-value of a surge.

    An observed count of zero has p = 1; a zero mean with a positive count has p ~ 0.

    >>> upper_tail([0, 1], [2.0, 0.0], [0.1, 0.1]).round(6).tolist()
    [1.0, 0.0]
    """
    k = np.asarray(observed, dtype=float)
    n, p = nb_params(mean, alpha)
    out = stats.nbinom.sf(k - 1, n, p)
    return np.clip(np.where(k <= 0, 1.0, out), 0.0, 1.0)


def bh_qvalues(pvalues) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    >>> bh_qvalues([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


def benjamini_hochberg(pvalues, level: float = 0.1) -> np.ndarray:
    """Boolean mask of discoveries at false-discovery rate ``level`` (BH step-up)."""
    _check_level(level)
    return bh_qvalues(pvalues) <= level


def heyse_qvalues(pvalues, mean, alpha) -> np.ndarray:
    """Heyse's discrete-aware FDR adjustment for NB upper-tail tests.

    BH's ``m * p / rank`` assumes every test could produce any p-value; a count test with a tiny
    mean cannot (its smallest attainable p-values are coarse). Heyse replaces ``m * t`` by
    ``sum_i F_i(t)``, where ``F_i(t)`` is the probability, under the null, that test ``i`` yields a
    p-value ``<= t``. Never larger than the BH q-value.
    """
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p.copy()
    n, prob = nb_params(mean, alpha)
    # Every test's ladder of attainable p-values P(X >= k), k = 0, 1, ..., K (decreasing in k).
    # F_i(t) is the largest rung <= t; summed over tests it is a step function of t whose jump at
    # rung v_ik is v_ik - v_i(k+1). Sorting all rungs and summing the jumps gives sum_i F_i(t) for
    # every t at once.
    n = np.broadcast_to(n, (m,))
    prob = np.broadcast_to(prob, (m,))
    depth = (
        np.minimum(np.nan_to_num(stats.nbinom.isf(1e-12, n, prob), nan=0.0), 5000).astype(int) + 2
    )
    row = np.repeat(np.arange(m), depth)
    k = np.arange(row.size) - np.repeat(np.cumsum(depth) - depth, depth)
    flat = stats.nbinom.sf(k - 1, n[row], prob[row])
    last = np.cumsum(depth) - 1  # the deepest rung of each test jumps from 0
    nxt = np.append(flat[1:], 0.0)
    nxt[last] = 0.0
    jumps = flat - nxt
    order_r = np.argsort(flat, kind="stable")
    cum = np.cumsum(jumps[order_r])
    sorted_rungs = flat[order_r]
    order = np.argsort(p)
    p_sorted = p[order]
    idx = np.searchsorted(sorted_rungs, p_sorted * (1 + 1e-12), side="right") - 1
    total = np.where(idx >= 0, cum[np.maximum(idx, 0)], 0.0)
    q_sorted = np.minimum(total / np.arange(1, m + 1), 1.0)
    q_sorted = np.minimum.accumulate(q_sorted[::-1])[::-1]
    q = np.empty(m)
    q[order] = q_sorted
    return np.minimum(q, bh_qvalues(p))


def heyse(pvalues, mean, alpha, level: float = 0.1) -> np.ndarray:
    """Boolean mask of discoveries under Heyse's discrete FDR adjustment."""
    _check_level(level)
    return heyse_qvalues(pvalues, mean, alpha) <= level


METHODS = {"bh": "Benjamini-Hochberg", "heyse": "Heyse (discrete Benjamini-Hochberg)"}


@dataclass(frozen=True)
class FlagResult:
    """Per-series expected-to-date, p-values, q-values and flags, in the input order."""

    expected: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    flagged: np.ndarray
    method: str
    level: float

    @property
    def tested(self) -> int:
        return int(self.p_value.size)

    @property
    def n_flagged(self) -> int:
        return int(self.flagged.sum())


def flag_hot(
    observed,
    month_mean,
    alpha,
    days: int,
    days_in_month: int,
    *,
    level: float = 0.1,
    method: str = "bh",
) -> FlagResult:
    """Test every series' month-to-date count against its pro-rated NB forecast, FDR controlled.

    ``observed``, ``month_mean`` and ``alpha`` are aligned arrays (one entry per series); the family
    is every entry given. ``method`` is ``"bh"`` (Benjamini-Hochberg) or ``"heyse"``.

    >>> r = flag_hot([40, 1, 2], [3.0, 1.0, 2.0], [0.3, 0.3, 0.3], 15, 30)
    >>> r.flagged.tolist(), r.method
    ([True, False, False], 'Benjamini-Hochberg')
    """
    _check_level(level)
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    obs = np.asarray(observed, dtype=float)
    expected = expected_to_date(month_mean, days, days_in_month)
    a = np.asarray(alpha, dtype=float)
    if not (obs.shape == expected.shape == a.shape):
        raise ValueError("observed, month_mean and alpha must have the same length")
    if np.any(obs < 0):
        raise ValueError("observed counts must be >= 0")
    p = upper_tail(obs, expected, a)
    q = bh_qvalues(p) if method == "bh" else heyse_qvalues(p, expected, a)
    return FlagResult(expected, p, q, q <= level, METHODS[method], level)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"FDR level must be between 0 and 1, got {level}")
