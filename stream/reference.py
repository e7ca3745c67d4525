"""Area reference data (region, class, population) in Redis, loaded from the files the city profile
describes (``reference.areas``, ``reference.population``: which columns hold the area, its region,
code, class and population) by ``crimecast reference load``.

Stored as ``keys.communities``: hash ``NAME -> JSON {code, sector, class, population}`` (``sector`` is
the area's region: a sector, an NPU, a district). Without it the bot still answers, with no regions
and no rates, and says so.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from pathlib import Path

import redis

from core.profile import CityProfile, active_profile
from stream.connection import rename
from stream.keys import Keys


class ReferenceError_(ValueError):
    """A reference file that cannot be used; the message says why."""


def _rows(path: str | os.PathLike[str], required: tuple[str, ...]) -> list[dict[str, str]]:
    p = Path(path)
    if not p.exists():
        raise ReferenceError_(f"file not found: {p}")
    with p.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceError_(
                f"{p.name} lacks column(s) {', '.join(missing)} "
                f"(has {', '.join(reader.fieldnames or [])})"
            )
        return list(reader)


def _name(text: str) -> str:
    return " ".join(str(text).upper().split())


def read_reference(
    communities_csv=None, population_csv=None, profile: CityProfile | None = None
) -> dict[str, dict]:
    """``NAME -> {code, sector, class, population}`` read through the profile's column names
    (``reference.areas`` and ``reference.population``); ``sector`` is the area's region.

    Files default to those the profile names (the population file is looked for beside the areas
    file, then beside the profile; without one there are no rates). An area listed under several regions (a few rows
    coded to a neighbouring one) takes the region most of its rows name. With
    ``fallback_region``, rows without an area add the profile's fallback area of their region
    ("NPU M (NO NEIGHBORHOOD)"), so that region totals hold every incident.
    """
    profile = profile or active_profile()
    spec = profile.reference.areas
    if spec is None:
        raise ReferenceError_(
            f"the {profile.name} profile names no reference file of "
            f"{profile.area.plural} (reference.areas)"
        )
    communities_csv = communities_csv or profile.resolve_file(spec.file)
    if communities_csv is None:
        raise ReferenceError_(f"give the file of {profile.area.plural} (the profile names none)")
    required = tuple(c for c in (spec.name, spec.region, spec.code, spec.class_) if c)
    votes: dict[str, Counter] = {}
    info: dict[str, dict] = {}
    for r in _rows(communities_csv, required):
        name = _name(r.get(spec.name) or "")
        region = _name(r.get(spec.region) or "") if spec.region else ""
        if not name and spec.fallback_region and region:
            name = profile.fallback_area(region)
        if not name:
            continue
        votes.setdefault(name, Counter())[region] += 1
        info.setdefault(
            name,
            {
                "code": (r.get(spec.code) or "").strip().upper() if spec.code else "",
                "class": (r.get(spec.class_) or "").strip() if spec.class_ else "",
            },
        )
    pops: dict[str, int] = {}
    pop_by_name: dict[str, int] = {}
    pspec = profile.reference.population
    if population_csv is None and pspec is not None and pspec.file:
        # the profile's file name, beside the areas file or the profile; none found: no rates
        found = [
            p
            for p in (Path(communities_csv).parent / pspec.file, profile.resolve_file(pspec.file))
            if p is not None and p.exists()
        ]
        population_csv = found[0] if found else None
    if population_csv is not None:
        if pspec is None:
            raise ReferenceError_(
                f"the {profile.name} profile says nothing of population (reference.population)"
            )
        need = tuple(c for c in (pspec.value, pspec.code, pspec.name) if c)
        for r in _rows(population_csv, need):
            raw = (r.get(pspec.value) or "").strip()
            try:
                value = int(float(raw)) if raw else 0
            except ValueError as exc:
                raise ReferenceError_(
                    f"bad population {raw!r} for {r.get(pspec.name or pspec.code or '')}"
                ) from exc
            if pspec.code:
                pops[(r.get(pspec.code) or "").strip().upper()] = value
            if pspec.name:
                pop_by_name[_name(r.get(pspec.name) or "")] = value
    out = {}
    for name, counts in votes.items():
        code = info[name]["code"]
        pop = pops.get(code) if code else None
        pop = pop if pop is not None else pop_by_name.get(name)
        out[name] = {
            "code": code,
            "sector": counts.most_common(1)[0][0],
            "class": info[name]["class"],
            "population": pop or None,
        }
    return out


def load_reference(
    client: redis.Redis,
    keys: Keys,
    communities_csv=None,
    population_csv=None,
    profile: CityProfile | None = None,
) -> int:
    """Read the reference files and replace the reference data in Redis; returns the areas."""
    return store_reference(client, keys, read_reference(communities_csv, population_csv, profile))


def store_reference(client: redis.Redis, keys: Keys, data: dict[str, dict]) -> int:
    """Replace the reference data in Redis atomically; returns the number of areas."""
    if not data:
        raise ReferenceError_("no areas in the file")
    staging = keys.staging(keys.communities)
    pipe = client.pipeline(transaction=True)
    pipe.delete(staging)
    pipe.hset(staging, mapping={k: json.dumps(v, separators=(",", ":")) for k, v in data.items()})
    rename(pipe, staging, keys.communities)
    pipe.execute()
    return len(data)
