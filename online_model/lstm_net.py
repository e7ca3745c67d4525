"""The LSTM's network and its rows: windows of centred log counts in, log-means for every horizon
out (:mod:`online_model.lstm` trains and serves it).

A row is one series at one origin month ``t``: the last ``window`` months (zeros before the data
start) as ``log1p`` counts centred on the log1p of the window mean, month of year as sin/cos on each
step, the series' community and category, and that level. The net's output is a correction to
``log(window mean + BASE_EPS)``; its last layer starts at zero, so an untrained net forecasts the
window mean.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from core.months import month_of_year

BASE_EPS = 0.1  # counts: log(window mean + eps) is the level the net corrects


class Net(nn.Module):
    """Embeddings of community and category, an LSTM over the window, a linear head per horizon."""

    def __init__(
        self, n_comm: int, n_cat: int, horizon: int, hidden: int, emb_comm: int, emb_cat: int
    ):
        super().__init__()
        self.comm = nn.Embedding(n_comm, emb_comm)
        self.cat = nn.Embedding(n_cat, emb_cat)
        self.lstm = nn.LSTM(input_size=4 + emb_comm + emb_cat, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, horizon)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, seq, moy_sin, moy_cos, comm, cat, level, base):
        """``seq`` (B, W) centred log1p counts; returns log-means (B, H)."""
        w = seq.shape[1]
        static = torch.cat([self.comm(comm), self.cat(cat), level[:, None]], dim=1)
        x = torch.cat(
            [
                seq[..., None],
                moy_sin[..., None],
                moy_cos[..., None],
                static[:, None, :].expand(-1, w, -1),
            ],
            dim=2,
        )
        _, (h, _) = self.lstm(x)
        return base[:, None] + self.head(h[-1])


def windows(
    history: np.ndarray,
    first_month: str,
    community: np.ndarray,
    group: np.ndarray,
    window: int,
    origins,
    series: list[np.ndarray] | None = None,
):
    """The net's inputs for every series (or ``series[i]`` of origin ``i``) at each origin column
    of ``history`` (series x months, its first column ``first_month``)."""
    w = window
    n_series = history.shape[0]
    counts = np.concatenate([np.zeros((n_series, w)), history], axis=1)  # zeros first
    logs = np.log1p(counts)
    moy0 = month_of_year(first_month) - 1
    seqs, sins, coss, level, base, comms, cats = [], [], [], [], [], [], []
    for i, t in enumerate(origins):
        rows = slice(None) if series is None else series[i]
        n = n_series if series is None else len(series[i])
        cols = np.arange(t + 1, t + 1 + w)  # in padded coordinates: months t-w+1..t
        first = max(0, t - w + 1)
        mean = history[rows, first : t + 1].mean(axis=1)
        lv = np.log1p(mean)
        seqs.append(logs[rows][:, cols] - lv[:, None])
        comms.append(community[rows])
        cats.append(group[rows])
        ang = 2 * np.pi * ((moy0 + cols - w) % 12) / 12.0
        sins.append(np.broadcast_to(np.sin(ang), (n, w)))
        coss.append(np.broadcast_to(np.cos(ang), (n, w)))
        level.append(lv)
        base.append(np.log(mean + BASE_EPS))
    f = lambda a: torch.as_tensor(np.concatenate(a), dtype=torch.float32)  # noqa: E731
    comm = torch.as_tensor(np.concatenate(comms), dtype=torch.long)
    cat = torch.as_tensor(np.concatenate(cats), dtype=torch.long)
    return (f(seqs), f(sins), f(coss), comm, cat, f(level), f(base))


def targets(
    history: np.ndarray,
    max_horizon: int,
    origins,
    limit: int,
    first_target: int = 0,
    series: list[np.ndarray] | None = None,
):
    """Targets (B, H) and their mask: only target columns in ``first_target..limit``."""
    T = history.shape[1]
    n_series = history.shape[0]
    ys, ms = [], []
    for i, t in enumerate(origins):
        rows = slice(None) if series is None else series[i]
        n = n_series if series is None else len(series[i])
        y = np.zeros((n, max_horizon))
        m = np.zeros((n, max_horizon))
        for h in range(1, max_horizon + 1):
            if first_target <= t + h <= min(limit, T - 1):
                y[:, h - 1] = history[rows, t + h]
                m[:, h - 1] = 1.0
        ys.append(y)
        ms.append(m)
    return (
        torch.as_tensor(np.concatenate(ys), dtype=torch.float32),
        torch.as_tensor(np.concatenate(ms), dtype=torch.float32),
    )


def mean_loss(net: Net, X, y, mask, rows) -> float:
    """The Poisson loss per observed target of ``rows`` (the early-stopping check)."""
    net.eval()
    with torch.inference_mode():
        eta = net(*(a[rows] for a in X)).clamp(-15, 12)
        el = (torch.exp(eta) - y[rows] * eta) * mask[rows]
    return float(el.sum() / mask[rows].sum().clamp(min=1))
