"""The Calgary Police Service's "Monthly Community Crime Disorder Statistics" workbook (.xlsx).

The layout, as public extraction code reads it (nothing else is assumed):

- sheet ``Crime Overview``: ``Date - Year``, ``Date - Month`` (a month name), ``Community``,
  ``Ward``, ``Police District``, ``Crime Type`` (e.g. Property Crime), ``Category``, ``Total Crime``
  (a number, or ``<5`` where the count is 1-4 and suppressed), then footer rows ("Applied
  filters...", totals);
- sheet ``Disorder``: ``Call_Received_Timestamp - Year``, ``Call_Received_Timestamp - Month``,
  ``Community``, ``Ward``, ``District``, ``Disorder Type``, ``Total Disorder``;
- sheet ``Domestics``: by ward and district only, so never counted (counts are by community).

The reader is strict about what it expects and loud about what it does not find: a missing sheet
or a changed header is a :class:`SourceError` naming the sheet, row and column (never silent
zeros); a malformed row goes to the dead letters with its sheet, row and column. Categories map to
the profile's through ``source.workbook`` (null: read and checked, not counted; unknown: a dead
letter naming it).

Each data row is one *cell* (community, crime type, category, month) sent as one record whose id is
derived from the cell (plus its occurrence, for repeated rows), so a re-sent workbook counts
nothing twice and a revised month re-sends its cells with their new counts, which replace the old
ones. A ``<5`` cell is sent with count 1 (the lower bound) and listed in :attr:`WorkbookLoad.cells`
as suppressed (:mod:`stream.censored` keeps them); a 0 cell sends nothing.
"""

from __future__ import annotations

import calendar
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from core.censored import LOW
from core.months import month_of
from core.text import area_name

from ..categories import CategorySet
from ..censored import Cell
from ..producer import Rejected
from ..records import MAX_COUNT, MIN_DATE, Incident, RecordError, derive_id
from .base import Loaded, SourceError, safe_fields

SUPPRESSED = "<5"
SOURCE = "cps-workbook"
CRIME = (
    "Crime Overview",
    (
        "Date - Year",
        "Date - Month",
        "Community",
        "Ward",
        "Police District",
        "Crime Type",
        "Category",
        "Total Crime",
    ),
    "Category",
    "Total Crime",
)
DISORDER = (
    "Disorder",
    (
        "Call_Received_Timestamp - Year",
        "Call_Received_Timestamp - Month",
        "Community",
        "Ward",
        "District",
        "Disorder Type",
        "Total Disorder",
    ),
    "Disorder Type",
    "Total Disorder",
)
NOT_BY_COMMUNITY = ("Domestics",)
FOOTER_STARTS = ("applied filter", "total", "grand total", "filters applied")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})


@dataclass
class WorkbookLoad:
    """A checked workbook: the records to send (``loaded``), every cell read (suppressed or
    not, for :class:`stream.censored.CensoredCells`), and notes for the operator."""

    loaded: Loaded
    cells: list[Cell]
    months: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        return sum(c.suppressed for c in self.cells)


def _where(sheet: str, row: int, col: int | None = None, name: str | None = None) -> str:
    from openpyxl.utils import get_column_letter

    out = f"sheet {sheet!r}, row {row}"
    return out + (f", column {get_column_letter(col + 1)} ({name!r})" if col is not None else "")


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def _year(v: object) -> int:
    text = _cell_text(v)
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a year")
    return int(text)


def _month(v: object) -> int:
    text = _cell_text(v)
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    if text.lower() in _MONTHS:
        return _MONTHS[text.lower()]
    raise ValueError(f"{text!r} is not a month name")


def _total(v: object) -> int | None:
    """A cell's count; None for ``<5`` (suppressed)."""
    text = _cell_text(v)
    if text.replace(" ", "") == SUPPRESSED:
        return None
    if not text.isdigit():
        raise ValueError(f"{text!r} is neither a count nor {SUPPRESSED!r}")
    n = int(text)
    if n > MAX_COUNT:
        raise ValueError(f"{n} is implausibly large (at most {MAX_COUNT})")
    return n


def _open(path: Path):
    if not path.exists():
        raise SourceError(path, None, "file not found")
    try:
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise SourceError(
            path,
            None,
            f"not an Excel workbook (.xlsx) that can be read: {exc.__class__.__name__}: {exc}",
        ) from None


def _header(
    path: Path, ws, sheet: str, expected: tuple[str, ...]
) -> tuple[int, list[str], Iterator]:
    """The header row (first non-blank), checked against ``expected`` exactly."""
    rows = ws.iter_rows(values_only=True)
    for number, values in enumerate(rows, 1):
        names = [_cell_text(v) for v in values]
        if not any(names):
            continue
        while names and not names[-1]:
            names.pop()
        for col, name in enumerate(names):
            if name not in expected:
                raise SourceError(
                    path,
                    None,
                    f"{_where(sheet, number, col, name)}: unexpected "
                    f"column; the layout changed (expected "
                    f"{', '.join(expected)})",
                )
        missing = [c for c in expected if c not in names]
        if missing:
            raise SourceError(
                path,
                None,
                f"{_where(sheet, number)}: column(s) "
                f"{', '.join(map(repr, missing))} not found; the layout "
                f"changed (the header has {', '.join(filter(None, names))})",
            )
        return number, names, rows
    raise SourceError(path, None, f"sheet {sheet!r} is empty (expected a header row)")


