"""The served model: a weighted mean of member forecasters whose weights adapt, month by month, to
each member's recent Poisson deviance, per category and horizon.

Each time a month closes, the members' own stored forecasts for that month (made 1..H months
earlier) are scored against what happened; the weights for a (category, horizon) are the convex
combination that would have minimised the deviance over the last ``window`` months (solved by
exponentiated gradient, shrunk toward the pooled weights of the horizon). A second, online stage
then recalibrates the combination per (category, horizon): a two-parameter Poisson GLM
``log mean = a + b * (log(combined + eps) - centre)`` fitted by likelihood on the combination's own
out-of-sample forecasts of the last ``window`` months, recent months weighing more (shrunk toward
the horizon's pooled fit, which is shrunk toward the identity). It corrects what convex weights
cannot: a combination that is too flat or too steep across levels, and the level drift of the
horizon. Dispersion of the served forecast is learned from its own errors like any other model.

Work that may follow a month's close in a job of its own (the LSTM's epoch on the new month, the
online GLM's refit on all history) is :meth:`Ensemble.after_close`: ``learn_one`` runs it at once
unless the caller defers it (``with model.deferring(): model.learn_one(...)``), as the month-close
job does so that the served forecasts are refreshed within a second; the follow-up job then calls
``after_close()``. Either way the model ends in the same state.

>>> from online_model.baselines import SES, SeasonalNaive
>>> e = Ensemble({"ses": SES(0.2), "snaive": SeasonalNaive()})
>>> e.learn_one("2023-01", {("A", "x"): 3})
>>> float(e.forecast(1)["mean"].iloc[0])
3.0
"""

from __future__ import annotations

from collections import deque
from typing import Mapping

import contextlib
from typing import Iterator

import numpy as np
import pandas as pd

from .base import PanelForecaster
from .progress import report

CALIB_EPS = 0.01  # log(combined + eps): keeps near-zero forecasts finite
CALIB_LAMBDA = 3000.0  # pull of a category's calibration toward its horizon's pooled fit
CALIB_PRIOR_OBS = 300.0  # pull of the pooled calibration toward the identity, in observations
#: weight of a calibration month against the next newer one (half-life about 4 months): after a
#: level shift a calibration fitted on 12 equally weighted months keeps correcting for the old
#: level once the members have caught up (on the 2020-2023 rolling backtest, equal weights lost to
#: SES at sector level in 2020 and 2022; with this decay the ensemble beat it every year)
CALIB_DECAY = 0.85
#: pseudo-observations of the prior weights (equal over the core members, those that hold at any
#: panel size: the served model names the online GLM and SES, not the LSTM, a global net that
#: needs many series to learn from): a panel of a few series (a city's totals) has little
#: evidence about weights and a level shift can make last year's best member this year's worst;
#: a panel of thousands of series barely feels it
PRIOR_STRENGTH = 300.0


