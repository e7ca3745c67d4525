"""The weekly alert one channel receives: a plain JSON-serialisable record.

The shape is documented in docs/ARCHITECTURE.md; the bot renders it (``bot/render.py``) and posts
it (``bot/poster.py``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Mapping

from core.caveats import CAVEAT

__all__ = ["Alert", "iso_week"]


def iso_week(day: date) -> str:
    """ISO week label of ``day``.

    >>> iso_week(date(2026, 11, 29))
    '2026-W48'
    """
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


@dataclass
class Alert:
    """One channel's weekly alert.

    ``resolution`` is ``"month"`` when the source publishes whole months: then ``week`` and
    ``month_to_date`` are None (the data cannot support them) and ``last_month`` (the newest
    complete month against the forecast made before it) leads. ``"day"`` keeps the week and the
    month to date.
    """

    channel_id: str
    iso_week: str
    as_of: str
    week: dict | None
    month_to_date: dict | None
    data_through: str | None
    stale: bool
    synthetic: bool
    scope_label: str
    hot: list[dict]
    fdr: dict
    top_next_month: list[dict]
    changes: list[dict]
    health: dict
    caveat: str = CAVEAT
    notes: list[str] = field(default_factory=list)  # why a section is empty, in words
    webhook: bool = False  # post through the webhook instead of the channel
    resolution: str | None = None  # "day" or "month": what the source's dates support
    last_month: dict | None = None  # newest complete month against the forecast made before it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Alert":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @classmethod
    def from_json(cls, text: str | bytes) -> "Alert":
        return cls.from_dict(json.loads(text))
