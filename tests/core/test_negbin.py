"""Negative-binomial forecasts: honest, shortest intervals and exact probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from core.negbin import NegBin
from online_model.distributions import fit_dispersion


def test_pmf_sums_to_one_and_matches_scipy():
    """logpmf is the NB2 law (scipy's nbinom with n = 1/alpha) and the Poisson at alpha 0."""
    y = np.arange(0, 200)
    d = NegBin(7.5, 0.4)
    assert abs(np.exp(d.logpmf(y)).sum() - 1) < 1e-9
    n = 1 / 0.4
    np.testing.assert_allclose(d.logpmf(y), stats.nbinom.logpmf(y, n, n / (n + 7.5)), rtol=1e-9)
    np.testing.assert_allclose(NegBin(3.0, 0.0).logpmf(y[:20]), stats.poisson.logpmf(y[:20], 3.0))


def test_interval_is_the_shortest_that_holds_the_level():
    """Every 80% interval holds >= 80%, and no shorter integer interval does."""
    rng = np.random.default_rng(4)
    mean, alpha = rng.gamma(0.7, 3, size=60), rng.uniform(0, 1.2, size=60)
    lo, hi = NegBin(mean, alpha).interval(0.8)
    for m, a, l, h in zip(mean, alpha, lo, hi):
        d = NegBin(m, a)
        cdf = d.cdf(np.arange(-1, 400))
        assert cdf[h + 1] - cdf[l] >= 0.8 - 1e-12
        width = h - l
        shorter = [
            cdf[b + 1] - cdf[a_] for a_ in range(0, 200) for b in [a_ + width - 1] if width >= 1
        ]
        assert all(s < 0.8 for s in shorter)


def test_sf_is_the_upper_tail():
    """sf(k) = P(X >= k), what the weekly alert needs."""
    d = NegBin([2.0, 10.0], [0.3, 0.1])
    k = np.array([3, 15])
    expected = [
        1 - np.exp(NegBin(2.0, 0.3).logpmf(np.arange(3))).sum(),
        1 - np.exp(NegBin(10.0, 0.1).logpmf(np.arange(15))).sum(),
    ]
    np.testing.assert_allclose(d.sf(k), expected, rtol=1e-9)


def test_total_is_moment_matched():
    """A total's mean is the sum of means and its variance the sum of variances."""
    means, disp = np.array([1.0, 4.0, 0.5]), np.array([0.2, 0.5, 0.0])
    t = NegBin.total(means, disp)
    assert float(t.mean) == pytest.approx(5.5)
    assert float(t.var) == pytest.approx(float((means + disp * means**2).sum()))


def test_bad_parameters_are_refused():
    """Negative or non-finite means and dispersions are a ValueError."""
    with pytest.raises(ValueError):
        NegBin(-1.0, 0.1)
    with pytest.raises(ValueError):
        NegBin(1.0, np.nan)


def test_fit_dispersion_recovers_the_truth():
    """The likelihood grid finds a known dispersion."""
    rng = np.random.default_rng(0)
    mu = rng.gamma(2, 2, size=30000)
    y = rng.negative_binomial(1 / 0.5, 1 / (1 + 0.5 * mu))
    assert abs(fit_dispersion(y, mu) - 0.5) < 0.08
