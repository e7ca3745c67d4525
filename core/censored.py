"""Censored counts: a published cell that says ``<5`` holds 1, 2, 3 or 4 incidents, never 0.

A source that suppresses small counts (the Calgary Police Service's workbook prints ``<5``) gives
a *range*, not a number. The counts keep the lower bound (each suppressed cell counts
:data:`LOW`) and, beside them, how many cells of each series-month were suppressed; from the two:

- the range a figure lies in (:func:`bounds`) and the words that say so (:func:`note`: "between 14
  and 26: 4 cells suppressed"), for answers, intervals and reports;
- what a model learns from (:func:`expected_count`): each suppressed cell as its expectation
  *under the model's own forecast distribution* restricted to 1..4 (:func:`censored_mean`), never
  a silent 0 and never a fixed 2.5.

>>> bounds(14, 4)
(14, 26)
>>> note(14, 4)
'between 14 and 26: 4 cells suppressed'
>>> round(float(censored_mean(0.5, 0.0)), 3), round(float(censored_mean(30.0, 0.0)), 3)
(1.269, 3.858)
"""

from __future__ import annotations

import numpy as np

from .negbin import NegBin

__all__ = ["HIGH", "LOW", "bounds", "censored_mean", "expected_count", "note"]

LOW, HIGH = 1, 4  # what "<5" can hold


def bounds(stored: int, cells: int) -> tuple[int, int]:
    """``(lowest, highest)`` true count of a figure whose ``stored`` count holds ``cells``
    suppressed cells at :data:`LOW` each."""
    return int(stored), int(stored) + int(cells) * (HIGH - LOW)


def note(stored: int, cells: int) -> str:
    """What to say about a figure with suppressed cells ("" when it has none).

    >>> note(7, 0)
    ''
    >>> note(1, 1)
    'between 1 and 4: 1 cell suppressed'
    """
    if cells <= 0:
        return ""
    lo, hi = bounds(stored, cells)
    return f"between {lo} and {hi}: {cells} cell{'s' if cells != 1 else ''} suppressed"


def censored_mean(mean, dispersion=0.0, low: int = LOW, high: int = HIGH) -> np.ndarray:
    """E[Y | low <= Y <= high] for Y ~ NegBin(mean, dispersion) (Poisson at 0), elementwise."""
    ys = np.arange(low, high + 1, dtype=float)
    d = NegBin(
        np.asarray(mean, dtype=float)[..., None], np.asarray(dispersion, dtype=float)[..., None]
    )
    p = d.pmf(ys)
    total = p.sum(axis=-1)
    fallback = np.clip(np.asarray(mean, dtype=float), low, high)  # all mass far outside 1..4
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (p * ys).sum(axis=-1) / total
    return np.where(total > 1e-300, out, fallback)


def expected_count(stored, cells, mean, dispersion=0.0) -> np.ndarray:
    """A series-month's count for learning: ``stored`` (suppressed cells at :data:`LOW`) with each
    of its ``cells`` suppressed cells replaced by its expectation under the forecast
    ``NegBin(mean, dispersion)`` of the whole series-month.

    The forecast's mean less what was published exactly is the rate left for the suppressed cells,
    shared evenly among them (at least 0.1 each), and each cell's expectation is taken within 1..4.

    >>> expected_count(10, 0, 12.0)
    array(10.)
    >>> float(expected_count(1, 1, 0.2).round(3))  # a quiet series: close to the lower bound
    1.103
    >>> float(expected_count(6, 2, 40.0).round(2))  # a busy one: near the upper bound, 12
    11.51
    """
    stored = np.asarray(stored, dtype=float)
    cells = np.asarray(cells, dtype=float)
    exact = stored - cells * LOW
    per_cell = np.maximum((np.asarray(mean, dtype=float) - exact) / np.maximum(cells, 1), 0.1)
    return np.where(cells > 0, exact + cells * censored_mean(per_cell, dispersion), stored)
