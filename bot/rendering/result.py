"""A resolved question's :class:`~bot.answering.result.Result` in words: the :class:`Answer` every
transport renders (text, embed, chart), with the readings the resolver assumed and the caveat.

Words only: the numbers are the evaluator's, shown as they are in ``--json``'s ``result``.
"""

from __future__ import annotations

from core.caveats import CAVEAT, RANKING, REPORTED

from bot.answering.answer import Answer, Bar, ChartSpec
from bot.answering.result import PER_1000, PER_MONTH, PERCENT, Result, Row
from bot.language.question import Question

from .wording import fmt_range

WHAT_WORDS = {
    "count": "reported count",
    "rate": "rate per 1,000 residents",
    "average": "average per month",
    "share": "share",
    "change": "change",
    "peak": "busiest month",
    "trough": "quietest month",
    "forecast": "forecast",
    "accuracy": "how the forecasts did",
    "list": "areas",
}
LIST_MAX = 25


def fmt_value(v: float | None, unit: str) -> str:
    """A row's value in its unit.

    >>> fmt_value(1234.0, "incidents"), fmt_value(3.14159, "percent"), fmt_value(2.5, PER_1000)
    ('1,234', '3.1%', '2.50 per 1,000')
    """
    if v is None:
        return "n/a"
    if unit == PERCENT:
        return f"{v:.1f}%"
    if unit == PER_1000:
        return f"{v:.2f} per 1,000"
    if unit == PER_MONTH:
        return f"{v:,.1f} a month"
    return f"{v:,.0f}"


def fmt_compared(r: Row, unit: str) -> str:
    """' (was 1,100: +134, +12.2%)' when the row compares."""
    if r.previous is None:
        return ""
    pct = f", {r.pct:+.1f}%" if r.pct is not None else ""
    change = (
        f"{r.change:+,.2f}"
        if unit == PER_1000
        else f"{r.change:+,.1f}"
        if unit in (PERCENT, PER_MONTH)
        else f"{r.change:+,.0f}"
    )
    return f" (was {fmt_value(r.previous, unit)}: {change}{pct})"


def where_label(q: Question) -> str:
    return " + ".join(w.label for w in q.where) if q.where else "City-wide"


def title_of(q: Question) -> str:
    what = WHAT_WORDS.get(q.what, q.what)
    when = " vs ".join(p.label for p in q.when)
    top = f"{q.ranking.order.title()} {q.ranking.n} by {q.ranking.measure}: " if q.ranking else ""
    by = f" by {q.by}" if q.by and not q.ranking else ""
    return f"{top}{where_label(q)}, {q.crime.label}: {what}{by}" + (f", {when}" if when else "")


def _row_line(i: int | None, r: Row, unit: str, what: str) -> str:
    name = r.name()
    if r.month:  # a row of one month: the month, and its place when that varies
        other = r.area or r.region or r.category
        name = (
            r.month
            if what in ("peak", "trough", "accuracy") or not other
            else f"{r.month} · {other}"
        )
    if what == "forecast" or (r.lo is not None and r.previous is None):
        body = fmt_range(r.value, r.lo, r.hi) if r.lo is not None else fmt_value(r.value, unit)
    elif what == "accuracy":
        inside = "inside" if r.lo <= r.value <= r.hi else "outside"
        body = (
            f"counted {r.value:,.0f}; forecast made before {fmt_range(r.previous, r.lo, r.hi)}"
            f" — {inside} its 80% range"
        )
    else:
        body = fmt_value(r.value, unit) + fmt_compared(r, unit)
    prefix = f"{i}. " if i is not None else ""
    return f"{prefix}**{name}**: {body}" if name else f"{prefix}**{body}**"


def result_answer(q: Question, result: Result, base: Answer) -> Answer:
    """Fill ``base`` (the header: notes, warnings, footer) with the result in words."""
    a = base
    a.title = title_of(q)[:250]
    for text in q.assumptions:
        a.lines.append(f"ℹ Read as: {text}")
    if q.unplaced:
        a.lines.append("ℹ Words that changed nothing: " + ", ".join(q.unplaced[:5]))
    rows = result.rows
    if q.what == "list":
        names = [r.area for r in rows]
        a.lines.append(
            f"**{len(names)}** {'area' if len(names) == 1 else 'areas'} in "
            f"{where_label(q)}: "
            + ", ".join(names[:LIST_MAX])
            + (f" … and {len(names) - LIST_MAX} more" if len(names) > LIST_MAX else "")
        )
    elif not rows:
        a.lines.append("Nothing to show for that: no counts or forecasts cover it.")
    elif q.what == "accuracy":
        x = result.extra
        a.lines.append(
            f"**{x.get('inside', 0)} of {x.get('judged', 0)}** counts fell inside the "
            "80% range of the forecast made before them (about 80% should); mean "
            f"absolute error {x.get('mean_abs_error', 0):,.1f}."
        )
        a.lines.extend(_row_line(None, r, result.unit, q.what) for r in rows[:LIST_MAX])
    elif q.what in ("peak", "trough") and len(rows) == 1:
        word = "Busiest" if q.what == "peak" else "Quietest"
        a.lines.append(
            f"**{word} month: {rows[0].month}**, with {fmt_value(rows[0].value, result.unit)}"
            " reported."
        )
    elif len(rows) == 1 and not q.ranking:
        a.lines.append(_row_line(None, rows[0], result.unit, q.what))
    else:
        numbered = q.ranking is not None or q.what in ("peak", "trough")
        a.lines.extend(
            _row_line(i + 1 if numbered else None, r, result.unit, q.what)
            for i, r in enumerate(rows[:LIST_MAX])
        )
    for note in result.notes:
        a.lines.append(f"ℹ {note}")
    if q.what in ("forecast",) and result.extra.get("data_through"):
        a.lines.append(f"ℹ Forecast resting on data through {result.extra['data_through']}.")
    a.caveat = (
        f"{REPORTED} {RANKING}"
        if q.ranking or q.by in ("area", "region")
        else CAVEAT
        if q.what == "forecast"
        else REPORTED
    )
    if q.chart and (q.ranking or q.by in ("area", "region", "category")) and rows:
        a.chart = ChartSpec(
            "bars",
            a.title,
            ylabel=result.unit,
            note=a.footer,
            bars=[
                Bar(
                    r.name(),
                    float(r.value or 0),
                    float(r.lo if r.lo is not None else r.value or 0),
                    float(r.hi if r.hi is not None else r.value or 0),
                )
                for r in rows[:LIST_MAX]
            ],
        )
    return a
