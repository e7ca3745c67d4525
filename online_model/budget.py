"""How many training rows (origin x series windows) one fit may hold at once, and which.

A global model learns from every series at every past origin: that is series x origins rows, which
grows without bound with the panel. A fit therefore holds at most ``max_rows`` of them, a seeded
uniform sample drawn anew per origin (each origin keeps the same share of series, so no month is
lost), and ``max_rows`` comes from a memory budget (bytes per row of the model's design) and a cap on
the sample (the time a fit may take). A panel smaller than the cap is learned whole, exactly as
before; a larger one costs the same as the cap, whatever its size.

>>> rows = sample_rows(10, [3, 4, 5], max_rows=12, seed=1)
>>> [len(r) for r in rows], all(np.all(np.diff(r) > 0) for r in rows)
([4, 4, 4], True)
>>> sample_rows(3, [3, 4], max_rows=100, seed=1) is None  # all rows fit: every row, no sample
True
>>> rows_for(memory_mb=100, row_bytes=1000, cap=10**9)
104857
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

#: default budget of one fit's working set (designs, tensors), on top of the model's own state
MEMORY_MB = 1024
#: default cap on the rows one fit samples (time): about twice Calgary's communities x categories
#: over six years, so a city's fit is unchanged and a province's costs what twice a city's does
SAMPLE_ROWS = 300_000


def rows_for(memory_mb: float, row_bytes: int, cap: int) -> int:
    """The rows a fit may hold: what ``memory_mb`` holds at ``row_bytes`` a row, at most ``cap``."""
    return int(max(1, min(cap, memory_mb * 2**20 // max(row_bytes, 1))))


def sample_rows(
    n_series: int, origins: Sequence[int], max_rows: int | None, seed: int | Iterable[int]
) -> list[np.ndarray] | None:
    """Per origin, the sorted series indices a fit learns from; ``None`` when all fit the budget."""
    k = len(origins)
    if k == 0 or max_rows is None or n_series * k <= max_rows:
        return None
    per = max(1, int(max_rows) // k)
    rng = np.random.default_rng(seed)
    return [np.sort(rng.choice(n_series, size=min(per, n_series), replace=False)) for _ in origins]


def set_budget(model, memory_mb: float = MEMORY_MB, sample_cap: int = SAMPLE_ROWS) -> None:
    """Give ``model`` (or each member of an ensemble) the row budget of its own design."""
    members = getattr(model, "members", None)
    for m in members.values() if members else [model]:
        row_bytes = getattr(m, "ROW_BYTES", None)
        if row_bytes:
            m.max_rows = rows_for(memory_mb, row_bytes, sample_cap)
