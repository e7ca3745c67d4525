"""Community reference data (sector, class, census population) in Redis, loaded from the city's
files (``calgary_communities.csv``, ``calgary_population_2021.csv``) by ``crimecast reference load``.

Stored as ``keys.communities``: hash ``NAME -> JSON {code, sector, class, population}``. Without it
the bot still answers, with no sectors and no rates, and says so.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import redis

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
            raise ReferenceError_(f"{p.name} lacks column(s) {', '.join(missing)} "
                                  f"(has {', '.join(reader.fieldnames or [])})")
        return list(reader)


def _name(text: str) -> str:
    return " ".join(str(text).upper().split())


def read_reference(communities_csv, population_csv=None) -> dict[str, dict]:
    """``NAME -> {code, sector, class, population}`` joined on the community code."""
    comm = _rows(communities_csv, ("COMM_CODE", "NAME", "SECTOR", "CLASS"))
    pops: dict[str, int] = {}
    pop_by_name: dict[str, int] = {}
    if population_csv is not None:
        for r in _rows(population_csv, ("COMMUNITY_CODE", "COMMUNITY_NAME", "POPULATION_2021")):
            raw = (r.get("POPULATION_2021") or "").strip()
            try:
                value = int(float(raw)) if raw else 0
            except ValueError as exc:
                raise ReferenceError_(f"bad population {raw!r} for {r.get('COMMUNITY_NAME')}") from exc
            pops[r["COMMUNITY_CODE"].strip().upper()] = value
            pop_by_name[_name(r["COMMUNITY_NAME"])] = value
    out = {}
    for r in comm:
        name = _name(r["NAME"])
        if not name:
            continue
        code = r["COMM_CODE"].strip().upper()
        pop = pops.get(code, pop_by_name.get(name))
        out[name] = {"code": code, "sector": _name(r.get("SECTOR") or ""),
                     "class": (r.get("CLASS") or "").strip(), "population": pop or None}
    return out


def load_reference(client: redis.Redis, keys: Keys, communities_csv, population_csv=None) -> int:
    """Replace the reference data in Redis atomically; returns the number of communities."""
    data = read_reference(communities_csv, population_csv)
    if not data:
        raise ReferenceError_("no communities in the file")
    staging = keys.staging(keys.communities)
    pipe = client.pipeline(transaction=True)
    pipe.delete(staging)
    pipe.hset(staging, mapping={k: json.dumps(v, separators=(",", ":")) for k, v in data.items()})
    rename(pipe, staging, keys.communities)
    pipe.execute()
    return len(data)
