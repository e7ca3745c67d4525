"""Which series a question covers, and how ``by`` splits them into groups (one row each).

A :class:`Group` is a set of areas (None = the whole city) and categories with the keys of its row
(area, region, category). ``by="month"`` is a split of the period, not of the series: it is done
by :mod:`bot.answering.compose`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.language.question import CITY, Question, Where

from .state import DataState


@dataclass(frozen=True)
class Group:
    """Areas (None = every area) x categories (empty = all), and the keys of its result row.

    Its hash is worked out once (a ranking looks each group up in several tables)."""

    communities: tuple[str, ...] | None
    categories: tuple[str, ...]
    area: str | None = None
    region: str | None = None
    category: str | None = None
    label: str = ""

    def rows(self, state: DataState) -> np.ndarray:
        return state.rows(self.communities, self.categories)

    def __hash__(self) -> int:
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.communities, self.categories, self.area, self.region, self.category))
            object.__setattr__(self, "_hash", h)
        return h


def areas_of(where: tuple[Where, ...]) -> tuple[str, ...] | None:
    """The areas of the places asked about (None: the whole city)."""
    if not where or any(w.kind == "city" for w in where):
        return None
    return tuple(dict.fromkeys(a for w in where for a in w.names))


def place_group(w: Where, categories: tuple[str, ...]) -> Group:
    """The one group of a place: its keys say which place it is."""
    if w.kind == "city":
        return Group(None, categories, label=w.label)
    return Group(
        tuple(w.names),
        categories,
        area=w.names[0] if w.kind == "area" and w.names else None,
        region=(w.region or w.label) if w.kind == "region" else None,
        label=w.label,
    )


def groups(q: Question, state: DataState) -> list[Group]:
    """The groups of the question: one per place without ``by``, else one per key of ``by``
    (worked out once per version of the data: a ranking over every area asks often)."""
    key = ("groups", q.by, q.where, tuple(q.crime.categories))
    return list(state.memo(key, lambda: _groups(q, state)))


def _groups(q: Question, state: DataState) -> tuple[Group, ...]:
    return tuple(_split(q, state))


def _split(q: Question, state: DataState) -> list[Group]:
    cats = tuple(q.crime.categories)
    where = q.where or (CITY,)
    if q.by in (None, "month"):
        return [place_group(w, cats) for w in where]
    scope = areas_of(q.where)
    if q.by == "area":
        present = (
            state.catalog.communities
            if scope is None
            else [a for a in scope if a in state.catalog.by_community]
        )
        return [
            Group((a,), cats, area=a, region=state.region_of(a) or None, label=a) for a in present
        ]
    if q.by == "region":
        regions: dict[str, list[str]] = {}
        for a in state.catalog.communities if scope is None else scope:
            r = state.region_of(a)
            if r:
                regions.setdefault(r, []).append(a)
        return [Group(tuple(v), cats, region=r, label=r) for r, v in sorted(regions.items())]
    if q.by == "category":
        present = state.catalog.categories
        wanted = [k for k in present if not cats or k in cats]
        area = q.where[0].names[0] if len(q.where) == 1 and q.where[0].kind == "area" else None
        return [Group(scope, (k,), area=area, category=k, label=k) for k in wanted]
    raise ValueError(f"unknown by {q.by!r}")