class Ensemble(PanelForecaster):
    """Combine ``members`` (name -> forecaster) with online, per-category weights."""

    kind = "ensemble"

    def __init__(
        self,
        members: Mapping[str, PanelForecaster],
        window: int = 12,
        shrink: float = 0.3,
        max_horizon: int = 6,
        calibrate: bool = True,
        prior: tuple[str, ...] = (),
        prior_strength: float = PRIOR_STRENGTH,
    ):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        if not 0 <= shrink <= 1:
            raise ValueError("shrink must be in [0, 1]")
        super().__init__(max_horizon)
        self.members = dict(members)
        self.window = window
        self.shrink = shrink
        self._scores: dict[int, deque] = {
            h: deque(maxlen=window) for h in range(1, max_horizon + 1)
        }
        self.weights_: dict[int, np.ndarray] = {}  # h -> (n_groups, n_members)
        self.health_: deque = deque(maxlen=24)  # per month: one-step MAE of self and members
        self.calibrate = calibrate
        core = [n for n in prior if n in self.members] or list(self.members)
        self.prior_ = np.array([1.0 if n in core else 0.0 for n in self.members]) / len(core)
        self.prior_strength = prior_strength
        self.calibration_: dict[int, np.ndarray] = {}  # h -> (n_groups, 2): a, b per category
        self._calib_scores: dict[int, deque] = {
            h: deque(maxlen=window) for h in range(1, max_horizon + 1)
        }
        self._convex: dict[str, np.ndarray] = {}  # origin -> combined means before calibration
        self._bulk = False
        self._defer = False

    @property
    def names(self) -> list[str]:
        return list(self.members)

    def learn_many(self, panel: pd.DataFrame) -> None:
        """Members learn the bulk of a long block in their own (faster) way; the last ``window``
        months are then stepped one by one so that the weights learn out of sample."""
        split = panel.shape[1] - self.window if not self.months_ else 0
        if split > 24:
            for m in self.members.values():
                m.learn_many(panel.iloc[:, :split])
            self._bulk = True
            try:
                super().learn_many(panel.iloc[:, :split])
            finally:
                self._bulk = False
            self._stepping = True  # refits wait for the end of the block (one, below)
            steps = panel.shape[1] - split
            try:
                for j in range(steps):  # month by month, the same as one block, with progress
                    report("ensemble weights (months stepped)", j, steps)
                    super().learn_many(panel.iloc[:, split + j : split + j + 1])
                report("ensemble weights (months stepped)", steps, steps)
            finally:
                self._stepping = False
            # the weights have learned from out-of-sample forecasts; now let members that can
            # refit on the whole block do so (the online GLM's small monthly steps would otherwise
            # leave its last months under-learned; the LSTM learned each month as it came)
            for m in self.members.values():
                if hasattr(m, "refit"):
                    m.refit()
            return
        super().learn_many(panel)

    def export_weights(self) -> dict:
        """torch weights of members that have them, as ``{"member.part": state_dict}``."""
        out = {}
        for name, m in self.members.items():
            if hasattr(m, "export_weights"):
                out.update({f"{name}.{k}": v for k, v in m.export_weights().items()})
        return out

    def import_weights(self, weights: dict) -> None:
        for name, m in self.members.items():
            if hasattr(m, "import_weights"):
                prefix = f"{name}."
                m.import_weights(
                    {k[len(prefix) :]: v for k, v in weights.items() if k.startswith(prefix)}
                )

    def _grow(self, n_new):
        for m in self.members.values():
            m._add_series(self.series_[-n_new:])

    def _rows(self, member: PanelForecaster) -> np.ndarray:
        return np.array([member._index[k] for k in self.series_], dtype=int)

    def _update(self, y):
        if self._bulk:
            return
        month = self.months_[-1]
        t = self.history_.shape[1] - 1
        self._record_health(month, t, y)
        # score what each member said about this month, before it learns the month
        for h in range(1, self.max_horizon + 1):
            if t - h < 0:
                continue
            origin = self.months_[t - h]
            cols = []
            for m in self.members.values():
                past = m._pending.get(origin)
                if past is None or past.shape[1] < h:
                    break
                rows = self._rows(m)
                ok = rows < past.shape[0]
                col = np.full(self.n_series, np.nan)
                col[ok] = past[rows[ok], h - 1]
                cols.append(col)
            else:
                mu = np.stack(cols, axis=1)
                keep = np.all(np.isfinite(mu), axis=1)
                self._scores[h].append((self._group[keep], y[keep], mu[keep]))
                self._fit_weights(h)
            conv = getattr(self, "_convex", {}).get(origin)
            if conv is not None and getattr(self, "calibrate", False) and conv.shape[1] >= h:
                n = conv.shape[0]
                self._calib_scores[h].append((self._group[:n], y[:n], conv[:, h - 1]))
                self._fit_calibration(h)
        counts = {k: v for k, v in zip(self.series_, y) if v}
        for m in self.members.values():
            if m.last_month is None or m.last_month < month:
                m.learn_one(month, counts)
        if not getattr(self, "_defer", False):
            self._after_members(full=not getattr(self, "_stepping", False))

    @contextlib.contextmanager
    def deferring(self) -> Iterator[None]:
        """Within this block ``learn_one`` leaves :meth:`after_close` to the caller."""
        self._defer = True
        try:
            yield
        finally:
            self._defer = False

    def after_close(self) -> dict:
        """What may follow a month's close: each member's own ``after_close`` (the LSTM's epoch on
        the new month, the online GLM's refit when due); the forecasts kept for scoring are then
        restated, so that the weights learn from what was served. Returns what each member did."""
        done = self._after_members(full=True)
        if done:
            self.restate()
        return done

    def _after_members(self, full: bool) -> dict:
        done = {}
        for name, m in self.members.items():
            did = m.after_close(full=full)
            if did:
                m.restate()
                done[name] = did
        return done

    def _record_health(self, month: str, t: int, y: np.ndarray) -> None:
        if t < 1:
            return
        origin = self.months_[t - 1]
        own = self._pending.get(origin)
        if own is None:
            return
        n = own.shape[0]
        rec = {"month": month, "n": int(n), self.kind: float(np.mean(np.abs(own[:, 0] - y[:n])))}
        for name, m in self.members.items():
            past = m._pending.get(origin)
            if past is not None:
                rows = self._rows(m)[:n]
                ok = rows < past.shape[0]
                rec[name] = float(np.mean(np.abs(past[rows[ok], 0] - y[:n][ok])))
        self.health_.append(rec)

    def health(self, months: int = 6) -> dict:
        """Recent one-step MAE of the ensemble and of each member (``{"mae": {...}, "months": n}``)."""
        recent = list(self.health_)[-months:]
        names = [self.kind] + self.names
        mae = {
            n: float(np.mean([r[n] for r in recent if n in r]))
            for n in names
            if any(n in r for r in recent)
        }
        return {
            "mae": mae,
            "months": len(recent),
            "through": recent[-1]["month"] if recent else None,
        }

    def _fit_weights(self, h: int) -> None:
        g = np.concatenate([s[0] for s in self._scores[h]])
        y = np.concatenate([s[1] for s in self._scores[h]])
        mu = np.maximum(np.concatenate([s[2] for s in self._scores[h]]), 1e-4)
        k = mu.shape[1]
        prev_pooled = getattr(self, "_pooled", {}).get(h)
        start = (
            prev_pooled
            if prev_pooled is not None and len(prev_pooled) == k
            else np.full(k, 1.0 / k)
        )
        pooled = _eg_weights(y, mu, start)
        self._pooled = {**getattr(self, "_pooled", {}), h: pooled}
        prior = getattr(self, "prior_", np.full(k, 1.0 / k))
        n0 = getattr(self, "prior_strength", 0.0)
        shrunk = (len(y) * pooled + n0 * prior) / (len(y) + n0)
        n_groups = len(self.categories_)
        w = np.tile(shrunk, (n_groups, 1))
        for gi in range(n_groups):
            sel = g == gi
            if sel.sum() >= 50:
                own = _eg_weights(y[sel], mu[sel], pooled)
                w[gi] = (1 - self.shrink) * own + self.shrink * pooled
                w[gi] = (sel.sum() * w[gi] + n0 * prior) / (sel.sum() + n0)
        self.weights_[h] = w

    def _fit_calibration(self, h: int) -> None:
        g = np.concatenate([s[0] for s in self._calib_scores[h]])
        y = np.concatenate([s[1] for s in self._calib_scores[h]])
        comb = np.concatenate([s[2] for s in self._calib_scores[h]])
        months = len(self._calib_scores[h])
        rw = np.concatenate(
            [
                np.full(len(s[1]), CALIB_DECAY ** (months - 1 - i))
                for i, s in enumerate(self._calib_scores[h])
            ]
        )
        x = np.log(comb + CALIB_EPS)
        # centred where the data weigh most, so that a clipped slope cannot move the level, and
        # penalties in units of the mean count, so that they pull as hard at any scale
        center = float(np.sum(comb * x) / max(np.sum(comb), 1e-9))
        scale = max(float(np.mean(y)), 1e-3)
        X = np.stack([np.ones_like(x), x - center], axis=1)
        n_groups = len(self.categories_)
        prev = self.calibration_.get(h)
        if getattr(self, "_calib_center", {}).get(h) != center:
            prev = None
        identity = np.array([center, 1.0])
        pooled = _poisson_fit(
            X,
            y,
            identity,
            lam=scale * (rw.sum() / 1e4 + CALIB_PRIOR_OBS),
            start=identity,
            weight=rw,
        )
        out = np.tile(pooled, (n_groups, 1))
        for gi in range(n_groups):
            sel = g == gi
            if sel.sum() >= 50:
                start = prev[gi] if prev is not None and gi < len(prev) else pooled
                out[gi] = _poisson_fit(
                    X[sel], y[sel], pooled, lam=scale * CALIB_LAMBDA, start=start, weight=rw[sel]
                )
        out[:, 1] = np.clip(out[:, 1], 0.5, 1.5)
        self.calibration_[h] = out
        self._calib_center = {**getattr(self, "_calib_center", {}), h: center}

    def member_forecasts(self, horizon: int) -> dict[str, np.ndarray]:
        """Each member's means ``(n_series, horizon)``, aligned to the ensemble's series."""
        out = {}
        for name, m in self.members.items():
            if not m.months_ or m.n_series == 0:
                out[name] = np.zeros((self.n_series, horizon))
                continue
            # means only: a member's dispersion is not used here, and refitting it for every
            # member at every month close was a fifth of the close's time
            mean = np.maximum(np.asarray(m._mean(horizon), dtype=float), 0.0)
            out[name] = mean[self._rows(m)]
        return out

    def _mean(self, horizon):
        fc = self.member_forecasts(horizon)
        mu = np.stack([fc[n] for n in self.names], axis=2)  # (n, horizon, k)
        out = np.empty((self.n_series, horizon))
        k = mu.shape[2]
        for h in range(1, horizon + 1):
            w = self.weights_.get(h)
            if w is None:
                known = [x for x in self.weights_ if x <= h] or list(self.weights_)
                w = self.weights_[max(known)] if known else None
            if w is None:
                wr = np.full((self.n_series, k), 1.0 / k)
            else:
                g = np.minimum(self._group, w.shape[0] - 1)
                wr = w[g]
            out[:, h - 1] = (mu[:, h - 1, :] * wr).sum(axis=1)
        if horizon == self.max_horizon and self.months_:
            convex = getattr(self, "_convex", {})
            convex[self.last_month] = out.copy()
            cutoff = self.months_[max(0, len(self.months_) - self.max_horizon - 1)]
            self._convex = {m: v for m, v in convex.items() if m >= cutoff}
        calib = getattr(self, "calibration_", {})
        if getattr(self, "calibrate", False) and calib:
            for h in range(1, horizon + 1):
                c = calib.get(h)
                if c is None:
                    c = calib[min(calib, key=lambda k: abs(k - h))]
                centers = getattr(self, "_calib_center", {})
                center = centers.get(
                    h, centers[min(centers, key=lambda k: abs(k - h))] if centers else 0.0
                )
                g = np.minimum(self._group, c.shape[0] - 1)
                eta = c[g, 0] + c[g, 1] * (np.log(out[:, h - 1] + CALIB_EPS) - center)
                out[:, h - 1] = np.exp(np.clip(eta, -20, 10))
        return out

    def weights_frame(self) -> pd.DataFrame:
        """Current weights: one row per (horizon, category), one column per member."""
        rows = []
        for h, w in sorted(self.weights_.items()):
            for gi, cat in enumerate(self.categories_[: w.shape[0]]):
                rows.append({"h": h, "category": cat, **dict(zip(self.names, w[gi]))})
        return pd.DataFrame(rows)


