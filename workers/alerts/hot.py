"""Which series run hot: one month's counts against the forecast made before it, FDR-controlled
across every forecast series of the city.

The weekly alert and the bot's "which communities are running hot?" both call :func:`flag_month`
(through :func:`workers.alerts.facts.running_hot` for "the newest data"), so a series is flagged
the same way wherever it is shown. The statistics are :func:`online_model.surveillance.flag_hot`:
each count is tested against its forecast pro-rated by days under the forecast's negative binomial,
and Benjamini-Hochberg (or Heyse) controls the false-discovery rate over the whole family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from core.months import days_in_month
from online_model.surveillance import flag_hot
from stream.forecast_cache import CachedForecast

__all__ = ["HotTest", "flag_month"]

Series = tuple[str, str]


@dataclass(frozen=True)
class HotTest:
    """One month's test of every forecast series (aligned arrays, sorted by series).

    ``days`` of ``month`` are covered (all of them for a whole month); ``untested`` holds counts
    of series without a forecast (e.g. a new community), which cannot be called hot.
    """

    month: str
    days: int
    days_in_month: int
    series: list[Series]
    observed: np.ndarray
    expected: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    flagged: np.ndarray
    method: str
    level: float
    forecast_through: str | None = None
    untested: dict[Series, int] = field(default_factory=dict)

    @property
    def tested(self) -> int:
        return len(self.series)

    @property
    def n_flagged(self) -> int:
        return int(self.flagged.sum())

    @property
    def whole_month(self) -> bool:
        return self.days == self.days_in_month

    def flags(
        self, contains: Callable[[Series], bool] | None = None, limit: int | None = None
    ) -> list[dict]:
        """The flagged series (those ``contains`` accepts), largest excess over expected first."""
        idx = [
            i for i in np.flatnonzero(self.flagged) if contains is None or contains(self.series[i])
        ]
        idx.sort(key=lambda i: (-(self.observed[i] - self.expected[i]), self.series[i]))
        return [
            {
                "community": self.series[i][0],
                "category": self.series[i][1],
                "observed": int(self.observed[i]),
                "expected": round(float(self.expected[i]), 2),
                "p_value": float(f"{self.p_value[i]:.3g}"),
                "q_value": float(f"{self.q_value[i]:.3g}"),
            }
            for i in idx[:limit]
        ]

    def communities(self, contains: Callable[[Series], bool] | None = None) -> list[dict]:
        """ "Which communities are running hot": the flagged series grouped by community (their
        counts and expectations summed, categories listed), largest excess first."""
        out: dict[str, dict] = {}
        for h in self.flags(contains):
            c = out.setdefault(
                h["community"],
                {"community": h["community"], "categories": [], "observed": 0, "expected": 0.0},
            )
            c["categories"].append(h["category"])
            c["observed"] += h["observed"]
            c["expected"] = round(c["expected"] + h["expected"], 2)
        return sorted(
            out.values(), key=lambda c: (-(c["observed"] - c["expected"]), c["community"])
        )


def flag_month(
    counts: Mapping[Series, int],
    forecasts: Mapping[Series, CachedForecast],
    month: str,
    days: int | None = None,
    *,
    level: float = 0.1,
    method: str = "bh",
) -> HotTest:
    """Test ``days`` days of ``month`` (default: all of it) of every series forecast for ``month``.

    ``counts`` are the counts over those days by series; ``forecasts`` the set made before
    ``month`` (series whose forecast does not cover ``month`` are left out of the family).

    >>> f = CachedForecast("A", "x", ["2024-01"], [1.0], [0.1], [0], [2], "m", "2023-12")
    >>> g = CachedForecast("B", "x", ["2024-01"], [1.0], [0.1], [0], [2], "m", "2023-12")
    >>> t = flag_month({("A", "x"): 15, ("C", "x"): 2}, {f.series: f, g.series: g}, "2024-01")
    >>> [h["community"] for h in t.flags()], t.tested, t.untested
    (['A'], 2, {('C', 'x'): 2})
    >>> t.communities()
    [{'community': 'A', 'categories': ['x'], 'observed': 15, 'expected': 1.0}]
    """
    dim = days_in_month(month)
    days = dim if days is None else days
    family = sorted((s, f) for s, f in forecasts.items() if month in f.months)
    series = [s for s, _ in family]
    mean = np.array([f.mean[f.months.index(month)] for _, f in family], dtype=float)
    alpha = np.array([f.dispersion[f.months.index(month)] for _, f in family], dtype=float)
    observed = np.array([counts.get(s, 0) for s in series], dtype=float)
    res = flag_hot(observed, mean, alpha, days, dim, level=level, method=method)
    through = family[0][1].data_through if family else None
    known = set(series)
    untested = {s: int(v) for s, v in counts.items() if s not in known and v}
    return HotTest(
        month,
        days,
        dim,
        series,
        observed,
        res.expected,
        res.p_value,
        res.q_value,
        res.flagged,
        res.method,
        level,
        through,
        untested,
    )
