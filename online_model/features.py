"""Scale-free features for the global count models, built from the history up to a forecast origin.

Everything is vectorised over series: ``history`` is ``(n_series, n_months)`` and a feature block
for origin column ``t`` and horizon ``h`` uses columns ``<= t`` only (no peeking).

The same learner must work for series that count 0-2 a month and for series that count hundreds,
so nothing enters on the count scale. Each series has a **local level** (its last 12 months,
shrunk a little toward what its community and category lead one to expect); the model predicts the
*rate* ``y / level`` (the level is a Poisson offset), and every level-like feature enters as a log
ratio to that level, ``log((x + 0.5) / (level + 0.5))``, so a series of 2 a month and one of 200 a
month that both rose 20% look the same to the learner. (The 0.5 is the count noise floor: it damps
ratios of tiny counts and vanishes at large ones.) What does depend on absolute size, how noisy a
ratio is, enters through a bucket of the level (:data:`LEVEL_EDGES`), not through the level itself.

>>> import numpy as np
>>> small = np.array([[1, 2, 1, 2] * 6], float)
>>> big = small * 100
>>> f = lambda hist: numeric_features(hist, hist, hist, np.zeros(1, int), np.zeros(1, int), 1, 23, 1)
>>> (fs, ls), (fb, lb) = f(small), f(big)
>>> float(lb[0] / ls[0])  # the level scales with the series ...
100.0
>>> # ... its ratios do not: last month against the level, 2 / 1.5 at either scale
>>> round(float(fb[0, NUMERIC.index("lag1")]), 2), round(float(np.log(2 / 1.5)), 2)
(0.29, 0.29)
"""

from __future__ import annotations

import numpy as np

NUMERIC = [
    "lag1",
    "lag2",
    "lag3",
    "roll3",
    "roll6",
    "roll12",
    "roll24",
    "roll36",
    "roll_all",
    "ses",
    "ses_slow",
    "same_month_ly",
    "same_month_avg",
    "prior",
    "zero_share12",
    "category_trend",
    "category_season",
    "series_season",
    "community_trend",
    "community_lag1",
    "yoy",
    "cat_comm_share",
    "city_trend",
    "city_lag1",
    "category_lag1",
]
#: ratios that also enter through a hinge basis (a piecewise-linear shape around "as usual")
HINGED = ["lag1", "roll3", "ses"]
KNOTS = (-0.5, 0.0, 0.5)
#: features whose slope differs by category
BY_CATEGORY = ["ses", "lag1", "roll3", "same_month_avg", "category_season"]
#: features whose weight depends on the series' level (small counts need longer memory)
BY_LEVEL = ["lag1", "roll3", "ses", "ses_slow", "roll_all", "same_month_avg", "prior"]
#: edges (counts a month) of the level buckets: how noisy a series' ratios are
LEVEL_EDGES = np.array([0.3, 1.0, 3.0, 10.0, 30.0, 100.0])
N_LEVELS = len(LEVEL_EDGES) + 1
NOISE = 0.5  # counts: the floor of every ratio
SHRINK = 2.0  # months of prior blended into the local level
MIN_LEVEL = 0.02  # level of a series with nothing in it nor in its community x category


def _mean_window(h: np.ndarray, t: int, w: int) -> np.ndarray:
    lo = max(0, t - w + 1)
    return h[:, lo : t + 1].mean(axis=1)


def _ratio(x: np.ndarray, level: np.ndarray) -> np.ndarray:
    return np.log((x + NOISE) / (level + NOISE))


