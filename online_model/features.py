"""Features for the global count models, built from the history matrix up to a forecast origin.

Everything is vectorised over series: ``history`` is ``(n_series, n_months)`` and a feature block
for origin column ``t`` and horizon ``h`` uses columns ``<= t`` only (no peeking). Levels enter as
``log1p`` so that a log-link (Poisson) model reads them as elasticities.
"""

from __future__ import annotations

import numpy as np

NUMERIC = ["lag1", "lag2", "lag3", "roll3", "roll6", "roll12", "roll24", "ses", "ses_slow",
           "same_month_ly", "same_month_avg", "zero_share12", "community_level",
           "category_trend", "category_season", "series_season", "roll36", "roll_all", "eb3", "eb12", "eb_prior",
           "community_trend", "community_lag1", "yoy", "cat_comm_share"]
#: numeric features that also enter through a hinge basis (a piecewise-linear shape in log space)
HINGED = ["ses", "roll12", "lag1", "roll3"]
KNOTS = (0.1, 0.3, 0.7, 1.2, 2.0, 3.0)
#: numeric features whose slope differs by category
BY_CATEGORY = ["ses", "roll12", "lag1", "same_month_avg", "category_season"]
#: recency features whose weight depends on the series' level (small counts need longer memory)
BY_LEVEL = ["lag1", "roll3", "ses", "ses_slow", "roll_all", "same_month_avg"]
LEVEL_EDGES = np.log1p([0.3, 1.0, 3.0, 10.0])


def _mean_window(h: np.ndarray, t: int, w: int) -> np.ndarray:
    lo = max(0, t - w + 1)
    return h[:, lo:t + 1].mean(axis=1)


def numeric_features(history: np.ndarray, ses: np.ndarray, ses_slow: np.ndarray,
                     community: np.ndarray, category: np.ndarray, moy0: int, t: int,
                     h: int) -> np.ndarray:
    """``(n_series, len(NUMERIC))`` for origin column ``t`` and horizon ``h``.

    ``moy0`` is the month of year (1..12) of column 0; ``community``/``category`` are integer codes.
    """
    n = history.shape[0]
    hist = history[:, : t + 1]
    L = np.log1p
    lag = [hist[:, t - k] if t - k >= 0 else hist[:, 0] for k in range(3)]
    # same month of year as the target, in earlier years
    target = t + h
    past_same = [target - 12 * k for k in range(1, 4) if 0 <= target - 12 * k <= t]
    same_ly = hist[:, past_same[0]] if past_same else _mean_window(hist, t, 12)
    same_avg = hist[:, past_same].mean(axis=1) if past_same else _mean_window(hist, t, 12)
    roll12 = _mean_window(hist, t, 12)
    roll36 = _mean_window(hist, t, 36)
    # community level: mean monthly count over its series in the last 12 months
    n_comm = int(community.max(initial=-1)) + 1
    comm_sum = np.bincount(community, weights=roll12, minlength=n_comm)
    comm_n = np.bincount(community, minlength=n_comm)
    comm_level = (comm_sum / np.maximum(comm_n, 1))[community]
    # city-wide category totals: recent trend and seasonal index of the target month
    n_cat = int(category.max(initial=-1)) + 1
    city = np.stack([np.bincount(category, weights=hist[:, j], minlength=n_cat)
                     for j in range(max(0, t - 47), t + 1)], axis=1)  # (n_cat, <=48)
    c3 = city[:, -3:].mean(axis=1)
    c12 = city[:, -12:].mean(axis=1)
    trend = np.log((c3 + 1) / (c12 + 1))[category]
    season = _seasonal_index(city, target - (t - city.shape[1] + 1))[category]
    series_season = _series_season(hist, target, roll36)
    zero_share = (hist[:, max(0, t - 11): t + 1] == 0).mean(axis=1)
    # empirical Bayes level: the series' mean shrunk toward community x category expectation
    tot = hist.sum(axis=1)
    months = hist.shape[1]
    comm_tot = np.bincount(community, weights=tot, minlength=n_comm)[community]
    cat_tot = np.bincount(category, weights=tot, minlength=n_cat)[category]
    prior = comm_tot * cat_tot / max(tot.sum(), 1.0) / months
    eb = [(tot + k * prior) / (months + k) for k in (3, 12)]
    # community totals (every category): recent change against the community's own year
    comm_hist = np.stack([np.bincount(community, weights=hist[:, j], minlength=n_comm)
                          for j in range(max(0, t - 11), t + 1)], axis=1)
    comm12 = comm_hist.mean(axis=1)
    comm_trend = np.log((comm_hist[:, -3:].mean(axis=1) + 1) / (comm12 + 1))[community]
    comm_lag1 = np.log((comm_hist[:, -1] + 1) / (comm12 + 1))[community]
    # year over year: the last 12 months against the 12 before
    prev12 = hist[:, max(0, t - 23): max(1, t - 11)].mean(axis=1) if t >= 12 else roll12
    yoy = np.log((roll12 + 0.5) / (prev12 + 0.5))
    # the series' share of its community's crime, shrunk (a target encoding of the pair)
    share = np.log((roll36 * 36 + 1.0) / (comm_tot / months * 36 + 10.0))
    cols = [L(lag[0]), L(lag[1]), L(lag[2]), L(_mean_window(hist, t, 3)),
            L(_mean_window(hist, t, 6)), L(roll12), L(_mean_window(hist, t, 24)),
            L(ses[:, t]), L(ses_slow[:, t]), L(same_ly), L(same_avg), zero_share,
            L(comm_level), trend, season, series_season, L(roll36), L(hist.mean(axis=1)),
            L(eb[0]), L(eb[1]), L(prior), comm_trend, comm_lag1, yoy, share]
    return np.stack(cols, axis=1).reshape(n, len(NUMERIC))


