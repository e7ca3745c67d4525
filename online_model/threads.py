"""How many threads torch may use here: the cores this process may run on that are not busy.

On a shared machine a team of threads that waits for a core it cannot get is far slower than one
thread (measured on 2 shared cores at load 5: an LSTM train took 75 s on 2 threads, 11 s on 1), so
the count is the allowed cores minus the load the rest of the machine already puts on them.
``CRIMECAST_TORCH_THREADS`` overrides it.
"""

from __future__ import annotations

import os


def cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def torch_threads() -> int:
    """Threads for torch's intra-op pool: the allowed cores not already busy (at least 1)."""
    forced = os.environ.get("CRIMECAST_TORCH_THREADS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return int(forced)
    n = cores()
    try:
        others = max(0.0, os.getloadavg()[0] - 1.0)  # the load beyond this process's own
    except OSError:  # pragma: no cover
        others = 0.0
    return max(1, min(n, int(n - others + 0.5)))


def use_free_threads() -> int:
    """Set torch's thread count to :func:`torch_threads` and return it."""
    import torch

    n = torch_threads()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
