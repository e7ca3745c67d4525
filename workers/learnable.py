"""What a model learns from a month: suppressed cells (``<5``) at their expectation, never at the
stored lower bound (issue 12's workbook cells; :mod:`core.censored`).
"""

from __future__ import annotations

from core.censored import expected_count
from stream.censored import CensoredCells
from stream.store import CountStore


def learnable_counts(store: CountStore, cells: CensoredCells, month: str, model) -> dict:
    """``month``'s counts for ``model`` to learn: a series-month with suppressed cells (``<5``)
    counts each as its expectation within 1..4 under the model's own forecast of that month
    (:func:`core.censored.expected_count`), never as the stored lower bound."""
    counts = store.month_counts(month)
    suppressed = cells.month(month)
    if not suppressed:
        return counts
    arr = model.forecast_arrays(1)  # made before ``month`` is learned
    at = {s: i for i, s in enumerate(arr.series)}
    out: dict = dict(counts)
    for s, n in suppressed.items():
        i = at.get(s)
        mean, disp = (arr.mean[i, 0], arr.dispersion[i, 0]) if i is not None else (0.0, 0.0)
        out[s] = float(expected_count(counts.get(s, n), n, mean, disp))
    return out


def learnable_panel(cells: CensoredCells, panel):
    """``panel`` with suppressed cells at their expectation within 1..4 under a Poisson at the
    series' mean month (no model exists yet to forecast them)."""
    months = [m for m in cells.months() if m in panel.columns]
    if not months:
        return panel
    panel = panel.astype(float)
    level = panel.mean(axis=1)
    for m in months:
        for s, n in cells.month(m).items():
            if s in panel.index:
                panel.loc[s, m] = float(expected_count(panel.loc[s, m], n, level[s]))
    return panel