def expand(num: np.ndarray, category: np.ndarray, n_cat: int) -> np.ndarray:
    """Hinge basis of the main levels, log levels near zero, and per-category slopes.

    The log link of a Poisson GLM is linear in log1p levels; these columns let it bend where
    counts are small (where most series live) and let each category weigh recent vs long levels
    differently.
    """
    ix = {n: i for i, n in enumerate(NUMERIC)}
    cols = []
    for name in HINGED:
        v = num[:, ix[name]]
        cols.extend(np.maximum(0.0, v - k) for k in KNOTS)
    for name in ("ses", "roll12"):
        cols.append(np.log(np.expm1(num[:, ix[name]]) + 0.05))
    onehot = np.zeros((num.shape[0], n_cat))
    onehot[np.arange(num.shape[0]), category] = 1.0
    inter = [onehot * num[:, [ix[name]]] for name in BY_CATEGORY]
    bucket = np.eye(len(LEVEL_EDGES) + 1)[np.digitize(num[:, ix["roll12"]], LEVEL_EDGES)]
    by_level = [bucket * num[:, [ix[name]]] for name in BY_LEVEL]
    return np.concatenate([np.stack(cols, axis=1)] + inter + by_level, axis=1)


def expanded_names(categories: list[str]) -> list[str]:
    names = [f"{n}>{k}" for n in HINGED for k in KNOTS] + ["log_ses", "log_roll12"]
    names += [f"{n}*cat={c}" for n in BY_CATEGORY for c in categories]
    return names + [f"{n}*level={b}" for n in BY_LEVEL for b in range(len(LEVEL_EDGES) + 1)]


def _seasonal_index(city: np.ndarray, target_col: int) -> np.ndarray:
    """log of (count in the target's month of year / trailing 12-month mean), averaged over years."""
    ratios = []
    for j in range(target_col - 12, -1, -12):
        if j >= 11:
            base = city[:, j - 11: j + 1].mean(axis=1)
            ratios.append((city[:, j] + 1) / (base + 1))
    if not ratios:
        return np.zeros(city.shape[0])
    return np.log(np.mean(ratios, axis=0))


def _series_season(hist: np.ndarray, target: int, base: np.ndarray) -> np.ndarray:
    """Shrunk log ratio of the series' same-month counts to its 3-year mean (own seasonality)."""
    t = hist.shape[1] - 1
    same = [target - 12 * k for k in range(1, 4) if 0 <= target - 12 * k <= t]
    if not same:
        return np.zeros(hist.shape[0])
    s = hist[:, same].sum(axis=1)
    k = len(same)
    return np.log((s + 2.0) / (k * base + 2.0))
