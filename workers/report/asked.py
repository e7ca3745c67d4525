"""Who asked: the bot's questions from the audit stream, by region and category, without names.

Each audit record holds the question's text, the intent and the outcome (``answered``,
``refused``, ``rate_limited``, ``error``); the report counts them and never reads or shows the
user fields. A question's places and categories are found by plain name matching (communities,
regions, category names); a question naming none counts as city-wide / all crime.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable, Mapping

import redis

from core.text import as_text

from stream.categories import match_key
from stream.keys import Keys

__all__ = ["asked", "scope_of"]

_WORDS = re.compile(r"[^a-z0-9&' ]+")
CATEGORY_WORDS = {  # plain words an analyst uses, matched against a category's canonical name
    "robbery": "robbery",
    "break": "break & enter",
    "b&e": "break & enter",
    "burglary": "break & enter",
    "assault": "assault",
    "violence": "violence",
    "theft from vehicle": "theft from vehicle",
    "theft of vehicle": "theft of vehicle",
    "car theft": "theft of vehicle",
    "stolen car": "theft of vehicle",
}


def _norm(text: str) -> str:
    return " " + " ".join(_WORDS.sub(" ", match_key(text)).split()) + " "


def scope_of(
    text: str, communities: Iterable[str], regions: Iterable[str], categories: Iterable[str]
) -> tuple[list[str], list[str], list[str]]:
    """``(communities, regions, categories)`` a question names.

    >>> scope_of("car thefts in forest lawn", ["FOREST LAWN", "BELTLINE"], ["EAST"],
    ...          ["Theft OF Vehicle", "Street Robbery"])
    (['FOREST LAWN'], [], ['Theft OF Vehicle'])
    """
    t = _norm(text)
    comms = [c for c in communities if _norm(c) in t]
    regs = [r for r in regions if _norm(r) in t]
    cats = [k for k in categories if _norm(k).strip() in t]
    for word, part in CATEGORY_WORDS.items():
        if _norm(word).rstrip() in t:
            cats += [k for k in categories if part in match_key(k) and k not in cats]
    return comms, regs, cats


def asked(
    client: redis.Redis,
    keys: Keys,
    regions: Mapping[str, str],
    categories: Iterable[str],
    *,
    days: int,
    now: datetime | None = None,
) -> dict:
    """Questions of the last ``days`` days: totals by outcome, by region and by category."""
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(days=days)
    start = f"{int(since.timestamp() * 1000)}-0"
    entries = client.xrange(keys.audit, min=start, max="+") if client.exists(keys.audit) else []
    region_names = sorted(set(regions.values()))
    cats = list(categories)
    out = {
        "days": days,
        "questions": 0,
        "answered": 0,
        "refused": 0,
        "rate_limited": 0,
        "errors": 0,
        "by_region": {},
        "by_category": {},
    }
    for _, f in entries:
        f = {as_text(k): as_text(v) for k, v in f.items()}
        out["questions"] += 1
        outcome = f.get("outcome", "answered")
        key = {"answered": "answered", "refused": "refused", "rate_limited": "rate_limited"}.get(
            outcome, "errors"
        )
        out[key] += 1
        comms, regs, found = scope_of(f.get("text", ""), regions.keys(), region_names, cats)
        places = sorted({regions[c] for c in comms} | set(regs)) or ["(city-wide)"]
        for p in places:
            out["by_region"][p] = out["by_region"].get(p, 0) + 1
        for k in found or ["(all crime)"]:
            out["by_category"][k] = out["by_category"].get(k, 0) + 1
    return out
