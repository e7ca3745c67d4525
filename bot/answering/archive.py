"""What the forecasts made *before* a period expected for it, from the forecast archive.

Each month is judged by the newest set archived with data through an earlier month (so none of the
month's own data was known); totals over series and months are negative-binomial sums. Shared by
the accuracy evaluator and by comparisons with the forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.months import month_name, months_between
from core.negbin import total_interval as nb_total

from .state import DataState


@dataclass(frozen=True)
class Expected:
    """The archived forecast total for some months, and which sets it came from."""

    mean: float
    lo: float
    hi: float
    made_with: tuple[str, ...]  # data-through months of the sets used
    steps: tuple[int, ...]  # months ahead each month stood in its set


def expected(state: DataState, rows: np.ndarray, months) -> Expected | None:
    """The total the forecasts made before each of ``months`` expected over ``rows``, or None."""
    return expected_or_why(state, rows, months)[0]


def expected_or_why(state: DataState, rows: np.ndarray, months) -> tuple[Expected | None, str]:
    """:func:`expected`, or None and why in words (no set made before a month, the set does not
    reach it, no series in scope was forecast)."""
    means, alphas, made, steps, single = [], [], [], [], None
    for m in months:
        found = state.archived_before(m)
        if found is None:
            return (
                None,
                f"No forecast was archived before {month_name(m)}, so there is none to judge.",
            )
        through, panel = found
        if m not in panel.col:
            return None, (
                f"The newest forecast made before {month_name(m)} (data through "
                f"{through}) does not reach it."
            )
        j = panel.col[m]
        mean, alpha, lo, hi = panel.take(rows)
        ok = np.isfinite(mean[:, j]) if len(rows) else np.zeros(0, dtype=bool)
        if not ok.any():
            return None, f"No series in scope was forecast for {month_name(m)}."
        means.append(mean[ok, j])
        alphas.append(alpha[ok, j])
        made.append(through)
        steps.append(months_between(through, m))
        if ok.sum() == 1 and len(months) == 1:  # one series, one month: the interval served
            k = int(np.flatnonzero(ok)[0])
            single = (float(mean[k, j]), float(lo[k, j]), float(hi[k, j]))
    if not means:
        return None, "No months to judge."
    if single is not None:
        mean_, lo_, hi_ = single
    else:
        mean_, lo_, hi_ = nb_total(np.concatenate(means), np.concatenate(alphas))
    return Expected(
        float(mean_), float(lo_), float(hi_), tuple(sorted(set(made))), tuple(steps)
    ), ""


def judged_months(state: DataState, months) -> list[str]:
    """Those of ``months`` that have counts and a forecast archived before them."""
    newest = state.complete_through()
    return [
        m
        for m in months
        if m in state.counts.col and newest and m <= newest and state.archived_before(m) is not None
    ]
