"""The structured result of an evaluation: rows of numbers and their unit (``--json``'s ``result``).

Evaluators return a :class:`Result`; renderers turn it into words, embeds and charts; the JSON
contract (docs/questions.md, "Answers / JSON") is :meth:`Result.to_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

INCIDENTS = "incidents"
PER_1000 = "incidents per 1,000 residents"
PERCENT = "percent"
PER_MONTH = "incidents per month"

#: what -> unit of its rows' ``value``
UNITS = {
    "count": INCIDENTS,
    "forecast": INCIDENTS,
    "rate": PER_1000,
    "change": INCIDENTS,
    "share": PERCENT,
    "average": PER_MONTH,
    "peak": INCIDENTS,
    "trough": INCIDENTS,
    "accuracy": INCIDENTS,
    "list": INCIDENTS,
}


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


@dataclass(frozen=True)
class Row:
    """One row: the keys it is for (area, region, category, month, period label) and its numbers.

    >>> Row(area="BELTLINE", value=12, previous=10).compared().to_dict()["pct"]
    20.0
    """

    area: str | None = None
    region: str | None = None
    category: str | None = None
    month: str | None = None
    period: str | None = None
    value: float | None = None
    lo: float | None = None
    hi: float | None = None
    previous: float | None = None
    change: float | None = None
    pct: float | None = None

    def compared(self) -> "Row":
        """This row with ``change`` and ``pct`` from ``value`` and ``previous`` (pct None at 0)."""
        if self.value is None or self.previous is None:
            return self
        change = self.value - self.previous
        return replace(
            self, change=change, pct=100.0 * change / self.previous if self.previous else None
        )

    def name(self) -> str:
        """What the row is for, in words (for sorting ties and for the text)."""
        return self.area or self.region or self.category or self.month or self.period or ""

    def to_dict(self) -> dict:
        return {
            "area": self.area,
            "region": self.region,
            "category": self.category,
            "month": self.month,
            "period": self.period,
            "value": _r(self.value),
            "lo": _r(self.lo),
            "hi": _r(self.hi),
            "previous": _r(self.previous),
            "change": _r(self.change),
            "pct": _r(self.pct),
        }


@dataclass
class Result:
    """Rows in a unit, with notes the reply must carry (left-out areas, capped rankings).

    ``extra``: figures of the evaluation itself (in ``--json``'s ``result``); ``context``: the
    figures an answer shows beside the rows (a year earlier, the forecast made before, breakdowns,
    chart lines), computed once with them and worded by the renderers (the answer's own data
    carry what ``--json`` shows of them).
    """

    unit: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = {"unit": self.unit, "rows": [r.to_dict() for r in self.rows]}
        out.update(self.extra)
        return out
