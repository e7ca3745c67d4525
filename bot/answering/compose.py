"""What every evaluator over the counts shares: breakdown (*by*), comparison (*compared with*) and
ranking, around one measure ``measure(state, group, period, question) -> Value | None``.

The measure says what one number is (a count, a rate, a share...); :func:`tabulate` makes the rows:
one per group of :func:`~bot.answering.scope.groups` (or per month with ``by="month"``), each with
the earlier period's number when the question compares, then sorted and cut when it ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from core.months import add_months

from bot.language.question import MAX_RANK, Period, Question

from .archive import expected
from .result import Result, Row
from .scope import Group, groups
from .state import DataState


@dataclass(frozen=True)
class Value:
    """One number with its 80% range when it has one (forecasts)."""

    value: float
    lo: float | None = None
    hi: float | None = None


Measure = Callable[[DataState, Group, Period, Question], "Value | None"]

#: ranking measure -> the row field it sorts by
SORT_FIELD = {"change": "change", "pct": "pct"}


def year_before(p: Period) -> Period:
    """The same span a year earlier.

    >>> year_before(Period("2023-01", "2023-03", "Q1 2023")).to_dict()
    {'start': '2022-01', 'end': '2022-03', 'label': 'a year earlier (2022-01 – 2022-03)'}
    """
    first = last = None
    if p.first_day:
        first, last = (
            f"{int(p.first_day[:4]) - 1:04d}{p.first_day[4:]}",
            f"{int(p.last_day[:4]) - 1:04d}{p.last_day[4:]}",
        )
        if first.endswith("02-29"):
            first = first[:-2] + "28"
        if last.endswith("02-29"):
            last = last[:-2] + "28"
    start, end = add_months(p.start, -12), add_months(p.end, -12)
    label = f"a year earlier ({start}" + (f" – {end})" if end != start else ")")
    return Period(start, end, label, first, last)


def month_period(m: str) -> Period:
    return Period(m, m, m)


def earlier(q: Question) -> Period | None:
    """The period the question compares with: the earlier of two, or the same span a year before
    (``compared_with="year_before"``); None otherwise."""
    if q.previous is not None:
        return q.previous
    if q.compared_with == "year_before" and q.period is not None:
        return year_before(q.period)
    return None


def effective_by(q: Question) -> str | None:
    """A ranking without a breakdown ranks areas."""
    return q.by or ("area" if q.ranking else None)


def tabulate(
    q: Question,
    state: DataState,
    measure: Measure,
    unit: str,
    *,
    default_by: str | None = None,
    why_left_out: str = "no figure to give",
) -> Result:
    """Rows of ``measure`` for the question (see the module docstring)."""
    result = Result(unit)
    by = effective_by(q) or default_by
    q = replace(q, by=by) if by != q.by else q
    period = q.period
    if period is None:
        return result
    before = earlier(q)
    rows, left_out = [], []
    gs = groups(q, state)
    fast = getattr(measure, "from_count", None)
    if fast is not None and by in ("area", "region", "category") and not period.first_day:
        now = group_counts(state, gs, period)  # one pass over the rows, not one per group
        then = group_counts(state, gs, before) if before is not None else None
        measure = _from_counts(fast, now, then, period, before)
    splits = [(month_period(m), m) for m in period.months] if by == "month" else [(period, None)]
    prev_months = before.months if before is not None else ()
    for g in gs:
        for k, (p, month) in enumerate(splits):
            v = measure(state, g, p, q)
            if v is None:
                left_out.append(g.label or month or "")
                continue
            previous = None
            if before is not None:
                bp = (
                    before
                    if month is None
                    else (month_period(prev_months[k]) if k < len(prev_months) else None)
                )
                pv = measure(state, g, bp, q) if bp is not None else None
                previous = pv.value if pv else None
            row = Row(
                area=g.area,
                region=g.region,
                category=g.category,
                month=month,
                period=p.label if month is None else None,
                value=v.value,
                lo=v.lo,
                hi=v.hi,
                previous=previous,
            )
            if before is not None:
                row = row.compared()
            elif q.compared_with == "forecast":
                exp = expected(state, g.rows(state), p.months)
                if exp is not None:
                    row = replace(row, previous=exp.mean, lo=exp.lo, hi=exp.hi).compared()
            rows.append(row)
    if left_out:
        result.notes.append(
            f"Left out ({why_left_out}): "
            + ", ".join(sorted(set(left_out))[:8])
            + ("…" if len(set(left_out)) > 8 else "")
        )
    result.rows = rank(q, rows, result) if q.ranking else rows
    if before is not None:
        result.extra["previous_period"] = before.to_dict()
    return result


def group_counts(state: DataState, gs: list[Group], p: Period) -> dict[Group, int] | None:
    """Each group's count over the period in one pass over the rows (None outside the data)."""
    cols = [state.counts.col.get(m) for m in p.months]
    if any(c is None for c in cols):
        return None
    sums = group_sums(state, gs, lambda rows: state.counts.take(rows)[:, cols].sum(axis=1))
    return {g: int(round(v)) for g, v in sums.items()}


def group_sums(state: DataState, gs: list[Group], per_row) -> dict[Group, float]:
    """``per_row(rows)`` (one number a row) summed per group, reading every row once."""
    cat = state.catalog
    by_area = all(g.communities is not None and len(g.communities) == 1 for g in gs)
    if by_area and len({g.categories for g in gs}) == 1 and gs:  # one bincount over the areas
        rows = cat.rows_of([g.communities[0] for g in gs], gs[0].categories)
        sums = np.bincount(
            cat.community_of[rows],
            weights=per_row(rows) if len(rows) else None,
            minlength=len(cat.communities),
        )
        index = {c: i for i, c in enumerate(cat.communities)}
        return {
            g: float(sums[index[g.communities[0]]]) if g.communities[0] in index else 0.0
            for g in gs
        }
    parts = [g.rows(state) for g in gs]
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    values = per_row(flat) if len(flat) else np.zeros(0)
    out, k = {}, 0
    for g, r in zip(gs, parts):
        out[g] = float(values[k : k + len(r)].sum())
        k += len(r)
    return out


def _from_counts(fast, now, then, period: Period, before: Period | None) -> Measure:
    """A measure reading the groups' counts computed once (``fast(state, g, n, p, q)``)."""

    def measure(state, g, p, q):
        table = now if p is period else then if p is before else None
        if table is None:
            return None
        return fast(state, g, table[g], p, q)

    return measure


def rank(q: Question, rows: list[Row], result: Result) -> list[Row]:
    """Rows sorted by the ranked measure (descending for top), ties by name, cut to n."""
    r = q.ranking
    field = SORT_FIELD.get(r.measure, "value")
    usable = [x for x in rows if getattr(x, field) is not None]
    if len(usable) < len(rows):
        result.notes.append(
            f"{len(rows) - len(usable)} left out of the ranking: no {field} to "
            "rank by (nothing to compare with)."
        )
    sign = -1.0 if r.order == "top" else 1.0
    usable.sort(key=lambda x: (sign * getattr(x, field), x.name()))
    n = min(r.n, MAX_RANK)
    if r.n > MAX_RANK:
        result.notes.append(f"A ranking lists at most {MAX_RANK}; you asked for {r.n}.")
    result.extra["ranking"] = {"n": n, "order": r.order, "measure": r.measure, "of": len(usable)}
    return usable[:n]