def _poisson_fit(
    X: np.ndarray,
    y: np.ndarray,
    prior: np.ndarray,
    lam: float,
    start: np.ndarray,
    iters: int = 30,
    tol: float = 1e-7,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Poisson GLM (log link) by Newton steps, rows weighted by ``weight``, with a ridge penalty
    ``lam`` toward ``prior``."""
    b = np.asarray(start, float).copy()
    eye = lam * np.eye(X.shape[1])
    wt = np.ones(len(y)) if weight is None else np.asarray(weight, float)
    for _ in range(iters):
        mu = np.exp(np.clip(X @ b, -20, 10))
        grad = X.T @ (wt * (y - mu)) - lam * (b - prior)
        step = np.linalg.solve((X * (wt * mu)[:, None]).T @ X + eye, grad)
        b = b + step
        if np.abs(step).max() < tol:
            break
    return b


def _eg_weights(
    y: np.ndarray,
    mu: np.ndarray,
    w0: np.ndarray,
    steps: int = 150,
    eta: float = 0.5,
    tol: float = 1e-6,
) -> np.ndarray:
    """Convex weights minimising the mean Poisson deviance of ``mu @ w`` (exponentiated gradient,
    started from ``w0``: last month's weights, so a few steps usually suffice)."""
    w = np.asarray(w0, float).copy()
    mu_t = np.ascontiguousarray(mu.T)
    n = len(y)
    for _ in range(steps):
        comb = np.maximum(mu_t.T @ w, 1e-6)
        grad = 2.0 * (mu_t @ (1.0 - y / comb)) / n
        scale = np.abs(grad).max()
        if scale < 1e-9:
            break
        new = w * np.exp(-eta * grad / scale)
        new /= new.sum()
        done = np.abs(new - w).max() < tol
        w = new
        if done:
            break
    return w
