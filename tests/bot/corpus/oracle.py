"""The independent oracle: what each corpus question should answer, in plain pandas/numpy.

A question is a ``Spec`` (this corpus's own reading of the contract in docs/questions.md, never
the project's question type); ``expect(spec)`` gives the expected answer as a dict the checker
compares with the engine's ``--json`` (``check.py``).

Decisions taken where the docs leave room (an analyst's reading, written down here):
- Data: Calgary's counts are the portal rows, duplicate keys summed, areas upper-cased, categories
  the profile's; the series run 2018-01..2023-12 and 2023-12 is the newest complete month (the
  deployment closes it). Atlanta's are the offence rows, area = neighborhood else
  "NPU X (NO NEIGHBORHOOD)", month of ``Occur Date``; rows before ``series_start`` (2019-01) are
  outside every period asked; 2019-12 is the newest complete month (closed by the deployment).
- Regions: Calgary's sector of a community from calgary_communities.csv by NAME (09K, 12I and
  AMBLETON have none). Atlanta's NPU of a neighborhood is the NPU most of its rows name (four
  neighborhoods straddle two NPUs with 1-89 rows on the minority side); a fallback area
  "NPU X (NO NEIGHBORHOOD)" is in NPU X. Areas with no region are never ranked among regions.
- Rate = incidents of the place / its residents with a known population x 1,000 (a region's or
  the city's incidents include those of its areas without residents, as a crime rate does).
  Area rate rankings leave out areas without a known positive population. Atlanta has no
  population: a rate question must not be answered as a rate.
- Rankings over areas/regions/categories/months: value sequences (ties never fail); bottom
  rankings over areas include areas that counted zero; a ranking by % change leaves out keys
  whose earlier count is 0. "Biggest increase" ranks by the absolute change, "biggest drop"
  ranks the most negative change first.
- Forecasts: the deployment serves the bot tests' simple model (tests/bot/seed.py: the mean of
  the last six months per series, at least 0.02), so a forecast's mean is checked too: the sum
  over the place's series; a ranked forecast's values as a sequence.
- Busiest/quietest month: the month(s) with the highest/lowest count in the period (ties: any of
  them is right).
- Share of the city: 100 x place / city, same crime and period.
- A profile alias that is also an area's own name (Calgary's "marlborough": the profile says
  MARLBOROUGH and MARLBOROUGH PARK, the README's example answers MARLBOROUGH alone) may be read
  either way: both readings pass (``readings``).
- Everyday period words (docs/questions.md where it says, else an analyst's reading): "the past
  year" / "the last 12 months" = the 12 months ending with the newest; "last quarter" = the most
  recent complete quarter; "ytd" = "this year"; "since March" = the most recent March through the
  newest month; "over the summer" = "last summer"; "the summer before" = a year before that;
  "Q2 and Q3 together" = one span; "the year" (Atlanta) = 2019. "Hot spots" = areas by count;
  "improved the most" = the most negative change; "how'd we do on X" = the count (or its change).
- "Between 2019 and 2022" with no word of change or comparison is one span or two periods: the
  generated corpus asks it only beside such a word.

>>> s = Spec("count", where=("area", "BELTLINE"), periods=(("2023-01", "2023-12"),))
>>> s.what, s.where
('count', ('area', 'BELTLINE'))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from .cities import City, month_range, shift

# Expectations that no answer is right: "clarify" (a question back, docs/questions.md's "Clarify,
# never broaden") and "refuse" (a question back or a plain refusal, e.g. a category the city does
# not count or a week on a monthly source).
NO_ANSWER = ("clarify", "refuse")
MEASURE_FIELD = {
    "count": "value",
    "rate": "value",
    "average": "value",
    "share": "value",
    "change": "change",
    "pct": "pct",
}


@dataclass(frozen=True)
class Spec:
    """What a phrasing asks, in this corpus's own terms (see docs/questions.md)."""

    what: str  # count rate change share average peak trough list forecast accuracy, or
    # clarify (a question back is the right answer) / refuse (any ok:false reply is)
    where: tuple = ("city", "")  # (kind, name): area/group/region/
    # city, or ("areas", (name, ...)) for several
    crime: tuple = ()  # categories, empty = all
    periods: tuple = ()  # ((start, end), ...) earlier first for two periods
    by: str | None = None  # area | region | category | month
    ranking: tuple | None = None  # (n, order top|bottom, measure)
    compared_with: str | None = None  # period | year_before
    shape: str = ""  # the report's row
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def describe(spec: Spec) -> str:
    """One line saying what a spec asks (for failure lists)."""
    kind, name = spec.where
    where = ",".join(name) if kind == "areas" else f"{kind} {name}".strip()
    parts = [spec.what, where, f"crime={len(spec.crime) or 'all'}"]
    parts += ["..".join(p) if p[0] != p[1] else p[0] for p in spec.periods]
    if spec.by:
        parts.append(f"by={spec.by}")
    if spec.ranking:
        parts.append("rank={} {} {}".format(*spec.ranking))
    return " ".join(parts)


