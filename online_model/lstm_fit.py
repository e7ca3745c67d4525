"""The LSTM's training loop: Poisson-loss epochs of Adam over mini-batches, each batch's gradient
summed over fixed shards in a fixed order (the same numbers on any number of threads), early
stopping on a random slice of the rows. Seeded: the same rows, seed and settings give the same net.
"""

from __future__ import annotations

import torch
from torch import nn

from .lstm_net import BASE_EPS, Net, mean_loss
from .progress import report
from .threads import map_shards

VALID_SHARE = 0.05  # rows held out (at random) to stop training early


def fit(
    net: Net,
    X: tuple,
    y: torch.Tensor,
    mask: torch.Tensor,
    epochs: int,
    seed: int,
    lr: float,
    batch_size: int,
    pool,
    valid: bool = True,
) -> float:
    """Train ``net`` in place on the rows with a target; returns the last epoch's mean loss.
    With ``valid``, a random slice of rows stops training when its loss stops falling (and the
    best epoch's weights are kept); a full train also reports its progress."""
    keep = torch.nonzero(mask.sum(dim=1) > 0).ravel()
    gen = torch.Generator().manual_seed(seed)
    val = torch.zeros(0, dtype=torch.long)
    if valid and len(keep) > 1000:
        perm = keep[torch.randperm(len(keep), generator=gen)]
        n_val = int(len(keep) * VALID_SHARE)
        val, keep = perm[:n_val], perm[n_val:]
    params = list(net.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    best, best_state, last = float("inf"), None, float("nan")
    per_epoch = -(-len(keep) // batch_size)
    for epoch in range(epochs):
        net.train()
        order = keep[torch.randperm(len(keep), generator=gen)]
        total, count = 0.0, 0.0
        for start in range(0, len(order), batch_size):
            if valid and start % (50 * batch_size) == 0:  # a full train: say where it is
                report(
                    "LSTM training",
                    epoch * per_epoch + start // batch_size,
                    epochs * per_epoch,
                )
            idx = order[start : start + batch_size]
            n_obs = mask[idx].sum().clamp(min=1)
            # the loss in units of the batch's mean count: steps mean the same at any scale
            scale = (y[idx] * mask[idx]).sum() / n_obs + BASE_EPS

            def shard(rows, n_obs=n_obs, scale=scale):  # a shard's gradient, added in order
                eta = net(*(a[rows] for a in X)).clamp(-15, 12)
                loss_el = (torch.exp(eta) - y[rows] * eta) * mask[rows]
                grads = torch.autograd.grad(loss_el.sum() / n_obs / scale, params)
                return grads, float(loss_el.detach().sum())

            parts = map_shards(shard, idx, pool)
            for p, gs in zip(params, zip(*(g for g, _ in parts))):
                p.grad = torch.stack(gs).sum(dim=0)
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            total += sum(s for _, s in parts)
            count += float(n_obs)
        last = total / max(count, 1)
        if len(val):
            v = mean_loss(net, X, y, mask, val)
            if v >= best:
                break
            best, best_state = v, {k: t.clone() for k, t in net.state_dict().items()}
    if valid:
        report("LSTM training", epochs * per_epoch, epochs * per_epoch)
    if best_state is not None:
        net.load_state_dict(best_state)
    net.eval()
    return last
