"""Threads for torch that change the speed, never the result.

A reduction split over a team of threads adds up in an order that depends on the team's size, so
the same training on 1 and on 2 intra-op threads differs in the last bits, and the difference grows
over epochs (0.035 in an LSTM mean between two backtests of one month, when the count followed the
load average). An audit must reproduce a forecast, so every torch operation here runs on **one**
intra-op thread (its result is then a function of its inputs alone), and the parallelism is
data-parallel instead: :func:`map_shards` cuts a batch into a fixed number of shards
(:data:`SHARDS`, whatever the machine), runs them on a pool of threads (torch releases the GIL inside
an operation) and hands their results back in shard order, so the caller combines them in an order
fixed by the data. The pool's size, :func:`torch_threads` (the allowed cores not already busy, or
``CRIMECAST_TORCH_THREADS``), changes how fast, never what.

On a shared machine a team of threads that waits for a core it cannot get is far slower than one
thread (measured on 2 shared cores at load 5: an LSTM train took 75 s on 2 intra-op threads, 11 s on
1), which is why the pool follows the load.

>>> import numpy as np
>>> map_shards(lambda rows: int(rows.sum()), np.arange(10), shards=3)
[3, 12, 30]
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Callable, TypeVar

SHARDS = 4  # the split of a batch; part of the result (like the seed), so never the core count
T = TypeVar("T")


def cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def torch_threads() -> int:
    """Worker threads for :func:`map_shards`: the allowed cores not already busy (at least 1)."""
    forced = os.environ.get("CRIMECAST_TORCH_THREADS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    n = cores()
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)  # the load beyond this process's own
    except OSError:  # pragma: no cover
        others = 0.0
    return max(1, min(n, int(n - others + 0.5)))


def reproducible_torch(threads: int | None = None) -> int:
    """Put torch's operations on one intra-op thread and return the pool size for
    :func:`map_shards` (``threads`` when given, else :func:`torch_threads`)."""
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    return max(1, threads or torch_threads())


@lru_cache(maxsize=4)
def _pool(size: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="crimecast-torch")


def shard_bounds(n: int, shards: int = SHARDS) -> list[tuple[int, int]]:
    """``shards`` contiguous ``(start, stop)`` ranges covering ``range(n)`` (empty ones dropped).

    >>> shard_bounds(10, 4)
    [(0, 2), (2, 5), (5, 7), (7, 10)]
    >>> shard_bounds(2, 4)
    [(0, 1), (1, 2)]
    """
    edges = [n * i // shards for i in range(shards + 1)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def map_shards(fn: Callable[..., T], rows, threads: int = 1, shards: int = SHARDS) -> list[T]:
    """``fn`` applied to each of ``shards`` fixed slices of ``rows``, results in slice order.

    The slices depend only on ``len(rows)`` and ``shards``; ``threads`` only sets how many run at
    once (call :func:`reproducible_torch` first so that each runs on one intra-op thread).
    """
    parts = [rows[a:b] for a, b in shard_bounds(len(rows), shards)]
    if threads <= 1 or len(parts) <= 1:
        return [fn(p) for p in parts]
    return list(_pool(min(threads, len(parts))).map(fn, parts))