def numeric_features(
    history: np.ndarray,
    ses: np.ndarray,
    ses_slow: np.ndarray,
    community: np.ndarray,
    category: np.ndarray,
    moy0: int,
    t: int,
    h: int,
    rows: np.ndarray | None = None,
    totals: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(features (n_series, len(NUMERIC)), level (n_series,))`` for origin ``t``, horizon ``h``.

    ``moy0`` is the month of year (1..12) of column 0; ``community``/``category`` are integer codes.
    With ``rows`` only those series' rows are built (the community, category and city totals still
    sum every series): a fit that samples rows pays for what it samples. ``totals``
    ``(n_categories, >= t + 1)``: the city's totals per category and month, given when ``history``
    holds only some of the city's series (a partition, a sample): the city-wide features are then
    the whole city's whatever part of it is at hand (community totals come from ``history``, which
    holds whole areas).
    """
    full = history[:, : t + 1]
    months = full.shape[1]
    n_comm = int(community.max(initial=-1)) + 1
    n_cat = int(category.max(initial=-1)) + 1
    # what the community x category would lead one to expect (a product of margins, last 12 months)
    roll12_all = _mean_window(full, t, 12)
    comm12_all = np.bincount(community, weights=roll12_all, minlength=n_comm)
    span = range(max(0, t - 47), t + 1)
    if totals is None:
        r12_tot = roll12_all.sum()
        cat12_all = np.bincount(category, weights=roll12_all, minlength=n_cat)
        # city-wide category totals and community totals (every category), from every series
        city = np.stack(
            [np.bincount(category, weights=full[:, j], minlength=n_cat) for j in span], axis=1
        )  # (n_cat, <=48)
    else:
        whole = np.zeros((max(n_cat, totals.shape[0]), t + 1))
        whole[: totals.shape[0]] = totals[:, : t + 1]
        cat12_all = _mean_window(whole, t, 12)
        r12_tot = cat12_all.sum()
        city = whole[:, span.start : t + 1]
    comm_hist = np.stack(
        [
            np.bincount(community, weights=full[:, j], minlength=n_comm)
            for j in range(max(0, t - 11), t + 1)
        ],
        axis=1,
    )
    if rows is not None:
        full, ses, ses_slow = full[rows], ses[rows], ses_slow[rows]
        community, category = community[rows], category[rows]
    hist = full
    n = hist.shape[0]
    lag = [hist[:, t - k] if t - k >= 0 else hist[:, 0] for k in range(3)]
    target = t + h
    past_same = [target - 12 * k for k in range(1, 4) if 0 <= target - 12 * k <= t]
    roll12 = _mean_window(hist, t, 12)
    roll36 = _mean_window(hist, t, 36)
    same_ly = hist[:, past_same[0]] if past_same else roll12
    same_avg = hist[:, past_same].mean(axis=1) if past_same else roll12
    prior = comm12_all[community] * cat12_all[category] / max(r12_tot, 1e-9)
    level = np.maximum(
        (roll12 * min(months, 12) + SHRINK * prior) / (min(months, 12) + SHRINK), MIN_LEVEL
    )
    # city-wide category totals and all-crime totals: trend, last month, seasonal index
    c12 = city[:, -12:].mean(axis=1)
    trend = np.log((city[:, -3:].mean(axis=1) + 1) / (c12 + 1))[category]
    cat_lag1 = np.log((city[:, -1] + 1) / (c12 + 1))[category]
    season = _seasonal_index(city, target - (t - city.shape[1] + 1))[category]
    all_city = city.sum(axis=0)
    a12 = all_city[-12:].mean()
    city_trend = np.full(n, np.log((all_city[-3:].mean() + 1) / (a12 + 1)))
    city_lag1 = np.full(n, np.log((all_city[-1] + 1) / (a12 + 1)))
    series_season = _series_season(hist, target, roll36)
    zero_share = (hist[:, max(0, t - 11) : t + 1] == 0).mean(axis=1)
    # community totals (every category): recent change against the community's own year
    cm12 = comm_hist.mean(axis=1)
    comm_trend = np.log((comm_hist[:, -3:].mean(axis=1) + 1) / (cm12 + 1))[community]
    comm_lag1 = np.log((comm_hist[:, -1] + 1) / (cm12 + 1))[community]
    prev12 = hist[:, max(0, t - 23) : max(1, t - 11)].mean(axis=1) if t >= 12 else roll12
    yoy = np.log((roll12 + NOISE) / (prev12 + NOISE))
    # the series' share of its community's crime against its category's share of the city's
    share = np.log((roll36 + NOISE) / (prior + NOISE))
    R = lambda x: _ratio(x, level)  # noqa: E731
    cols = [
        R(lag[0]),
        R(lag[1]),
        R(lag[2]),
        R(_mean_window(hist, t, 3)),
        R(_mean_window(hist, t, 6)),
        R(roll12),
        R(_mean_window(hist, t, 24)),
        R(roll36),
        R(hist.mean(axis=1)),
        R(ses[:, t]),
        R(ses_slow[:, t]),
        R(same_ly),
        R(same_avg),
        R(prior),
        zero_share,
        trend,
        season,
        series_season,
        comm_trend,
        comm_lag1,
        yoy,
        share,
        city_trend,
        city_lag1,
        cat_lag1,
    ]
    return np.stack(cols, axis=1).reshape(n, len(NUMERIC)), level


def level_bucket(level: np.ndarray) -> np.ndarray:
    """Index 0..N_LEVELS-1 of each level's bucket."""
    return np.digitize(level, LEVEL_EDGES)


def expand(num: np.ndarray, level: np.ndarray, category: np.ndarray, n_cat: int) -> np.ndarray:
    """Hinges of the main ratios, level-bucket intercepts and slopes, per-category slopes."""
    ix = {n: i for i, n in enumerate(NUMERIC)}
    cols = [np.maximum(0.0, num[:, ix[name]] - k) for name in HINGED for k in KNOTS]
    onehot = np.zeros((num.shape[0], n_cat))
    onehot[np.arange(num.shape[0]), category] = 1.0
    inter = [onehot * num[:, [ix[name]]] for name in BY_CATEGORY]
    bucket = np.eye(N_LEVELS)[level_bucket(level)]
    by_level = [bucket * num[:, [ix[name]]] for name in BY_LEVEL]
    return np.concatenate([np.stack(cols, axis=1), bucket] + inter + by_level, axis=1)


def expanded_names(categories: list[str]) -> list[str]:
    names = [f"{n}>{k}" for n in HINGED for k in KNOTS]
    names += [f"level={b}" for b in range(N_LEVELS)]
    names += [f"{n}*cat={c}" for n in BY_CATEGORY for c in categories]
    return names + [f"{n}*level={b}" for n in BY_LEVEL for b in range(N_LEVELS)]


def _seasonal_index(city: np.ndarray, target_col: int) -> np.ndarray:
    """log of (count in the target's month of year / trailing 12-month mean), averaged over years."""
    ratios = []
    for j in range(target_col - 12, -1, -12):
        if j >= 11:
            base = city[:, j - 11 : j + 1].mean(axis=1)
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
