"""Reading counts in the Calgary portal's layout and shaping them into a zero-filled panel.

The portal omits months with no crime (no row), repeats a few keys (their counts add up) and spells
names inconsistently; :func:`read_calgary_csv` fixes all three. :func:`to_panel` gives the wide
shape every forecaster learns from, the same as ``stream.store.CountStore.panel()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from core.months import month_range
from core.text import area_name

CALGARY_COLUMNS = ("Community", "Category", "Crime Count", "Year", "Month")


class DataError(ValueError):
    """An input file that cannot be read as counts; the message says what is wrong and where."""


def read_calgary_csv(path: str | Path) -> pd.DataFrame:
    """Long frame ``community, category, month, count`` from a portal export.

    Duplicate keys are summed, names normalised (community upper case with single spaces; category
    stripped but otherwise kept as the portal spells it), rows sorted.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    try:
        raw = pd.read_csv(path, dtype={"Community": str, "Category": str})
    except Exception as exc:  # parser errors, encoding errors
        raise DataError(f"{path}: not a readable CSV ({exc})") from exc
    missing = [c for c in CALGARY_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected {list(CALGARY_COLUMNS)}")
    df = raw[list(CALGARY_COLUMNS)].dropna(subset=["Community", "Category"])
    nums = df[["Crime Count", "Year", "Month"]].apply(pd.to_numeric, errors="coerce")
    bad = nums.isna().any(axis=1) | ~nums["Month"].between(1, 12) | (nums["Crime Count"] < 0)
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0]) + 2  # +1 header, +1 one-based
        raise DataError(
            f"{path}: {int(bad.sum())} row(s) with a bad count, year or month "
            f"(first at line {first})"
        )
    long = pd.DataFrame(
        {
            "community": df["Community"].map(area_name),
            "category": df["Category"].str.strip(),
            "month": [f"{int(y):04d}-{int(m):02d}" for y, m in zip(nums["Year"], nums["Month"])],
            "count": nums["Crime Count"].astype("int64"),
        }
    )
    out = long.groupby(["community", "category", "month"], as_index=False, sort=True)["count"].sum()
    return out


def read_many(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Several exports as one long frame: where a later file holds a month, it replaces that month
    of the earlier files (the portal revises recent months in later exports)."""
    frames: list[pd.DataFrame] = []
    for path in paths:
        new = read_calgary_csv(path)
        months = set(new["month"])
        frames = [f[~f["month"].isin(months)] for f in frames] + [new]
    if not frames:
        raise DataError("no data file given")
    return pd.concat(frames, ignore_index=True).sort_values(
        ["community", "category", "month"], ignore_index=True
    )


def to_panel(long: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Wide int64 panel: index ``(community, category)``, columns every month ascending, zeros filled.

    >>> long = pd.DataFrame({"community": ["A", "A"], "category": ["x", "x"],
    ...                      "month": ["2023-01", "2023-03"], "count": [2, 1]})
    >>> to_panel(long).to_numpy().tolist()
    [[2, 0, 1]]
    """
    if long.empty:
        idx = pd.MultiIndex.from_tuples([], names=["community", "category"])
        return pd.DataFrame(index=idx, columns=[], dtype="int64")
    start = start or long["month"].min()
    end = end or long["month"].max()
    months = month_range(start, end)
    sel = long[(long["month"] >= start) & (long["month"] <= end)]
    wide = sel.pivot_table(
        index=["community", "category"],
        columns="month",
        values="count",
        aggfunc="sum",
        fill_value=0,
    )
    series = sorted(set(zip(long["community"], long["category"])))
    wide = (
        wide.reindex(
            index=pd.MultiIndex.from_tuples(series, names=["community", "category"]),
            columns=months,
            fill_value=0,
        )
        .fillna(0)
        .astype("int64")
    )
    wide.columns = pd.Index(months)
    return wide


def replicate(long: pd.DataFrame, k: int, seed: int = 0) -> pd.DataFrame:
    """The long frame and ``k - 1`` copies of it as new areas (``NAME #2`` ...), each copy's counts
    drawn Poisson around the original's: a panel ``k`` times the size with the same structure, to
    measure how cost grows with the number of series (``bench/scale.py``).

    >>> f = pd.DataFrame({"community": ["A"], "category": ["x"], "month": ["2023-01"], "count": [5]})
    >>> r = replicate(f, 3, seed=1)
    >>> list(r["community"]), int(r["count"].iloc[0])
    (['A', 'A #2', 'A #3'], 5)
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    import numpy as np

    rng = np.random.default_rng(seed)
    parts = [long]
    for i in range(2, k + 1):
        copy = long.assign(
            community=long["community"] + f" #{i}", count=rng.poisson(long["count"].to_numpy(float))
        )
        parts.append(copy[copy["count"] > 0])
    return pd.concat(parts, ignore_index=True)
