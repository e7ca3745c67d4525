"""A small global LSTM over every series (torch; imported lazily, never by the bot).

Input per series and origin (:mod:`online_model.lstm_net`): the last ``window`` months (24: the
same month a year before the target is in the window for every horizon up to 6, twice; with 12 it
drops out from h=2, and on the 2023 backtest the LSTM alone scored deviance 1.0201 with 12 against
1.0039 with 24) centred on their level, month of year, a community and a category embedding.
Output: log-means for horizons 1..H at once (direct) as a correction to log(window mean). Poisson
loss, Adam, mini-batches, a few epochs with early stopping (:mod:`online_model.lstm_fit`); seeded
and reproducible.

Learning never skips the newest month: each ``learn_one`` takes one epoch at ``online_lr`` on the
rows whose target is the month that just arrived (every horizon). ``fine_tune`` trains a
challenger, a copy of the champion, ``fine_tune_epochs`` more epochs over the last
``fine_tune_months`` months (the newest included); it is judged, against the champion, on the *next* month
to arrive, which neither has seen, and is promoted if it forecast that month better. Both nets
learn every month, so the served one is never kept from the newest data. With
``defer_online=True`` (the served ensemble) ``learn_one`` only records the month and judges a
waiting challenger; the epoch on it is :meth:`after_close`, which the month-close follow-up job
runs (the close itself then refreshes the forecasts within a second). Same result, same seed.

A fit holds at most ``max_rows`` windows (origin x series, a seeded sample per origin:
:mod:`online_model.budget`), so its memory and time stay bounded at any number of series; a panel
under the cap (a city) is learned whole. Forecasting always covers every series.

Weights are exported as plain ``state_dict`` tensors (saved with ``torch.save`` and read back with
``weights_only=True`` by the registry); the pickled payload holds no torch objects.
"""

from __future__ import annotations

import numpy as np
import torch

from .base import PanelForecaster
from .lstm_fit import fit
from .lstm_net import Net, mean_loss, targets, windows
from .budget import sample_rows
from .threads import reproducible_torch

MIN_ORIGIN = 11  # first origin column with a year of history


