"""Where crimecast pointed: running-hot flags and top-k rankings over a period, by area and region.

The flags are those the weekly alert raised, recomputed with the alert's own code from the
archived forecasts and the counts (:func:`workers.alerts.flag_month`, one FDR family per test): a
source that publishes whole months is tested once a month (every weekly alert of the following
month repeats that test, so it is counted once); a day-level source once a week (its Monday alert's
month-to-date test). The rankings are each month's top-``k`` communities by the forecast total made
before the month, as the alert's "highest forecast" and the bot's "top 5" show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

import pandas as pd

from core.months import add_months, month_end, month_start
from stream.forecast_archive import ForecastArchive
from stream.store import CountStore
from workers.alerts import WeekFacts, flag_month

__all__ = ["FlagTest", "feedback_watch", "flag_tests", "top_k_months"]

WATCH_TESTS = 8  # the feedback-loop watch looks at the last eight tests ...
WATCH_MIN = 3  # ... and lists areas flagged in three or more of them
AROUND = 3  # months of counts before and after an area's first flag


@dataclass
class FlagTest:
    """One running-hot test: its label (a month, or a Monday's ISO week), what it covered, and
    the series it flagged."""

    label: str
    month: str
    tested: int
    flagged: list[tuple[str, str]]


def flag_tests(
    client,
    keys,
    months: list[str],
    resolution: str | None,
    *,
    level: float = 0.1,
    method: str = "bh",
) -> list[FlagTest]:
    """Every running-hot test the weekly alerts made over ``months``, oldest first."""
    store = CountStore(client, keys)
    archive = ForecastArchive(client, keys)
    out: list[FlagTest] = []
    if resolution == "month":
        for m in months:
            made = {s: f for s, (f, _) in archive.forecasts_for(m).items()}
            if not made:
                continue
            test = flag_month(
                store.day_counts(month_start(m), month_end(m)), made, m, level=level, method=method
            )
            out.append(
                FlagTest(
                    m,
                    m,
                    test.tested,
                    [test.series[i] for i in range(test.tested) if test.flagged[i]],
                )
            )
        return out
    day, last = first_monday(month_start(months[0])), month_end(months[-1]) + timedelta(days=1)
    while day <= last:
        hot = WeekFacts.compute(client, keys, day, level=level, method=method).hot
        if hot is not None and hot.month in months:
            y, w, _ = (day - timedelta(days=1)).isocalendar()
            out.append(
                FlagTest(
                    f"{y}-W{w:02d}",
                    hot.month,
                    hot.tested,
                    [hot.series[i] for i in range(hot.tested) if hot.flagged[i]],
                )
            )
        day += timedelta(days=7)
    return out


def top_k_months(archive: ForecastArchive, months: list[str], k: int = 5) -> dict[str, list[str]]:
    """``month -> the k communities with the highest forecast total`` (forecast made before it)."""
    out = {}
    for m in months:
        totals: dict[str, float] = {}
        for (community, _), (f, _) in archive.forecasts_for(m).items():
            totals[community] = totals.get(community, 0.0) + f.mean[f.months.index(m)]
        out[m] = sorted(totals, key=lambda c: (-totals[c], c))[:k]
    return out


def feedback_watch(
    tests: list[FlagTest], panel: pd.DataFrame, regions: Mapping[str, str]
) -> list[dict]:
    """Areas flagged in ``WATCH_MIN`` or more of the last ``WATCH_TESTS`` tests, with their mean
    monthly count (all categories) in the ``AROUND`` months before their first flag in the period
    and in the months from it on (up to ``AROUND``)."""
    recent = tests[-WATCH_TESTS:]
    times: dict[str, int] = {}
    for t in recent:
        for c in {c for c, _ in t.flagged}:
            times[c] = times.get(c, 0) + 1
    by_comm = panel.groupby(level=0).sum() if len(panel) else panel
    out = []
    for community in sorted(
        (c for c, n in times.items() if n >= WATCH_MIN), key=lambda c: (-times[c], c)
    ):
        first = next(t for t in tests if any(c == community for c, _ in t.flagged))
        before = [add_months(first.month, -k) for k in range(AROUND, 0, -1)]
        after = [add_months(first.month, k) for k in range(AROUND)]
        row = by_comm.loc[community] if community in by_comm.index else pd.Series(dtype=float)
        have_b = [m for m in before if m in panel.columns]
        have_a = [m for m in after if m in panel.columns]
        out.append(
            {
                "community": community,
                "region": regions.get(community, "(no region)"),
                "flagged_in_last": times[community],
                "of_tests": len(recent),
                "first_flag": first.label,
                "first_flag_month": first.month,
                "mean_before": round(float(row.reindex(have_b, fill_value=0).mean()), 2)
                if have_b
                else None,
                "mean_after": round(float(row.reindex(have_a, fill_value=0).mean()), 2)
                if have_a
                else None,
                "months_before": have_b,
                "months_after": have_a,
                "note": "may reflect enforcement as well as crime",
            }
        )
    return out


def first_monday(day: date) -> date:
    """The first Monday on or after ``day``.

    >>> first_monday(date(2023, 1, 1))
    datetime.date(2023, 1, 2)
    """
    return day + timedelta(days=(7 - day.weekday()) % 7)
