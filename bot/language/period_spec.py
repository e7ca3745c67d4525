"""A period as named, before the data say which months it is (:class:`Period`).

The words' reading only: :mod:`bot.language.period_grammar` builds one from a phrase,
:mod:`bot.language.spans` turns it into months against the newest complete month.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """A period as named, before the data say which months it is.

    ``kind``: ``month`` (``start`` ``YYYY-MM``), ``month_of_year`` (``month_number``: the latest
    complete one), ``recent`` (the newest ``n`` complete months: "last month", "the last 3
    months"), ``ago`` (the month ``n`` before the newest), ``year`` (``year``), ``this_year``,
    ``last_year``, ``since`` (``start`` or ``month_number`` or ``year``, through the newest),
    ``range`` (``start``..``end``, years possibly inferred), ``days`` (``n`` days ending
    ``offset`` days before today: "yesterday", "the last 7 days"), ``last_week`` (the previous
    Monday-Sunday), ``latest`` (no period named: the newest complete month),
    ``months_of_year`` (months ``month_number``..``end_number`` of one year, wrapping over New
    Year when the end is smaller: a quarter, half or season; ``year`` is the year of its END month,
    ``year_offset`` 0 / -1 for "this year" / "last year", neither = the most recent complete one;
    ``unit`` says which: ``quarter``, ``half``, ``season``, ``month``, ``range``), ``qtd``
    (quarter to date).
    """

    kind: str
    label: str
    start: str | None = None
    end: str | None = None
    n: int = 1
    month_number: int | None = None
    end_number: int | None = None
    year: int | None = None
    year_offset: int | None = None
    unit: str = ""
    back: int = 0  # "quarters": how many quarters before the most recent complete one it ends
    past: bool = False  # "last summer", "last March": the most recent complete one, never next

    @property
    def is_days(self) -> bool:
        return self.kind in ("days", "last_week")

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "n": self.n,
            "month_number": self.month_number,
            "year": self.year,
        }


PeriodSpec = Period  # the words' reading of a period, before the data say which months
