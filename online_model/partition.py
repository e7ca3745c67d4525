"""Which partition a series belongs to, and which series the global pieces learn from.

A partitioned train (docs/operations.md) fits the global pieces of the served model (the GLM's
shared weights, the LSTM, the ensemble's weights and calibration, the dispersion tables) once, on
a bounded **sample of whole areas**, then forecasts every partition's series against them in jobs
of their own. Both choices are made from the areas' names alone, by a stable hash (never Python's
salted ``hash``): the sample does not depend on how many partitions there are, and an area's
partition does not depend on which other areas exist, so the same data and settings give the same
forecasts on any number of workers. A partition and the sample both hold whole areas, so an area's
own totals (its community features) are always complete.

>>> keys = [(a, c) for a in ("A", "B", "C", "D") for c in ("x", "y")]
>>> parts = assign(keys, 3)
>>> sorted(k for p in parts for k in p) == sorted(keys)  # every series in exactly one partition
True
>>> all(len({a for a, _ in p} & {a for a, _ in q}) == 0 for p in parts for q in parts if p is not q)
True
>>> [sorted({a for a, _ in p}) for p in assign(keys, 0, regions={"A": "N", "B": "S", "C": "N"})]
[['A', 'C'], ['B'], ['D']]
>>> len(sample_series(keys, cap=4, seed=42))  # two whole areas of two series each
4
>>> sample_series(keys, cap=100, seed=42) == sorted(keys)  # under the cap: every series
True
"""

from __future__ import annotations

import hashlib
import math
from typing import Iterable, Mapping, Sequence

SeriesKey = tuple[str, str]


def stable_hash(text: str, salt: str | int = "") -> int:
    """A hash of ``text`` that is the same in every process and on every machine."""
    digest = hashlib.blake2b(f"{salt}\x1f{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def auto_partitions(n_series: int, per_partition: int) -> int:
    """How many partitions a panel of ``n_series`` needs at ``per_partition`` series each (>= 1).

    >>> auto_partitions(2_296, 6_000), auto_partitions(35_552, 6_000)
    (1, 6)
    """
    return max(1, math.ceil(n_series / max(per_partition, 1)))


def assign(
    series: Iterable[SeriesKey], n: int, regions: Mapping[str, str] | None = None
) -> list[list[SeriesKey]]:
    """The series of each of ``n`` partitions (sorted), by a hash of the area; with ``regions``
    (area -> region), one partition per region (sorted by name; areas without one last)."""
    keys = sorted(set(series))
    if regions is not None:
        names = sorted(set(regions.values()))
        at = {r: i for i, r in enumerate(names)}
        out: list[list[SeriesKey]] = [[] for _ in range(len(names) + 1)]
        for k in keys:
            out[at.get(regions.get(k[0], ""), len(names))].append(k)
        return out if out[-1] else out[:-1]
    if n < 1:
        raise ValueError("the number of partitions must be >= 1")
    out = [[] for _ in range(n)]
    for k in keys:
        out[stable_hash(k[0]) % n].append(k)
    return out


def sample_series(series: Sequence[SeriesKey], cap: int, seed: int) -> list[SeriesKey]:
    """Whole areas, in the order of a seeded hash of their names, until ``cap`` series are held
    (at least one area): the series the global pieces learn from. Under the cap: every series."""
    keys = sorted(set(series))
    if len(keys) <= cap:
        return keys
    by_area: dict[str, list[SeriesKey]] = {}
    for k in keys:
        by_area.setdefault(k[0], []).append(k)
    chosen: list[SeriesKey] = []
    for area in sorted(by_area, key=lambda a: (stable_hash(a, seed), a)):
        if chosen and len(chosen) + len(by_area[area]) > cap:
            continue
        chosen.extend(by_area[area])
        if len(chosen) >= cap:
            break
    return sorted(chosen)
