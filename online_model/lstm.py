"""A small global LSTM over every series (torch; imported lazily, never by the bot).

Input per series: a window of recent ``log1p`` counts with month-of-year on each step, plus
community and category embeddings and the forecast origin's month; output: log-means for horizons
1..H at once (direct), as multiplicative adjustments of the series' recent level. Trained with the
Poisson likelihood, seeded and reproducible. ``learn_many`` does a full train; ``learn_one`` only
appends the month (forecasts move with the data, weights do not); ``fine_tune`` trains a
challenger copy for a few epochs on the newest months and promotes it only if it beats the champion
on the most recent months neither has trained on (both are kept).

Weights are exported as plain ``state_dict`` tensors (saved with ``torch.save`` and read back with
``weights_only=True`` by the registry); the pickled payload holds no torch objects.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from .base import PanelForecaster
from core.months import month_of_year

MIN_ORIGIN = 11  # first origin column with a year of history


class _Net(nn.Module):
    def __init__(self, n_comm: int, n_cat: int, horizon: int, hidden: int, emb_comm: int,
                 emb_cat: int):
        super().__init__()
        self.comm = nn.Embedding(n_comm, emb_comm)
        self.cat = nn.Embedding(n_cat, emb_cat)
        self.lstm = nn.LSTM(input_size=3 + emb_comm + emb_cat, hidden_size=hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden + emb_comm + emb_cat + 12, hidden), nn.Tanh(),
                                  nn.Linear(hidden, horizon))
        nn.init.zeros_(self.head[2].weight)
        nn.init.zeros_(self.head[2].bias)

    def forward(self, seq, moy_sin, moy_cos, comm, cat, origin_moy, base):
        """``seq`` (B, W) log1p counts; returns log-means (B, H)."""
        ec, eg = self.comm(comm), self.cat(cat)
        w = seq.shape[1]
        static = torch.cat([ec, eg], dim=1)[:, None, :].expand(-1, w, -1)
        x = torch.cat([seq[..., None], moy_sin[..., None], moy_cos[..., None], static], dim=2)
        _, (h, _) = self.lstm(x)
        moy = nn.functional.one_hot(origin_moy, 12).float()
        z = torch.cat([h[-1], ec, eg, moy], dim=1)
        return base[:, None] + self.head(z)


class LSTMForecaster(PanelForecaster):
    """Global LSTM, direct multi-horizon, Poisson loss; champion/challenger fine-tuning."""

    kind = "lstm"

    def __init__(self, max_horizon: int = 6, window: int = 24, hidden: int = 32,
                 emb_comm: int = 8, emb_cat: int = 4, epochs: int = 6, fine_tune_epochs: int = 2,
                 fine_tune_months: int = 12, holdout: int = 2, lr: float = 3e-3,
                 batch_size: int = 512, seed: int = 42, threads: int = 1):
        super().__init__(max_horizon)
        if window < 3 or hidden < 1 or epochs < 1 or holdout < 1:
            raise ValueError("window >= 3, hidden >= 1, epochs >= 1 and holdout >= 1 required")
        self.window = window
        self.hidden = hidden
        self.emb_comm = emb_comm
        self.emb_cat = emb_cat
        self.epochs = epochs
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_months = fine_tune_months
        self.holdout = holdout
        self.lr = lr
        self.batch_size = batch_size
        self.seed = seed
        self.threads = threads
        self._net: _Net | None = None
        self.challenger_: _Net | None = None
        self.trained_through_: str | None = None
        self.fine_tunes_: list[dict] = []
        self._cache: dict = {}
        self._n_updates = 0

    # --- pickling: torch parts travel as weights, not in the pickle ----------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        state["_net"] = None
        state["challenger_"] = None
        state["_cache"] = {}
        state["_net_shape"] = self._shape() if self._net is not None else None
        return state

    def export_weights(self) -> dict:
        out = {}
        if self._net is not None:
            out["champion"] = {k: v.detach().clone() for k, v in self._net.state_dict().items()}
        if self.challenger_ is not None:
            out["challenger"] = {k: v.detach().clone() for k, v in self.challenger_.state_dict().items()}
        return out

    def import_weights(self, weights: dict) -> None:
        shape = getattr(self, "_net_shape", None)
        if "champion" in weights and shape is not None:
            self._net = self._build(*shape)
            self._net.load_state_dict(weights["champion"])
        if "challenger" in weights and shape is not None:
            self.challenger_ = self._build(*shape)
            self.challenger_.load_state_dict(weights["challenger"])
        self._cache = {}

    # --- state --------------------------------------------------------------------------------
    def _shape(self):
        return (self._net.comm.num_embeddings, self._net.cat.num_embeddings)

    def _build(self, n_comm, n_cat) -> _Net:
        torch.manual_seed(self.seed)
        return _Net(n_comm, n_cat, self.max_horizon, self.hidden, self.emb_comm, self.emb_cat)

    def _grow(self, n_new):
        for name in ("_net", "challenger_"):
            net = getattr(self, name)
            if net is not None:
                setattr(self, name, self._widen(net))
        self._cache = {}

    def _widen(self, net: _Net) -> _Net:
        """Grow the embeddings for new communities/categories (new rows start at the mean)."""
        n_comm, n_cat = len(self.communities_), len(self.categories_)
        if net.comm.num_embeddings >= n_comm and net.cat.num_embeddings >= n_cat:
            return net
        new = self._build(max(n_comm, net.comm.num_embeddings), max(n_cat, net.cat.num_embeddings))
        state = net.state_dict()
        for name, n_old in (("comm.weight", net.comm.num_embeddings), ("cat.weight", net.cat.num_embeddings)):
            w = state[name]
            grown = w.mean(dim=0, keepdim=True).repeat(new.state_dict()[name].shape[0], 1)
            grown[:n_old] = w
            state[name] = grown
        new.load_state_dict(state)
        return new

    def _update(self, y):
        self._cache = {}

    def _track_errors(self) -> bool:
        return self._net is not None

    # --- data ---------------------------------------------------------------------------------
    def _tensors(self, origins: np.ndarray, rows: np.ndarray | None = None):
        """Inputs for (series, origin) pairs: every series at each origin column."""
        hist = np.log1p(self.history_)
        n = self.n_series
        rows = np.arange(n) if rows is None else rows
        w = self.window
        padded = np.concatenate([np.zeros((n, w)), hist], axis=1)  # zeros before the first month
        moy0 = month_of_year(self.months_[0]) - 1
        seqs, sins, coss, comm, cat, omoy, base = [], [], [], [], [], [], []
        for t in origins:
            cols = np.arange(t + 1, t + 1 + w)  # in padded coordinates: months t-w+1..t
            seqs.append(padded[rows][:, cols])
            ang = 2 * np.pi * ((moy0 + cols - w) % 12) / 12.0
            sins.append(np.broadcast_to(np.sin(ang), (len(rows), w)))
            coss.append(np.broadcast_to(np.cos(ang), (len(rows), w)))
            comm.append(self._community[rows])
            cat.append(self._group[rows])
            omoy.append(np.full(len(rows), (moy0 + t) % 12))
            recent = self.history_[rows, max(0, t - 11): t + 1].mean(axis=1)
            base.append(np.log(recent + 0.1))
        f = lambda a, dt=torch.float32: torch.as_tensor(np.concatenate(a), dtype=dt)  # noqa: E731
        return (f(seqs), f(sins), f(coss), f(comm, torch.long), f(cat, torch.long),
                f(omoy, torch.long), f(base))

    def _targets(self, origins: np.ndarray, limit: int, rows: np.ndarray | None = None):
        """Targets (B, H) and mask: only target columns ``<= limit``."""
        n = self.n_series
        rows = np.arange(n) if rows is None else rows
        T = self.history_.shape[1]
        ys, ms = [], []
        for t in origins:
            y = np.zeros((len(rows), self.max_horizon))
            m = np.zeros((len(rows), self.max_horizon))
            for h in range(1, self.max_horizon + 1):
                if t + h <= min(limit, T - 1):
                    y[:, h - 1] = self.history_[rows, t + h]
                    m[:, h - 1] = 1.0
            ys.append(y)
            ms.append(m)
        return (torch.as_tensor(np.concatenate(ys), dtype=torch.float32),
                torch.as_tensor(np.concatenate(ms), dtype=torch.float32))

    # --- training -----------------------------------------------------------------------------
    def _train(self, net: _Net, origins: np.ndarray, limit: int, epochs: int, seed: int) -> float:
        torch.set_num_threads(self.threads)
        X = self._tensors(origins)
        y, mask = self._targets(origins, limit)
        keep = mask.sum(dim=1) > 0
        X = tuple(a[keep] for a in X)
        y, mask = y[keep], mask[keep]
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        gen = torch.Generator().manual_seed(seed)
        net.train()
        last = float("nan")
        for _ in range(epochs):
            order = torch.randperm(len(y), generator=gen)
            total, count = 0.0, 0.0
            for start in range(0, len(y), self.batch_size):
                idx = order[start:start + self.batch_size]
                eta = net(*(a[idx] for a in X)).clamp(-15, 8)
                loss_el = (torch.exp(eta) - y[idx] * eta) * mask[idx]
                loss = loss_el.sum() / mask[idx].sum().clamp(min=1)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(net.parameters(), 5.0)
                opt.step()
                total += float(loss_el.detach().sum())
                count += float(mask[idx].sum())
            last = total / max(count, 1)
        net.eval()
        return last

    def _deviance(self, net: _Net, origins: np.ndarray, first_target: int) -> float:
        """Poisson deviance of ``net`` on targets at columns ``>= first_target``."""
        X = self._tensors(origins)
        y, mask = self._targets(origins, self.history_.shape[1] - 1)
        T = self.history_.shape[1]
        cols = (torch.as_tensor(np.repeat(origins, self.n_series))[:, None]
                + torch.arange(1, self.max_horizon + 1)[None, :])
        mask = mask * (cols >= first_target).float() * (cols <= T - 1).float()
        with torch.inference_mode():
            mu = torch.exp(net(*X).clamp(-15, 8))
        yy = y
        term = torch.where(yy > 0, yy * torch.log(yy / mu), torch.zeros_like(yy)) - (yy - mu)
        return float((2 * term * mask).sum() / mask.sum().clamp(min=1))

    def full_train(self, keep_pending: bool = False) -> dict:
        """Train a new champion from scratch on every learned month."""
        T = self.history_.shape[1]
        origins = np.arange(min(MIN_ORIGIN, max(T - 2, 0)), T - 1)
        if len(origins) == 0:
            raise ValueError("need at least two learned months to train the LSTM")
        self._net = self._build(len(self.communities_), len(self.categories_))
        loss = self._train(self._net, origins, T - 1, self.epochs, self.seed)
        self.trained_through_ = self.months_[-1]
        self._cache = {}
        if not keep_pending:
            self._pending = {}
        self._seed_dispersion()
        return {"loss": loss, "epochs": self.epochs, "months": T}

    def refit(self) -> dict:
        """A full train on every learned month (the ensemble calls it after its warm-up)."""
        return self.full_train(keep_pending=True)

    def fine_tune(self) -> dict:
        """Champion/challenger: fine-tune a copy on the newest months (holding out the last
        ``holdout``), compare both on the held-out months, promote the challenger only if better."""
        if self._net is None:
            return {"promoted": True, **self.full_train(), "reason": "no champion: full train"}
        T = self.history_.shape[1]
        limit = T - 1 - self.holdout
        first = max(MIN_ORIGIN, limit - self.fine_tune_months)
        origins = np.arange(first, limit)
        if len(origins) == 0:
            return {"promoted": False, "reason": "not enough months to fine-tune"}
        challenger = copy.deepcopy(self._net)
        self._n_updates += 1
        self._train(challenger, origins, limit, self.fine_tune_epochs, self.seed + self._n_updates)
        eval_origins = np.arange(max(MIN_ORIGIN, limit + 1 - self.max_horizon), T - 1)
        champ = self._deviance(self._net, eval_origins, limit + 1)
        chall = self._deviance(challenger, eval_origins, limit + 1)
        promoted = chall < champ
        self.challenger_ = challenger
        if promoted:
            self.challenger_, self._net = self._net, challenger
            self._cache = {}
        record = {"promoted": bool(promoted), "champion_deviance": champ,
                  "challenger_deviance": chall, "data_through": self.months_[-1],
                  "holdout_months": self.months_[limit + 1:]}
        self.trained_through_ = self.months_[-1]
        self.fine_tunes_.append(record)
        return record

    def learn_many(self, panel) -> None:
        """Append a block of months; the first block trains a champion from scratch."""
        super().learn_many(panel)
        if self._net is None and self.history_.shape[1] >= 3:
            self.full_train()

    def _seed_dispersion(self) -> None:
        """Learn the dispersion from the champion's errors over the last months (in sample)."""
        T = self.history_.shape[1]
        for t in range(max(MIN_ORIGIN, T - 1 - self.dispersion_window - self.max_horizon), T - 1):
            mu = self._mean_at(t, self.max_horizon)
            for h in range(1, self.max_horizon + 1):
                if t + h < T:
                    self._tracker.update(h, self._group, self.history_[:, t + h], mu[:, h - 1],
                                         len(self.categories_))

    # --- forecasting --------------------------------------------------------------------------
    def _mean_at(self, t: int, horizon: int) -> np.ndarray:
        key = (t, self.n_series, id(self._net))
        if key not in self._cache:
            torch.set_num_threads(self.threads)
            X = self._tensors(np.array([t]))
            self._net.eval()
            with torch.inference_mode():
                self._cache[key] = torch.exp(self._net(*X).clamp(-15, 8)).numpy().astype(float)
        return self._cache[key][:, :horizon]

    def _mean(self, horizon):
        t = self.history_.shape[1] - 1
        if self._net is None:  # untrained: the recent mean
            recent = self.history_[:, -6:].mean(axis=1) if t >= 0 else np.zeros(self.n_series)
            return np.repeat(recent[:, None], horizon, axis=1)
        return self._mean_at(t, horizon)