def areas_of(c: City, where: tuple) -> list[str] | None:
    """The areas a where names (None = the whole city)."""
    kind, name = where
    if kind == "city":
        return None
    if kind == "area":
        return [name]
    if kind == "group":
        return list(c.places[name])
    if kind == "region":
        return c.regions[name]
    if kind == "areas":
        return list(name)
    raise ValueError(kind)


def readings(c: City, spec: Spec, alternatives=()) -> list[Spec]:
    """The readings that pass: the spec, the case's own alternatives, and the single area
    for an alias that is also an area's name."""
    out = [spec, *alternatives]
    kind, name = spec.where
    if kind == "group" and name.upper() in c.areas and c.places[name] != [name.upper()]:
        out.append(replace(spec, where=("area", name.upper())))
    return out


def months_of(period: tuple) -> list[str]:
    return month_range(*period)


def _rate(c: City, count: float, areas) -> float | None:
    pop = sum(c.population.get(a, 0.0) for a in (c.areas if areas is None else areas))
    return None if pop <= 0 else count / pop * 1000.0


def _pct(value: float, previous: float) -> float | None:
    return None if previous == 0 else 100.0 * (value - previous) / previous


def _two(spec: Spec) -> tuple[tuple, tuple]:
    """(earlier, later) periods of a change question."""
    if spec.compared_with == "year_before" or len(spec.periods) == 1:
        ((s, e),) = spec.periods[-1:]
        return (shift(s, -12), shift(e, -12)), (s, e)
    return spec.periods[0], spec.periods[1]


def _keys(c: City, spec: Spec, months: list[str]) -> pd.Series:
    """The measure's base count per key of ``spec.by`` within the where."""
    areas = areas_of(c, spec.where)
    if spec.by == "area":
        s = c.per_area(spec.crime, months)
        return s if areas is None else s[s.index.isin(areas)]
    if spec.by == "region":
        per = c.per_area(spec.crime, months)
        reg = pd.Series(c.region_of).reindex(per.index)
        return per[reg.notna()].groupby(reg[reg.notna()]).sum()
    if spec.by == "category":
        s = c.per_category(areas, months)
        return s[s.index.isin(spec.crime)] if spec.crime else s
    if spec.by == "month":
        return c.per_month(areas, spec.crime, months)
    raise ValueError(spec.by)


def _rates(c: City, spec: Spec, counts: pd.Series) -> pd.Series:
    if spec.by == "area":
        pop = pd.Series(c.population).reindex(counts.index)
        keep = pop.notna() & (pop > 0)
        return counts[keep] / pop[keep] * 1000.0
    if spec.by == "region":
        return pd.Series({k: _rate(c, v, c.regions[k]) for k, v in counts.items()}).dropna()
    areas = areas_of(c, spec.where)
    return counts.map(lambda v: _rate(c, v, areas)).dropna()


