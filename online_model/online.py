"""The online model: a River Poisson GLM per horizon over all series, learned one closed month at a
time.

For every horizon ``h`` (1..6, direct forecasts) a ``river.linear_model.LinearRegression`` with the
Poisson loss (log link) learns from feature rows built at origin ``t`` with target month ``t + h``:
recent lags and rolling means, SES levels and same month in earlier years, each as a log ratio
to the series' local level, the community's, category's and city's recent change, seasonality,
one-hot month of year and category (:mod:`online_model.features`). The local level is a
Poisson offset: the GLM learns the *rate* ``y / level`` (target ``y / level``, sample weight
``level`` over its mean, which is the same likelihood), so it starts at "as usual" (all weights 0)
and its learning rates, clipping and penalty mean the same for series of 1 a month and of 500.

When a month closes, each horizon's GLM takes one pass of mini-batch steps over the rows whose
target is that month (prequential: the rows were forecast before they were learned). The first fit
over a long history (the warm fit) runs the same mini-batch Adam on the same likelihood over every
past origin (only data already seen) as torch tensor operations, the step halved each epoch, at
least ``MIN_STEPS`` steps and an L2 penalty worth at least ``PRIOR_ROWS`` rows, so that a panel of
nine city totals is fitted as carefully as one of two thousand series; River then carries on.

Area effects are not design columns: each horizon keeps one shrunk effect per community
(``area_[h]``, an index into a vector, the same L2 penalty and optimiser as the shared weights), so
the design's width stays fixed whatever the number of areas (a dense one-hot column per community
made it grow as series x areas, and River's ``learn_many`` received that as a pandas frame). River
sees the effect as part of the offset (target ``y / (level * exp(u))``, weight ``level * exp(u)``:
the same likelihood and the same gradient for the shared weights); the effect takes River's step
on the same clipped gradient. A fit learns from at most ``max_rows`` rows (origin x series, a
seeded sample per origin: :mod:`online_model.budget`), so its memory and time stay bounded at any
number of series; a panel under the cap (a city) is learned whole. The
online step (``online_lr``) is small on purpose: the annealed warm fit sits near the optimum, and on
the 2023 backtest larger monthly steps only added noise. What the small steps cannot do, follow a
world that moved since the warm fit, the refit does: with ``refit_every=n`` the warm fit is rerun on
every origin seen so far when ``n`` months have closed since the last one (:meth:`after_close`, a
job of its own after the month's close). On the 2020-2023 rolling backtest (first fit on 2018-2019)
the GLM that was never refitted scored deviance 1.114 in 2023 against 1.045 refitted monthly.

>>> import pandas as pd
>>> m = OnlineGLM(seed=1)
>>> m.forecast(3).empty
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from river import linear_model, optim

from core.months import month_of_year

from .base import PanelForecaster
from .budget import sample_rows
from .progress import report
from .features import NUMERIC, expand, expanded_names, numeric_features
from .threads import reproducible_torch
from .totals import CityTotals

MIN_HISTORY = 12  # origins with fewer months of history are not learned from
CLIP = 50.0  # per-row gradient clip, in units of a row of average level (weights are relative)
MIN_STEPS = 400  # optimiser steps of a warm fit, at the least
PRIOR_ROWS = 10.0  # the L2 penalty of a warm fit weighs at least this many rows' worth
ETA_RANGE = (-4.0, 3.0)  # the learned rate stays within exp(-4)..exp(3) times the local level
ADAM = (0.9, 0.999, 1e-8)  # River's Adam (beta1, beta2, eps): the area effects step with it


class OnlineGLM(CityTotals, PanelForecaster):
    """Direct multi-horizon Poisson GLMs (River), global over every (community, category)."""

    kind = "online"
    #: bytes a design row takes in a fit (float32 features, rate, weight, area index, a margin)
    ROW_BYTES = 4 * 160 + 32

    def __init__(
        self,
        max_horizon: int = 6,
        lr: float = 0.04,
        online_lr: float = 0.0001,
        batch_size: int = 1024,
        warm_epochs: int = 6,
        l2: float = 1e-4,
        seed: int = 42,
        online_batch_size: int = 1024,
        refit_every: int = 0,
        max_rows: int | None = None,
    ):
        super().__init__(max_horizon)
        self.max_rows = max_rows  # rows one fit learns from at most (None: every row)
        self.area_: dict[int, np.ndarray] = {h: np.zeros(0) for h in range(1, max_horizon + 1)}
        self._area_adam: dict[int, tuple] = {}  # h -> (m, v) of the area effects' online steps
        if lr <= 0 or online_lr <= 0:
            raise ValueError("learning rates must be > 0")
        if batch_size < 1 or warm_epochs < 1:
            raise ValueError("batch_size and warm_epochs must be >= 1")
        if refit_every < 0:
            raise ValueError("refit_every must be >= 0 (0: never)")
        self.refit_every = refit_every
        self.refitted_through_: str | None = None  # the newest month of the last warm fit
        self.lr = lr
        self.online_lr = online_lr
        self.batch_size = batch_size
        self.online_batch_size = online_batch_size
        self.warm_epochs = warm_epochs
        self.l2 = l2
        self.seed = seed
        self._glms = {h: self._new_glm(lr) for h in range(1, max_horizon + 1)}
        self._rng = np.random.default_rng(seed)
        self._ses = np.zeros((0, 0))
        self._ses_slow = np.zeros((0, 0))
        self._warm = False
        self._bulk = False
        self._deferred = 0  # months learned in bulk before the warm fit
        self._cache: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._wscale: float | None = None  # mean level of the warm fit's rows (sample weights / it)

    def __setstate__(self, state: dict) -> None:
        """A GLM saved with one-hot community columns gets them as area effects."""
        super().__setstate__(state)
        if "area_" not in state:
            self.max_rows = None
            self._area_adam = {}
            self.area_ = {}
            for h, glm in self._glms.items():
                u = np.zeros(len(self.communities_))
                for i, c in enumerate(self.communities_):
                    u[i] = glm._weights.pop(f"com={c}", 0.0)
                self.area_[h] = u

    def _area(self, h: int) -> np.ndarray:
        """Horizon ``h``'s area effects, one per community (new communities start at 0)."""
        u = self.area_.get(h, np.zeros(0))
        if len(u) < len(self.communities_):
            u = np.concatenate([u, np.zeros(len(self.communities_) - len(u))])
            self.area_[h] = u
        return u

    def _new_glm(self, lr):
        return linear_model.LinearRegression(
            optimizer=optim.Adam(lr),
            loss=optim.losses.Poisson(),
            l2=self.l2,
            intercept_lr=lr,
            intercept_init=0.0,
            clip_gradient=CLIP,
        )

    # --- state --------------------------------------------------------------------------------
    def _grow(self, n_new):
        pad = np.zeros((n_new, self._ses.shape[1]))
        self._ses = (
            np.vstack([self._ses, pad]) if self._ses.shape[1] else np.zeros((self.n_series, 0))
        )
        self._ses_slow = (
            np.vstack([self._ses_slow, pad])
            if self._ses_slow.shape[1]
            else np.zeros((self.n_series, 0))
        )

    def _step_levels(self, y):
        """The series' SES levels (features) step on ``y``; nothing global is learned."""
        self._cache.clear()
        prev = self._ses[:, -1] if self._ses.shape[1] else y
        prev_slow = self._ses_slow[:, -1] if self._ses_slow.shape[1] else y
        self._ses = np.hstack([self._ses, (prev + 0.2 * (y - prev))[:, None]])
        self._ses_slow = np.hstack([self._ses_slow, (prev_slow + 0.05 * (y - prev_slow))[:, None]])

    def _update(self, y):
        self._step_levels(y)
        if not self._warm:
            self._deferred += 1
            if not self._bulk and self.history_.shape[1] > MIN_HISTORY + self.max_horizon:
                self._warm_fit()  # enough months seen one by one: fit on all of them
            return
        t_target = self.history_.shape[1] - 1
        for h in range(1, self.max_horizon + 1):
            origin = t_target - h
            if origin >= MIN_HISTORY - 1:
                self._learn_rows(h, [origin], epochs=1, batch_size=self.online_batch_size)

    def learn_many(self, panel: pd.DataFrame) -> None:
        """Learn a block of months; a model that has not been fitted yet takes ``warm_epochs`` over
        every origin of the block first, then steps on month by month as usual."""
        if self._warm or panel.shape[1] <= MIN_HISTORY + self.max_horizon + 6:
            super().learn_many(panel)
            return
        # hold out the last months of the block so that dispersion is learned out of sample
        split = panel.shape[1] - self.dispersion_window
        self._bulk = True
        try:
            super().learn_many(panel.iloc[:, :split])
        finally:
            self._bulk = False
        self._warm_fit()
        super().learn_many(panel.iloc[:, split:])

    def refit(self) -> None:
        """Fit fresh GLMs on every origin learned so far (a full train; the learned dispersion and
        the series are kept)."""
        self._glms = {h: self._new_glm(self.lr) for h in range(1, self.max_horizon + 1)}
        self._rng = np.random.default_rng(self.seed)
        self._warm_fit()

    def after_close(self, full: bool = True) -> dict:
        """Refit (a full warm fit on every origin seen) when ``refit_every`` months have closed
        since the last fit; ``full=False`` never refits."""
        if not (full and self._warm and getattr(self, "refit_every", 0)):
            return {}
        since = getattr(self, "refitted_through_", None)
        months = len(self.months_) - (self.months_.index(since) + 1 if since in self.months_ else 0)
        if months < self.refit_every:
            return {}
        self.refit()
        return {"refit": True, "data_through": self.last_month, "months_since": months}

    def _track_errors(self) -> bool:
        return self._warm

    def _warm_fit(self) -> None:
        """Several epochs over every origin learned so far (only months already seen).

        The same mini-batch Adam on the same Poisson likelihood as the online steps, with the step
        halved each epoch so the fit settles near the optimum, but run as torch tensor operations
        (River steps one dict at a time: about 10x slower here); the fitted weights are then
        handed to each horizon's River GLM, which carries on learning month by month.
        """
        import torch

        t_last = self.history_.shape[1] - 1
        cols = self._columns()
        reproducible_torch()
        gen = torch.Generator().manual_seed(self.seed)
        for h, glm in self._glms.items():
            glm.intercept = 0.0
            origins = list(range(MIN_HISTORY - 1, t_last - h + 1))
            if origins:
                X, rate, weight, area = (
                    torch.as_tensor(a) for a in self._rows(h, origins, sample=True)
                )
                w = torch.zeros(X.shape[1], requires_grad=True)
                b = torch.zeros(1, requires_grad=True)
                u = torch.zeros(len(self.communities_), requires_grad=True)
                # the penalty as a fixed number of pseudo-rows: it bites where rows are few
                decay = max(self.l2, PRIOR_ROWS / len(rate))
                opt = torch.optim.Adam(
                    [{"params": [w, u], "weight_decay": decay}, {"params": [b]}], lr=self.lr
                )
                lo, hi = ETA_RANGE
                # a small panel (a city's few totals) gets smaller batches and more epochs: the
                # fit takes at least MIN_STEPS steps whatever the panel's size
                batch = int(min(self.batch_size, max(32, len(rate) // 64)))
                per_epoch = -(-len(rate) // batch)
                epochs = max(self.warm_epochs, -(-MIN_STEPS // per_epoch))
                for epoch in range(epochs):
                    report(
                        "online GLM fit",
                        int(100 * (h - 1 + epoch / epochs)),
                        100 * self.max_horizon,
                    )
                    for group in opt.param_groups:
                        group["lr"] = self.lr * 0.5 ** (epoch * self.warm_epochs / epochs)
                    order = torch.randperm(len(rate), generator=gen)
                    for start in range(0, len(rate), batch):
                        idx = order[start : start + batch]
                        eta = (X[idx] @ w + b + u[area[idx]]).clamp(lo, hi)
                        loss = (weight[idx] * (torch.exp(eta) - rate[idx] * eta)).mean()
                        opt.zero_grad()
                        loss.backward()
                        opt.step()
                for c, v in zip(cols, w.detach().numpy().astype(float)):
                    glm._weights[c] = v
                glm.intercept = float(b.detach()[0])
                self.area_[h] = u.detach().numpy().astype(float)
                self._area_adam.pop(h, None)
                del X, rate, weight, area  # the next horizon's design takes their place
            report("online GLM fit", 100 * h, 100 * self.max_horizon)
            glm.optimizer.lr = optim.schedulers.Constant(self.online_lr)
            glm.intercept_lr = optim.schedulers.Constant(self.online_lr)
        self._warm = True
        self.refitted_through_ = self.months_[-1] if self.months_ else None
        self._cache.clear()

    def _rows(
        self, h: int, origins: list[int], sample: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Design (float32), rate target ``y / level``, sample weight ``level / scale`` and area
        index of each row; with ``sample``, at most ``max_rows`` rows (a seeded sample per origin)."""
        picks = (
            sample_rows(
                self.n_series,
                origins,
                getattr(self, "max_rows", None),
                (self.seed, h, len(self.months_)),
            )
            if sample
            else None
        )
        sizes = [self.n_series if picks is None else len(p) for p in picks or origins]
        total = int(sum(sizes))
        X = np.empty((total, len(self._columns())), dtype=np.float32)
        level, y = np.empty(total), np.empty(total)
        area = np.empty(total, dtype=np.int64)
        at = 0
        for i, t in enumerate(origins):  # filled in place: the warm fit's design is large
            rows = None if picks is None else picks[i]
            end = at + sizes[i]
            X[at:end], level[at:end] = self._design(t, h, cache=False, rows=rows)
            y[at:end] = self.history_[:, t + h] if rows is None else self.history_[rows, t + h]
            area[at:end] = self._community if rows is None else self._community[rows]
            at = end
        if getattr(self, "_wscale", None) is None:
            self._wscale = float(max(level.mean(), 1e-6))
        return (X, (y / level).astype(np.float32), (level / self._wscale).astype(np.float32), area)

    def _learn_rows(
        self, h: int, origins: list[int], epochs: int, batch_size: int | None = None
    ) -> None:
        X, rate, weight, area = self._rows(h, origins, sample=True)
        cols = self._columns()
        glm = self._glms[h]
        u = self._area(h)
        batch = batch_size or self.batch_size
        for _ in range(epochs):
            order = self._rng.permutation(len(rate))
            for start in range(0, len(rate), batch):
                idx = order[start : start + batch]
                # the area effect rides in the offset: River's gradient is the full model's
                shift = np.exp(u[area[idx]])
                r, wt = rate[idx] / shift, weight[idx] * shift
                self._area_step(h, glm, X[idx], cols, r, wt, area[idx])
                glm.learn_many(pd.DataFrame(X[idx], columns=cols), pd.Series(r), w=pd.Series(wt))

    def _area_step(self, h, glm, X, cols, rate, weight, area) -> None:
        """One step of horizon ``h``'s area effects on the clipped gradient River's batch step
        takes (before it), with River's Adam and L2 (as the one-hot columns they replace)."""
        u = self._area(h)
        w = np.array([glm._weights.get(c, 0.0) for c in cols])
        eta = X @ w + glm.intercept
        g = np.clip(weight * (np.exp(eta) - rate), -CLIP, CLIP)
        grad = np.bincount(area, weights=g, minlength=len(u)) / len(g) + self.l2 * u
        b1, b2, eps = ADAM
        m, v = self._area_adam.get(h, (np.zeros(len(u)), np.zeros(len(u))))
        if len(m) < len(u):
            m, v = (np.concatenate([a, np.zeros(len(u) - len(a))]) for a in (m, v))
        step = glm.optimizer.n_iterations + 1
        lr = glm.optimizer.learning_rate * (1 - b2**step) ** 0.5 / (1 - b1**step)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        self.area_[h] = u - lr * m / (np.sqrt(v) + eps)
        self._area_adam[h] = (m, v)

    # --- features -----------------------------------------------------------------------------
    def _columns(self) -> list[str]:
        return (
            NUMERIC
            + expanded_names(self.categories_)
            + [f"moy={m}" for m in range(1, 13)]
            + [f"cat={c}" for c in self.categories_]
        )

    def _design(
        self, t: int, h: int, cache: bool = True, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(X, level)`` for origin ``t`` and horizon ``h`` (of the series ``rows``, else all)."""
        key = (t, h, self.n_series)
        cached = self._cache.get(key) if rows is None else None
        if cached is not None:
            return cached
        moy0 = month_of_year(self.months_[0])
        num, level = numeric_features(
            self.history_,
            self._ses,
            self._ses_slow,
            self._community,
            self._group,
            moy0,
            t,
            h,
            rows=rows,
            totals=self._city_totals(),
        )
        group = self._group if rows is None else self._group[rows]
        n = len(level)
        target_moy = (moy0 - 1 + t + h) % 12
        moy = np.zeros((n, 12))
        moy[:, target_moy] = 1.0
        cat = np.zeros((n, len(self.categories_)))
        cat[np.arange(n), group] = 1.0
        extra = expand(num, level, group, len(self.categories_))
        X = np.concatenate([num, extra, moy, cat], axis=1)
        if cache and rows is None:
            self._cache[key] = (X, level)
        return X, level

    def _mean(self, horizon):
        t = self.history_.shape[1] - 1
        cols = self._columns()
        out = np.empty((self.n_series, horizon))
        for h in range(1, horizon + 1):
            glm = self._glms[h]
            X, level = self._design(t, h)
            if not self._warm:  # not fitted yet: the local level
                out[:, h - 1] = level
                continue
            w = np.array([glm._weights.get(c, 0.0) for c in cols])
            eta = X @ w + glm.intercept + self._area(h)[self._community]
            out[:, h - 1] = level * np.exp(np.clip(eta, *ETA_RANGE))
        return out
