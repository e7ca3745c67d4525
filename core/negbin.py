"""Negative-binomial counts: the one home of a count's distribution, its interval and totals.

``NegBin(mean, dispersion)`` uses the NB2 parametrisation ``var = mean + dispersion * mean**2``;
dispersion 0 is the Poisson. Every method broadcasts over arrays of means. The 80% range shown
anywhere (an answer, an alert, a report) is :meth:`NegBin.interval`: the shortest integer interval
holding at least 80%, so one series or one total never gets two different ranges.

>>> d = NegBin([2.0, 10.0], [0.2, 0.0])
>>> lo, hi = d.interval(0.8)
>>> lo.tolist(), hi.tolist()
([0, 6], [3, 14])
>>> bool((d.cdf(hi) - d.cdf(lo - 1) >= 0.8).all())
True
>>> round(float(NegBin(3.0, 0.0).sf(1)), 4)  # P(X >= 1) = 1 - exp(-3)
0.9502
"""

from __future__ import annotations

import numpy as np

_EPS_ALPHA = 1e-8
_MIN_MEAN = 1e-9


class NegBin:
    """Negative binomial with given means and dispersions (alpha >= 0)."""

    def __init__(self, mean, dispersion):
        mean = np.asarray(mean, dtype=float)
        dispersion = np.asarray(dispersion, dtype=float)
        if np.any(~np.isfinite(mean)) or np.any(mean < 0):
            raise ValueError("mean must be finite and >= 0")
        if np.any(~np.isfinite(dispersion)) or np.any(dispersion < 0):
            raise ValueError("dispersion must be finite and >= 0")
        self.mean, self.dispersion = np.broadcast_arrays(mean, dispersion)
        self._mu = np.maximum(self.mean, _MIN_MEAN)
        self._poisson = self.dispersion < _EPS_ALPHA
        self._r = 1.0 / np.where(self._poisson, 1.0, self.dispersion)

    @property
    def var(self) -> np.ndarray:
        return self.mean + self.dispersion * self.mean**2

    def logpmf(self, y) -> np.ndarray:
        """log P(X = y); ``-inf`` for negative or non-integer y."""
        from scipy import special  # scipy only where a pmf or cdf is needed: intervals use none

        y = np.asarray(y, dtype=float)
        mu, r = self._mu, self._r
        nb = (
            special.gammaln(y + r)
            - special.gammaln(r)
            - special.gammaln(y + 1)
            + r * (np.log(r) - np.log(r + mu))
            + y * (np.log(mu) - np.log(r + mu))
        )
        po = y * np.log(mu) - mu - special.gammaln(y + 1)
        out = np.where(self._poisson, po, nb)
        return np.where((y < 0) | (y != np.floor(y)), -np.inf, out)

    def pmf(self, y) -> np.ndarray:
        return np.exp(self.logpmf(y))

    def cdf(self, k) -> np.ndarray:
        """P(X <= k)."""
        from scipy import stats

        k = np.floor(np.asarray(k, dtype=float))
        p = self._r / (self._r + self._mu)
        nb = stats.nbinom.cdf(k, self._r, p)
        po = stats.poisson.cdf(k, self._mu)
        return np.where(k < 0, 0.0, np.where(self._poisson, po, nb))

    def sf(self, k) -> np.ndarray:
        """P(X >= k), the probability the weekly alert needs."""
        return 1.0 - self.cdf(np.asarray(k, dtype=float) - 1)

    def ppf(self, q) -> np.ndarray:
        """Smallest integer k with P(X <= k) >= q."""
        from scipy import stats

        q = np.asarray(q, dtype=float)
        p = self._r / (self._r + self._mu)
        nb = stats.nbinom.ppf(q, self._r, p)
        po = stats.poisson.ppf(q, self._mu)
        return np.where(self._poisson, po, nb).astype(int)

    def _cdf_table(self, upper: int) -> np.ndarray:
        """``cdf[..., k]`` for k = 0..upper by the pmf recursion (fast, exact to rounding)."""
        mu, r = self._mu.ravel(), self._r.ravel()
        pois = self._poisson.ravel()
        k = np.arange(upper, dtype=float)
        log0 = np.where(pois, -mu, r * (np.log(r) - np.log(r + mu)))
        with np.errstate(divide="ignore"):
            step_nb = (
                np.log(k[None, :] + r[:, None])
                - np.log(k[None, :] + 1)
                + (np.log(mu) - np.log(r + mu))[:, None]
            )
            step_po = np.log(mu)[:, None] - np.log(k[None, :] + 1)
        steps = np.where(pois[:, None], step_po, step_nb)
        logp = np.concatenate([log0[:, None], log0[:, None] + np.cumsum(steps, axis=1)], axis=1)
        return np.minimum(np.cumsum(np.exp(logp), axis=1), 1.0)

    def interval(self, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """Shortest integer interval ``[lo, hi]`` with P(lo <= X <= hi) >= level.

        Counts this small are discrete, so the shortest honest interval usually holds more than
        ``level``; among equally short ones the most probable is chosen.
        """
        if not 0 < level < 1:
            raise ValueError("level must be in (0, 1)")
        shape = self.mean.shape
        lo = np.zeros(self.mean.size, int)
        hi = np.zeros(self.mean.size, int)
        # bucket rows by how far their mass reaches, so one wide row does not widen every table
        reach = self.mean.ravel() + 10 * np.sqrt(self.var.ravel()) + 10
        bucket = np.ceil(np.log2(np.maximum(reach, 16))).astype(int)
        for b in np.unique(bucket):
            rows = np.nonzero(bucket == b)[0]
            sub = NegBin(self.mean.ravel()[rows], self.dispersion.ravel()[rows])
            lo[rows], hi[rows] = sub._shortest(level, 2 ** int(b))
        return lo.reshape(shape), hi.reshape(shape)

    def _shortest(self, level: float, upper: int) -> tuple[np.ndarray, np.ndarray]:
        n = self.mean.size
        cdf = self._cdf_table(upper)  # (n, upper + 1)
        width = cdf.shape[1]
        prev = np.concatenate([np.zeros((n, 1)), cdf[:, :-1]], axis=1)
        q_lo = (cdf < 1 - level - 1e-12).sum(axis=1)  # lo beyond this cannot reach the level
        n_lo = int(q_lo.max()) + 1
        offsets = (np.arange(n) * 2.0)[:, None]
        flat = (cdf + offsets).ravel()
        los = np.arange(n_lo)[None, :].repeat(n, axis=0)
        targets = prev[:, :n_lo] + level - 1e-12 + offsets
        his = (
            np.searchsorted(flat, targets.ravel(), side="left").reshape(n, n_lo)
            - (np.arange(n) * width)[:, None]
        )
        valid = (los <= q_lo[:, None]) & (his < width) & (his >= los)
        his_c = np.clip(his, 0, width - 1)
        mass = np.take_along_axis(cdf, his_c, axis=1) - prev[:, :n_lo]
        score = np.where(valid, (his - los) - 0.5 * mass, np.inf)
        best = np.argmin(score, axis=1)
        return best.astype(int), his_c[np.arange(n), best].astype(int)

    @staticmethod
    def total(means, dispersions, axis=None) -> "NegBin":
        """Moment-matched NB of a sum of independent NB counts (community, sector, city totals).

        >>> t = NegBin.total([1.0, 2.0], [0.5, 0.0])
        >>> float(t.mean), round(float(t.dispersion), 4)  # var = 1.5 + 2 = 3.5, alpha = 0.5/9
        (3.0, 0.0556)
        """
        means = np.asarray(means, dtype=float)
        dispersions = np.asarray(dispersions, dtype=float)
        m = means.sum(axis=axis)
        v = (means + dispersions * means**2).sum(axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(m > 0, (v - m) / np.maximum(m, _MIN_MEAN) ** 2, 0.0)
        return NegBin(m, np.maximum(alpha, 0.0))


def moment_match(means, dispersions) -> tuple[float, float]:
    """Mean and dispersion of one NB matching a sum of independent NBs (sums of means, variances).

    >>> moment_match([2.0, 3.0], [0.0, 0.0])
    (5.0, 0.0)
    """
    t = NegBin.total(
        np.nan_to_num(np.asarray(means, dtype=float)),
        np.nan_to_num(np.asarray(dispersions, dtype=float)),
    )
    return float(t.mean), float(t.dispersion)


def total_interval(means, dispersions, level: float = 0.8) -> tuple[float, int, int]:
    """Mean and shortest ``level`` interval of a total of independent NB counts.

    The mean of a total is the sum of its parts' means, so a community's, a region's or the city's
    total agrees with its parts.

    >>> total_interval([10.0], [0.0])
    (10.0, 6, 14)
    >>> m, lo, hi = total_interval([2.0, 3.0, 5.0], [0.1, 0.2, 0.0]); m, lo <= 10 <= hi
    (10.0, True)
    >>> total_interval([], [])
    (0.0, 0, 0)
    """
    mean, alpha = moment_match(means, dispersions)
    if mean <= 0:
        return 0.0, 0, 0
    lo, hi = NegBin([mean], [alpha]).interval(level)
    return mean, int(lo[0]), int(hi[0])


def interval(mean: float, dispersion: float, level: float = 0.8) -> tuple[int, int]:
    """The shortest ``level`` interval of one count (scalar convenience)."""
    lo, hi = NegBin([mean], [dispersion]).interval(level)
    return int(lo[0]), int(hi[0])