class LSTMForecaster(PanelForecaster):
    """Global LSTM, direct multi-horizon, Poisson loss; learns each month; champion/challenger."""

    kind = "lstm"
    #: bytes a training window takes (3 x window float32 steps, targets, mask, indices), built twice
    ROW_BYTES = 2 * (3 * 24 * 4 + 6 * 4 * 2 + 40)

    def __init__(
        self,
        max_horizon: int = 6,
        window: int = 24,
        hidden: int = 32,
        emb_comm: int = 8,
        emb_cat: int = 8,
        epochs: int = 3,
        lr: float = 3e-3,
        online_lr: float = 1e-3,
        online_epochs: int = 1,
        fine_tune_epochs: int = 1,
        fine_tune_months: int = 12,
        batch_size: int = 1024,
        seed: int = 42,
        threads: int | None = None,
        defer_online: bool = False,
        max_rows: int | None = None,
    ):
        super().__init__(max_horizon)
        self.max_rows = max_rows  # windows one fit learns from at most (None: every window)
        if window < 3 or hidden < 1 or epochs < 1 or online_epochs < 0:
            raise ValueError(
                "window >= 3, hidden >= 1, epochs >= 1 and online_epochs >= 0 required"
            )
        self.window = window
        self.hidden = hidden
        self.emb_comm = emb_comm
        self.emb_cat = emb_cat
        self.epochs = epochs
        self.lr = lr
        self.online_lr = online_lr
        self.online_epochs = online_epochs
        self.fine_tune_epochs = fine_tune_epochs
        self.fine_tune_months = fine_tune_months
        self.batch_size = batch_size
        self.seed = seed
        self.threads = threads
        self.defer_online = defer_online
        self._due: list[int] = []  # months (columns) whose epoch waits for after_close
        self._net: Net | None = None
        self.challenger_: Net | None = None
        self.trained_through_: str | None = None
        self.fine_tuned_through_: str | None = None
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
            out["challenger"] = {
                k: v.detach().clone() for k, v in self.challenger_.state_dict().items()
            }
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

    def _build(self, n_comm, n_cat, seed: int | None = None) -> Net:
        torch.manual_seed(self.seed if seed is None else seed)
        return Net(n_comm, n_cat, self.max_horizon, self.hidden, self.emb_comm, self.emb_cat)

    def _threads(self) -> int:
        """One intra-op thread (reproducible); returns the shard pool's size (speed only)."""
        return reproducible_torch(self.threads)

    def _grow(self, n_new):
        for name in ("_net", "challenger_"):
            net = getattr(self, name)
            if net is not None:
                setattr(self, name, self._widen(net))
        self._cache = {}

    def _widen(self, net: Net) -> Net:
        """Grow the embeddings for new communities/categories (new rows start at the mean)."""
        n_comm, n_cat = len(self.communities_), len(self.categories_)
        if net.comm.num_embeddings >= n_comm and net.cat.num_embeddings >= n_cat:
            return net
        new = self._build(max(n_comm, net.comm.num_embeddings), max(n_cat, net.cat.num_embeddings))
        state = net.state_dict()
        for name, n_old in (
            ("comm.weight", net.comm.num_embeddings),
            ("cat.weight", net.cat.num_embeddings),
        ):
            w = state[name]
            grown = w.mean(dim=0, keepdim=True).repeat(new.state_dict()[name].shape[0], 1)
            grown[:n_old] = w
            state[name] = grown
        new.load_state_dict(state)
        return new

    def _update(self, y):
        """A month arrived: judge a waiting challenger on it, then learn it (one epoch)."""
        self._cache = {}
        if self._net is None:
            return
        T = self.history_.shape[1] - 1
        origins = np.arange(max(MIN_ORIGIN, T - self.max_horizon), T)
        if len(origins) == 0:
            return
        if self.challenger_ is not None:
            self._judge(origins, T)
        if not self.online_epochs:
            self.trained_through_ = self.months_[-1]
        elif getattr(self, "defer_online", False):
            self._due = [*getattr(self, "_due", []), T]
        else:
            self._learn_month(T)

    def _learn_month(self, T: int) -> None:
        """One online epoch (``online_lr``) on the rows whose target is column ``T``."""
        origins = np.arange(max(MIN_ORIGIN, T - self.max_horizon), T)
        self._train(
            self._net,
            origins,
            T,
            self.online_epochs,
            self.seed + T,
            lr=self.online_lr,
            first_target=T,
            valid=False,
        )
        self._cache = {}
        self.trained_through_ = self.months_[T]

    def after_close(self, full: bool = True) -> dict:
        """The deferred epoch(s) on the month(s) learned since the last call (never skipped)."""
        due, self._due = list(getattr(self, "_due", [])), []
        if self._net is None or not due:
            return {}
        for T in due:
            self._learn_month(T)
        return {"epochs_on": [self.months_[T] for T in due]}

    def _judge(self, origins: np.ndarray, T: int) -> None:
        champ = self._deviance(self._net, origins, T)
        chall = self._deviance(self.challenger_, origins, T)
        promoted = chall < champ
        if promoted:
            self._net = self.challenger_
        self.challenger_ = None
        self.fine_tunes_.append(
            {
                "judged_on": self.months_[T],
                "promoted": bool(promoted),
                "champion_deviance": champ,
                "challenger_deviance": chall,
            }
        )

    def _track_errors(self) -> bool:
        return self._net is not None

    # --- data ---------------------------------------------------------------------------------
    def _sample(self, origins: np.ndarray, seed) -> list[np.ndarray] | None:
        """Per origin, the series a fit learns from (None: all of them; see ``max_rows``)."""
        return sample_rows(self.n_series, list(origins), getattr(self, "max_rows", None), seed)

    def _tensors(self, origins: np.ndarray, series: list[np.ndarray] | None = None):
        """Inputs for every series (or ``series[i]`` of origin ``i``) at each origin column."""
        return windows(
            self.history_,
            self.months_[0],
            self._community,
            self._group,
            self.window,
            origins,
            series,
        )

    def _targets(
        self,
        origins: np.ndarray,
        limit: int,
        first_target: int = 0,
        series: list[np.ndarray] | None = None,
    ):
        """Targets (B, H) and mask: only target columns in ``first_target..limit``."""
        return targets(self.history_, self.max_horizon, origins, limit, first_target, series)

    # --- training -----------------------------------------------------------------------------
    def _train(
        self,
        net: Net,
        origins: np.ndarray,
        limit: int,
        epochs: int,
        seed: int,
        lr: float | None = None,
        first_target: int = 0,
        valid: bool = True,
    ) -> float:
        """Poisson-loss epochs over the rows of ``origins`` (targets ``first_target..limit``);
        with ``valid``, a random slice of rows stops training when its loss stops falling."""
        pool = self._threads()
        series = self._sample(origins, (seed, limit))
        X = self._tensors(origins, series)
        y, mask = self._targets(origins, limit, first_target, series)
        lr = self.lr if lr is None else lr
        return fit(net, X, y, mask, epochs, seed, lr, self.batch_size, pool, valid)

    _loss = staticmethod(mean_loss)

    def _deviance(self, net: Net, origins: np.ndarray, target: int) -> float:
        """Poisson deviance of ``net`` on the targets at column ``target`` (every horizon)."""
        self._threads()
        series = self._sample(origins, (self.seed, target))  # the same rows for either net
        X = self._tensors(origins, series)
        y, mask = self._targets(origins, target, target, series)
        with torch.inference_mode():
            mu = torch.exp(net(*X).clamp(-15, 12))
        term = torch.where(y > 0, y * torch.log(y / mu), torch.zeros_like(y)) - (y - mu)
        return float((2 * term * mask).sum() / mask.sum().clamp(min=1))

    def full_train(self, keep_pending: bool = False) -> dict:
        """Train a new champion from scratch on every learned month."""
        T = self.history_.shape[1]
        origins = np.arange(min(MIN_ORIGIN, max(T - 2, 0)), T - 1)
        if len(origins) == 0:
            raise ValueError("need at least two learned months to train the LSTM")
        self._net = self._build(len(self.communities_), len(self.categories_))
        self._due = []  # every learned month is in this training
        loss = self._train(self._net, origins, T - 1, self.epochs, self.seed)
        self.trained_through_ = self.fine_tuned_through_ = self.months_[-1]
        self._cache = {}
        if not keep_pending:
            self._pending = {}
        self._seed_dispersion()
        return {"loss": loss, "epochs": self.epochs, "months": T}

    def fine_tune(self) -> dict:
        """Champion/challenger: a copy of the champion trained ``fine_tune_epochs`` more epochs
        at ``online_lr`` on the last ``fine_tune_months`` months (the newest included); it is
        judged against the champion on the next month to arrive, which neither has seen, and
        promoted if it forecast that month better. Without a champion, train one."""
        if self._net is None:
            return {"promoted": True, **self.full_train(), "reason": "no champion: full train"}
        import copy

        T = self.history_.shape[1]
        first = max(MIN_ORIGIN, T - 1 - self.fine_tune_months)
        origins = np.arange(
            first - self.max_horizon + 1 if first > self.max_horizon else first, T - 1
        )
        origins = origins[origins >= min(MIN_ORIGIN, max(T - 2, 0))]
        if len(origins) == 0:
            raise ValueError("not enough months to fine-tune the LSTM")
        self._n_updates += 1
        challenger = copy.deepcopy(self._net)
        self._train(
            challenger,
            origins,
            T - 1,
            self.fine_tune_epochs,
            self.seed + self._n_updates,
            lr=self.online_lr,
            first_target=first + 1,
            valid=False,
        )
        recent = np.arange(max(MIN_ORIGIN, T - 1 - self.max_horizon), T - 1)
        champ = self._deviance(self._net, recent, T - 1) if len(recent) else float("nan")
        chall = self._deviance(challenger, recent, T - 1) if len(recent) else float("nan")
        self.challenger_ = challenger
        self.fine_tuned_through_ = self.months_[-1]
        return {
            "promoted": False,
            "pending": True,
            "data_through": self.months_[-1],
            "champion_deviance": champ,
            "challenger_deviance": chall,
            "rule": "judged on the next month to arrive (out of sample for both)",
        }

    def learn_many(self, panel) -> None:
        """Learn a block of months; the first block long enough trains a champion from scratch."""
        if self._net is not None:
            super().learn_many(panel)
            return
        online, self.online_epochs = self.online_epochs, 0
        try:
            super().learn_many(panel)
        finally:
            self.online_epochs = online
        if self.history_.shape[1] >= 3:
            self.full_train()

    def _seed_dispersion(self) -> None:
        """Learn the dispersion from the champion's errors over the last months (in sample)."""
        T = self.history_.shape[1]
        for t in range(max(MIN_ORIGIN, T - 1 - self.dispersion_window - self.max_horizon), T - 1):
            mu = self._mean_at(t, self.max_horizon)
            for h in range(1, self.max_horizon + 1):
                if t + h < T:
                    self._tracker.update(
                        h, self._group, self.history_[:, t + h], mu[:, h - 1], len(self.categories_)
                    )

    # --- forecasting --------------------------------------------------------------------------
    def _mean_at(self, t: int, horizon: int) -> np.ndarray:
        key = (t, self.n_series, id(self._net))
        if key not in self._cache:
            self._threads()
            X = self._tensors(np.array([t]))
            self._net.eval()
            with torch.inference_mode():
                self._cache[key] = torch.exp(self._net(*X).clamp(-15, 12)).numpy().astype(float)
        return self._cache[key][:, :horizon]

    def _mean(self, horizon):
        t = self.history_.shape[1] - 1
        if self._net is None:  # untrained: the recent mean
            recent = self.history_[:, -12:].mean(axis=1) if t >= 0 else np.zeros(self.n_series)
            return np.repeat(recent[:, None], horizon, axis=1)
        return self._mean_at(t, horizon)
