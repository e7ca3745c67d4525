"""Shorthands the held-out sets are written with (places, periods, a case constructor).

>>> Q(2023, 3), H(2022, 2), WIN(2022), SEA(2023, "summer")
(('2023-07', '2023-09'), ('2022-07', '2022-12'), ('2021-12', '2022-02'), ('2023-06', '2023-08'))
"""

from __future__ import annotations

from .generate import Case
from .oracle import Spec

CITY = ("city", "")


def A(name: str) -> tuple:
    return ("area", name)


def G(alias: str) -> tuple:
    return ("group", alias)


def R(region: str) -> tuple:
    return ("region", region)


def AS(*names: str) -> tuple:
    return ("areas", names)


def Y(y: int) -> tuple:
    return (f"{y}-01", f"{y}-12")


def M(y: int, m: int) -> tuple:
    return (f"{y}-{m:02d}",) * 2


def Q(y: int, q: int) -> tuple:
    return (f"{y}-{3 * q - 2:02d}", f"{y}-{3 * q:02d}")


def H(y: int, h: int) -> tuple:
    return (f"{y}-{6 * h - 5:02d}", f"{y}-{6 * h:02d}")


def SEA(y: int, season: str) -> tuple:
    a = {"spring": 3, "summer": 6, "fall": 9}[season]
    return (f"{y}-{a:02d}", f"{y}-{a + 2:02d}")


def WIN(y: int) -> tuple:
    """The winter whose January is in y."""
    return (f"{y - 1}-12", f"{y}-02")


def RNG(a: str, b: str) -> tuple:
    return (a, b)


SHAPE = {
    "count": "count",
    "rate": "rate",
    "average": "average",
    "change": "change",
    "share": "share",
    "peak": "busiest/quietest month",
    "trough": "busiest/quietest month",
    "list": "list",
    "forecast": "forecast",
    "accuracy": "accuracy",
    "clarify": "question back",
    "refuse": "refusal",
}


def case(
    text: str, what: str, where=CITY, crime=(), *periods, by=None, rank=None, alt=(), shape=None
) -> Case:
    """One held-out phrasing and its reading (``alt``: other readings that also pass)."""
    compared = (
        "period"
        if what == "change" and len(periods) == 2
        else "year_before"
        if what == "change"
        else None
    )
    if shape is None and (what == "forecast" or (by and not rank) or where[0] == "areas"):
        shape = "forecast" if what == "forecast" else "breakdown" if by else "several places"
    if shape is None:
        shape = (
            SHAPE[what]
            if not rank
            else {
                "area": "ranking",
                "region": "ranking regions",
                "category": "ranking categories",
                "month": "ranking months",
            }[by]
        )
        if rank and rank[2] == "rate":
            shape = "ranking by rate"
        if rank and rank[2] in ("change", "pct"):
            shape = "biggest increase/drop"
    spec = Spec(
        what,
        where,
        tuple(crime),
        tuple(periods),
        by=by,
        ranking=rank,
        compared_with=compared,
        shape=shape,
    )
    return Case(text, spec, tuple(alt))


def alt(spec_case: Case) -> Spec:
    return spec_case.spec