def ranked(c: City, spec: Spec) -> dict:
    """A top/bottom-n ranking over ``spec.by``: the expected value sequence."""
    n, order, measure = spec.ranking
    if measure in ("change", "pct"):
        before, after = _two(spec)
        later = _keys(c, spec, months_of(after))
        earlier = _keys(c, spec, months_of(before)).reindex(later.index, fill_value=0)
        vals = (
            later - earlier
            if measure == "change"
            else (100.0 * (later - earlier) / earlier.where(earlier != 0)).dropna()
        )
    else:
        months = months_of(spec.periods[0])
        vals = _keys(c, spec, months)
        if measure == "rate":
            vals = _rates(c, spec, vals)
        elif measure == "average":
            vals = vals / len(months)
        elif measure == "share":
            vals = 100.0 * vals / vals.sum() if vals.sum() else vals * 0
    frame = pd.DataFrame({"key": vals.index, "v": vals.to_numpy(dtype=float)})
    frame = frame.sort_values(["v", "key"], ascending=[order == "bottom", True])
    top = frame.head(n)
    return {
        "check": "sequence",
        "field": MEASURE_FIELD.get(measure, "value"),
        "measure": measure,
        "values": [float(v) for v in top["v"]],
        "keys": list(top["key"]),
        "n": min(n, len(frame)),
    }


def expect(c: City, spec: Spec) -> dict:
    """The expected answer to ``spec`` over city ``c``."""
    out = {"what": spec.what}
    if spec.what in NO_ANSWER:
        return out | {"check": spec.what}
    if spec.what in ("forecast", "accuracy"):
        areas = areas_of(c, spec.where)
        out |= {"check": "structure", "areas": sorted(areas or [])}
        if spec.what == "forecast":
            per = c.simple_forecast(spec.crime)
            if spec.ranking:  # n rows, or as many areas as have such a series
                top = per[per > 0].sort_values(ascending=False)
                out["n"] = min(spec.ranking[0], len(top))
                out["values"] = [float(v) for v in top.head(out["n"])]
            else:
                out["value"] = float(per.sum() if areas is None else per[areas].sum())
        return out
    if spec.what == "rate" and not c.population:
        return out | {"check": "no_rate"}
    areas = areas_of(c, spec.where)
    if spec.what == "list":
        return out | {"check": "members", "members": sorted(areas or c.areas)}
    if spec.ranking:
        return out | ranked(c, spec)
    if spec.what == "change":
        before, after = _two(spec)
        v = c.total(areas, spec.crime, months_of(after))
        p = c.total(areas, spec.crime, months_of(before))
        return out | {
            "check": "row",
            "row": {"value": v, "previous": p, "change": v - p, "pct": _pct(v, p)},
        }
    months = months_of(spec.periods[0])
    count = c.total(areas, spec.crime, months)
    if spec.what == "count" and spec.where[0] == "areas" and not spec.by:
        return out | {
            "check": "rows",
            "by": "area",
            "rows": {a: c.total([a], spec.crime, months) for a in areas},
        }
    if spec.what == "count" and spec.by:
        s = _keys(c, spec, months)
        return out | {"check": "rows", "by": spec.by, "rows": {k: float(v) for k, v in s.items()}}
    if spec.what == "count":
        return out | {"check": "row", "row": {"value": count}}
    if spec.what == "rate":
        r = _rate(c, count, areas)
        return out | ({"check": "no_rate"} if r is None else {"check": "row", "row": {"value": r}})
    if spec.what == "average":
        return out | {"check": "row", "row": {"value": count / len(months)}}
    if spec.what == "share":
        city = c.total(None, spec.crime, months)
        return out | {"check": "row", "row": {"value": 100.0 * count / city if city else 0.0}}
    if spec.what in ("peak", "trough"):
        s = c.per_month(areas, spec.crime, months)
        best = s.max() if spec.what == "peak" else s.min()
        return out | {"check": "month", "value": float(best), "months": sorted(s[s == best].index)}
    raise ValueError(spec.what)
