"""How a month's forecast did series by series (for the review of the forecasts): the share of
series whose count fell inside their own 80% range, the mean absolute error beside the seasonal
naive's (the same month a year earlier), and the biggest misses."""

from __future__ import annotations

import numpy as np

from ..state import DataState

MISSES = 5


def series_scores(state: DataState, rows: np.ndarray, month: str, misses: bool) -> dict:
    """The scores of ``month`` over the series of ``rows`` forecast by the set archived before
    it (empty under two series); with ``misses``, the five biggest misses."""
    found = state.archived_before(month)
    if found is None or month not in found[1].col:
        return {}
    through, aset = found
    j = aset.col[month]
    rows = aset.has(rows)
    rows = rows[np.isfinite(aset.take(rows)[0][:, j])] if len(rows) else rows
    if len(rows) < 2:
        return {}
    col = state.counts.col.get(month)
    back = state.counts.col.get(f"{int(month[:4]) - 1:04d}{month[4:]}")
    values = state.counts.take(rows)  # counts and forecasts share the catalog's rows

    def counts(c: int | None) -> np.ndarray:
        return values[:, c].astype(float) if c is not None else np.zeros(len(rows))

    obs = counts(col)
    mean, _, lo, hi = aset.take(rows)
    mean, lo, hi = mean[:, j], lo[:, j], hi[:, j]
    scores = {
        "series": int(len(rows)),
        "inside_share": float(np.mean((obs >= lo) & (obs <= hi))),
        "mae": float(np.mean(np.abs(obs - mean))),
    }
    if back is not None:
        scores["mae_snaive"] = float(np.mean(np.abs(obs - counts(back))))
    if misses:
        order = np.argsort(-np.abs(obs - mean), kind="stable")[:MISSES]
        scores["misses"] = [
            {
                "community": state.catalog.series[rows[i]][0],
                "category": state.catalog.series[rows[i]][1],
                "observed": int(obs[i]),
                "mean": float(mean[i]),
                "lo": int(lo[i]),
                "hi": int(hi[i]),
            }
            for i in order
        ]
    return scores