class _Mapping:
    """One sheet's category map (case and spacing ignored)."""

    def __init__(self, mapped: dict[str, str | None], categories: CategorySet, where: str):
        self.map: dict[str, str | None] = {}
        for raw, target in mapped.items():
            resolved = categories.resolve(target) if target is not None else None
            if target is not None and resolved is None:
                raise SourceError(None, None, f"{where} maps {raw!r} to {target!r}, not a category")
            self.map[" ".join(str(raw).split()).casefold()] = resolved

    def get(self, raw: str) -> tuple[bool, str | None]:
        key = " ".join(raw.split()).casefold()
        return key in self.map, self.map.get(key)


def _read_sheet(path: Path, wb, spec, mapping: _Mapping, today: date, state: dict) -> None:
    sheet, expected, cat_col, total_col = spec
    ws = wb[sheet]
    head, names, rows = _header(path, ws, sheet, expected)
    pos = {name: i for i, name in enumerate(names)}
    footer = False
    for number, values in enumerate(rows, head + 1):
        texts = [_cell_text(v) for v in values]
        if not any(texts):
            continue
        if (
            footer
            or texts[0].lower().startswith(FOOTER_STARTS)
            or any(t.lower().startswith("applied filter") for t in texts)
        ):
            footer = True  # "Applied filters ...", totals: everything after is the footer
            state["footer"] += 1
            continue
        state["rows"] += 1
        fields = {name: texts[i] if i < len(texts) else "" for name, i in pos.items()}
        origin = f"{path.name}:{sheet}:{number}"
        try:
            year = _parse(_year, values, pos, expected[0], sheet, number)
            month = _parse(_month, values, pos, expected[1], sheet, number)
            if year < MIN_DATE.year or date(year, month, 1) > today:
                raise RecordError(
                    f"{_where(sheet, number, pos[expected[0]], expected[0])}: "
                    f"{year}-{month:02d} is outside {MIN_DATE.year}..today"
                )
            community = area_name(fields["Community"])
            if not community or "|" in community or len(community) > 200:
                raise RecordError(
                    f"{_where(sheet, number, pos['Community'], 'Community')}: "
                    f"{'missing' if not community else 'invalid'} community"
                )
            raw_cat = fields[cat_col]
            known, category = mapping.get(raw_cat)
            if not known:
                raise RecordError(
                    f"{_where(sheet, number, pos[cat_col], cat_col)}: unknown "
                    f"category {raw_cat[:60]!r} (not in the profile's "
                    "source.workbook)"
                )
            count = _parse(_total, values, pos, total_col, sheet, number)
        except RecordError as exc:
            state["rejected"].append(Rejected(exc.reason, safe_fields(fields), origin))
            continue
        if category is None:
            state["skipped"] += 1
            continue
        kind = fields.get("Crime Type", sheet)
        ident = (sheet, community, kind, raw_cat.casefold(), year, month)
        occ = state["seen"].get(ident, 0)
        state["seen"][ident] = occ + 1
        cell_id = derive_id(SOURCE, *ident, occ)
        day = min(date(year, month, calendar.monthrange(year, month)[1]), today)
        cell = Cell(cell_id, community, category, month_of(day), count is None)
        state["cells"].append(cell)
        if count is None or count > 0:
            state["records"].append(
                Incident(cell_id, community, category, day, LOW if count is None else count, SOURCE)
            )


def _parse(fn, values, pos, name, sheet, number):
    i = pos[name]
    try:
        return fn(values[i] if i < len(values) else None)
    except ValueError as exc:
        raise RecordError(f"{_where(sheet, number, i, name)}: {exc}") from None


def read_workbook(
    path: str | os.PathLike[str], workbook, categories: CategorySet, *, today: date | None = None
) -> WorkbookLoad:
    """Read and check a CPS workbook with the profile's ``source.workbook`` mapping; raises
    :class:`SourceError` (sheet, row, column) for a missing sheet or a changed layout."""
    path = Path(path)
    today = today or datetime.now(timezone.utc).date()
    maps = {
        CRIME[0]: _Mapping(workbook.crime, categories, "source.workbook.crime"),
        DISORDER[0]: _Mapping(workbook.disorder, categories, "source.workbook.disorder"),
    }
    wb = _open(path)
    try:
        if CRIME[0] not in wb.sheetnames:
            raise SourceError(
                path,
                None,
                f"sheet {CRIME[0]!r} not found (the workbook has "
                f"{', '.join(map(repr, wb.sheetnames))})",
            )
        state = {
            "rows": 0,
            "footer": 0,
            "skipped": 0,
            "rejected": [],
            "records": [],
            "cells": [],
            "seen": {},
        }
        notes = []
        _read_sheet(path, wb, CRIME, maps[CRIME[0]], today, state)
        if DISORDER[0] in wb.sheetnames:
            _read_sheet(path, wb, DISORDER, maps[DISORDER[0]], today, state)
        else:
            notes.append(f"sheet {DISORDER[0]!r} not found: no disorder rows read")
        for sheet in NOT_BY_COMMUNITY:
            if sheet in wb.sheetnames:
                notes.append(
                    f"sheet {sheet!r} is by ward and district only: not counted "
                    "(counts are by community)"
                )
    finally:
        wb.close()
    rows, rejected = state["rows"], state["rejected"]
    if rows == 0:
        raise SourceError(path, None, f"sheet {CRIME[0]!r} has no data rows after its header")
    if len(rejected) == rows:
        raise SourceError(
            path, None, f"no valid row in {rows} (first problem: {rejected[0].reason})"
        )
    records: list[Incident] = state["records"]
    loaded = Loaded(
        str(path),
        rows,
        len(records),
        lambda: iter(records),
        rejected,
        skipped=state["skipped"],
        source=SOURCE,
    )
    months = sorted({c.month for c in state["cells"]})
    return WorkbookLoad(loaded, state["cells"], months, notes)
