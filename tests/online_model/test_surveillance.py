"""Surveillance statistics: pro-rating, NB tails, false-discovery-rate control."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from core.negbin import NegBin, moment_match
from online_model import surveillance as sv


def test_expected_to_date_prorates_by_days():
    """Half the days of a month expect half the month's mean."""
    assert sv.expected_to_date([10.0, 3.0], 15, 30).tolist() == [5.0, 1.5]
    assert sv.expected_to_date([10.0], 31, 31).tolist() == [10.0]


@pytest.mark.parametrize("days,dim", [(-1, 30), (31, 30), (3, 0)])
def test_expected_to_date_rejects_impossible_days(days, dim):
    """Elapsed days outside the month are an error, not a silent extrapolation."""
    with pytest.raises(ValueError):
        sv.expected_to_date([1.0], days, dim)


def test_upper_tail_equals_one_minus_cdf_below():
    """P(X >= k) agrees with 1 - sum of the pmf below k."""
    mean, alpha = 4.0, 0.3
    n, p = 1 / alpha, (1 / alpha) / (1 / alpha + mean)
    for k in range(0, 20):
        expected = 1.0 - stats.nbinom.pmf(np.arange(k), n, p).sum()
        assert sv.upper_tail([k], [mean], [alpha])[0] == pytest.approx(expected, abs=1e-10)


def test_upper_tail_tends_to_poisson_without_dispersion():
    """With alpha = 0 the NB tail is the Poisson tail."""
    got = sv.upper_tail([5, 9], [3.0, 3.0], [0.0, 0.0])
    assert got == pytest.approx(stats.poisson.sf([4, 8], 3.0), rel=1e-6)


def test_prorating_keeps_dispersion_under_gamma_poisson():
    """Counts over a fraction of the month, under one gamma rate, have the NB(f*mu, alpha) variance."""
    rng = np.random.default_rng(0)
    mu, alpha, f = 6.0, 0.4, 0.5
    lam = rng.gamma(shape=1 / alpha, scale=mu * alpha, size=200_000)
    part = rng.poisson(lam * f)
    m = f * mu
    assert part.mean() == pytest.approx(m, rel=0.02)
    assert part.var() == pytest.approx(m + alpha * m**2, rel=0.03)


def test_bh_matches_step_up_definition():
    """BH flags exactly the p-values up to the largest rank k with p_(k) <= k*q/m."""
    rng = np.random.default_rng(1)
    p = np.concatenate([rng.uniform(size=90), rng.uniform(0, 0.002, size=10)])
    level = 0.1
    order = np.sort(p)
    ks = np.flatnonzero(order <= np.arange(1, p.size + 1) * level / p.size)
    threshold = order[ks.max()] if ks.size else -1
    assert (sv.benjamini_hochberg(p, level) == (p <= threshold)).all()


def test_bh_qvalues_are_monotone_in_p():
    """A smaller p-value never gets a larger q-value."""
    p = np.random.default_rng(2).uniform(size=500)
    q = sv.bh_qvalues(p)
    assert (np.diff(q[np.argsort(p)]) >= -1e-15).all()
    assert (q >= p).all()


def test_bh_controls_error_under_global_null():
    """With every hypothesis null, BH flags anything in at most about `level` of families."""
    rng = np.random.default_rng(3)
    families = 2000
    any_flag = sum(sv.benjamini_hochberg(rng.uniform(size=200), 0.1).any() for _ in range(families))
    assert any_flag / families <= 0.1 + 3 * np.sqrt(0.1 * 0.9 / families)


def test_heyse_never_less_powerful_than_bh():
    """The discrete-aware q-values are never above the BH q-values."""
    rng = np.random.default_rng(4)
    mean = rng.gamma(1.0, 2.0, size=400)
    alpha = np.full(400, 0.3)
    obs = rng.poisson(mean)
    p = sv.upper_tail(obs, mean, alpha)
    assert (sv.heyse_qvalues(p, mean, alpha) <= sv.bh_qvalues(p) + 1e-12).all()


@pytest.mark.parametrize("method", ["bh", "heyse"])
def test_flag_hot_finds_injected_surge_among_null_series(method):
    """40 extra incidents in a quiet series are flagged; ordinary noise in 2,700 series is not."""
    rng = np.random.default_rng(5)
    m = 2700
    month_mean = rng.gamma(0.8, 3.0, size=m)
    alpha = np.full(m, 0.25)
    days, dim = 12, 30
    expected = sv.expected_to_date(month_mean, days, dim)
    n, p = sv.nb_params(expected, alpha)
    observed = rng.negative_binomial(n, p)
    quiet = int(np.argmin(np.abs(month_mean - 1.0)))
    observed[quiet] += 40
    res = sv.flag_hot(observed, month_mean, alpha, days, dim, level=0.1, method=method)
    assert res.flagged[quiet]
    assert res.n_flagged <= 5  # the surge, and at most a few chance flags
    assert res.tested == m


@pytest.mark.parametrize("method", ["bh", "heyse"])
def test_flag_hot_null_weeks_flag_rarely(method):
    """Over 52 simulated null weeks of 2,700 series, flagged weeks stay near the FDR level."""
    rng = np.random.default_rng(6)
    m, weeks, level = 2700, 52, 0.1
    month_mean = rng.gamma(0.8, 3.0, size=m)
    alpha = np.full(m, 0.25)
    flagged_weeks = 0
    for w in range(weeks):
        days = 7 + (w % 4) * 7
        n, p = sv.nb_params(sv.expected_to_date(month_mean, days, 31), alpha)
        res = sv.flag_hot(
            rng.negative_binomial(n, p), month_mean, alpha, days, 31, level=level, method=method
        )
        flagged_weeks += res.n_flagged > 0
    # under the global null BH's FDR equals P(any flag) <= level (discreteness makes it smaller)
    assert flagged_weeks <= weeks * level + 3 * np.sqrt(weeks * level * (1 - level))


def test_flag_hot_rejects_bad_arguments():
    """Mismatched arrays, negative counts, unknown methods and levels are plain ValueErrors."""
    with pytest.raises(ValueError):
        sv.flag_hot([1, 2], [1.0], [0.1], 3, 30)
    with pytest.raises(ValueError):
        sv.flag_hot([-1], [1.0], [0.1], 3, 30)
    with pytest.raises(ValueError):
        sv.flag_hot([1], [1.0], [0.1], 3, 30, method="bonferroni")
    with pytest.raises(ValueError):
        sv.flag_hot([1], [1.0], [0.1], 3, 30, level=1.5)


def test_moment_match_and_interval_cover_about_eighty_percent():
    """A moment-matched NB for a sum of series covers ~80% of simulated sums with its 80% interval."""
    rng = np.random.default_rng(7)
    means = np.array([2.0, 5.0, 0.5, 8.0])
    alphas = np.array([0.2, 0.3, 0.5, 0.1])
    mu, a = moment_match(means, alphas)
    assert mu == pytest.approx(means.sum())
    lo, hi = NegBin([mu], [a]).interval(0.8)
    n, p = sv.nb_params(means, alphas)
    sums = rng.negative_binomial(n, p, size=(20_000, 4)).sum(axis=1)
    coverage = ((sums >= lo[0]) & (sums <= hi[0])).mean()
    assert 0.78 <= coverage <= 0.9  # integer intervals cover at least the nominal level
