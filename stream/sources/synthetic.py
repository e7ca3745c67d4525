"""Synthetic incidents for offline demos, labelled as such everywhere they show.

Every record has ``source="synthetic"``; the consumer then sets ``synthetic=1`` in ``keys.meta``, so
the bot and the alerts can say "synthetic data". Counts are Poisson around per-series rates with a
yearly seasonal swing and a mild trend; ids are deterministic in ``seed``, so re-running the same
generation counts nothing twice.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timezone
from typing import Iterable, Iterator

import numpy as np


from core.months import add_months
from core.profile import active_profile
from core.text import area_name

from ..records import Incident

SOURCE = "synthetic"


def generate(
    *,
    communities: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
    start: str = "2022-01",
    months: int = 24,
    seed: int = 42,
    scale: float = 1.0,
    today: date | None = None,
) -> Iterator[Incident]:
    """Yield one-incident records month by month (months in the future are not generated).

    >>> recs = list(generate(communities=["BELTLINE"], categories=["Street Robbery"], months=2))
    >>> {r.source for r in recs}, {r.month for r in recs} <= {"2022-01", "2022-02"}
    ({'synthetic'}, True)
    >>> [r.id for r in recs][:1] == [r.id for r in generate(communities=["BELTLINE"],
    ...     categories=["Street Robbery"], months=2)][:1]
    True
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    today = today or datetime.now(timezone.utc).date()
    profile = active_profile()  # default areas and categories: the city profile's
    if communities is None:
        communities = profile.sample_areas or [f"AREA {i:02d}" for i in range(1, 13)]
    comms = [area_name(c) for c in communities]
    cats = list(categories if categories is not None else profile.category_names)
    rng = np.random.default_rng(seed)
    base = rng.lognormal(mean=0.5, sigma=0.9, size=(len(comms), len(cats))) * scale
    phase = rng.uniform(0, 2 * np.pi, size=len(cats))
    for t in range(months):
        month = add_months(start, t)
        y, m = int(month[:4]), int(month[5:7])
        if date(y, m, 1) > today:
            break
        dim = calendar.monthrange(y, m)[1]
        season = 1 + 0.25 * np.sin(2 * np.pi * (m - 1) / 12 + phase)
        trend = 1 + 0.01 * t
        counts = rng.poisson(base * season[None, :] * trend)
        for i, comm in enumerate(comms):
            for j, cat in enumerate(cats):
                n = int(counts[i, j])
                if not n:
                    continue
                days = np.sort(rng.integers(1, dim + 1, size=n))
                for k, d in enumerate(days):
                    day = min(date(y, m, int(d)), today)
                    yield Incident(
                        f"{SOURCE}:{seed}:{month}:{i}.{j}.{k}", comm, cat, day, 1, SOURCE
                    )
