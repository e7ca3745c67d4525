"""The Calgary portal's Community Crime Statistics CSV (``Community,Category,Crime Count,Year,Month``).

Each row is a monthly total of one series. As it is (``expand=False``) a row streams as one record
with its count, dated on the month's last day (the row covers the whole month). With ``expand=True``
it becomes ``count`` one-incident records, for streaming demos and benchmarks; they keep the row's
month resolution (all filed on the month's last day), so nothing downstream answers "last week"
from days the source never gave. ``invent_days=True`` (tests and benchmarks of day-level paths
only, never the command line) spreads them evenly and deterministically over the month instead.

The portal gives no ids. A row's id is derived from its key (community, category, year, month)
plus its occurrence index among rows of the file with that key, so identical rows are separate
incidents, re-ingesting the same file counts each once, and a later export that *revises* a row's
count re-sends the same id with the new count, which replaces the old one (the consumer applies
the difference). A row that a revision removes entirely is not noticed (README, Limits).
"""

from __future__ import annotations

import calendar
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from ..categories import CategorySet
from ..records import MIN_DATE, Incident, RecordError, derive_id, month_day, parse_count
from core.text import area_name

from .base import CsvRows, Loaded, no_rows_error

COLUMNS = ["Community", "Category", "Crime Count", "Year", "Month"]


def _row_day(year: int, month: int, today: date) -> date:
    return month_day(date(year, month, 1), today)


def parse_row(values: dict[str, str], categories: CategorySet, today: date) -> tuple:
    """``(community, category, count, year, month)`` from one row; raises RecordError."""
    comm = area_name(values.get("Community") or "")
    if not comm:
        raise RecordError("missing field 'Community'")
    if "|" in comm or len(comm) > 200 or any("\ud800" <= ch <= "\udfff" for ch in comm):
        raise RecordError("invalid Community (too long, '|' or invalid UTF-8)")
    raw_cat = values.get("Category") or ""
    if not raw_cat.strip():
        raise RecordError("missing field 'Category'")
    cat = categories.resolve(raw_cat)
    if cat is None:
        raise RecordError(f"unknown category {raw_cat.strip()[:60]!r}")
    count = parse_count(values.get("Crime Count") or "x")
    try:
        year, month = int(values.get("Year", "").strip()), int(values.get("Month", "").strip())
    except ValueError:
        raise RecordError(
            f"Year/Month {values.get('Year')!r}/{values.get('Month')!r} are not numbers"
        ) from None
    if not 1 <= month <= 12:
        raise RecordError(f"Month {month} is not 1..12")
    if year < MIN_DATE.year:
        raise RecordError(f"Year {year} is before {MIN_DATE.year}")
    if date(year, month, 1) > today:
        raise RecordError(f"{year}-{month:02d} is in the future")
    return comm, cat, count, year, month


def read_calgary(
    path: str | os.PathLike[str],
    *,
    expand: bool = False,
    source: str = "calgary",
    categories: CategorySet | None = None,
    today: date | None = None,
    invent_days: bool = False,
) -> Loaded:
    """Read and check a portal CSV; raises :class:`SourceError` for file-level problems."""
    path = Path(path)
    categories = categories or CategorySet.calgary()
    today = today or datetime.now(timezone.utc).date()
    rows: list[tuple] = []  # (comm, cat, count, year, month, occurrence)
    seen: dict[tuple, int] = {}
    reader = CsvRows(path, COLUMNS)
    for values, origin in reader:
        try:
            key = parse_row(values, categories, today)
        except RecordError as exc:
            reader.reject(exc.reason, values, origin)
            continue
        ident = key[:2] + key[3:]  # (community, category, year, month): not the count
        occ = seen.get(ident, 0)
        seen[ident] = occ + 1
        rows.append(key + (occ,))
    rejected, n = reader.rejected, reader.rows
    err = no_rows_error(path, n, rejected)
    if err is not None:
        raise err
    total = sum(r[2] for r in rows) if expand else len(rows)

    def make() -> Iterator[Incident]:
        for comm, cat, count, year, month, occ in rows:
            if not expand:
                yield Incident(
                    derive_id(source, comm, cat, year, month, occ),
                    comm,
                    cat,
                    _row_day(year, month, today),
                    count,
                    source,
                )
                continue
            dim = calendar.monthrange(year, month)[1]
            row_id = derive_id(source, "x", comm, cat, year, month, occ)
            offset = int(row_id[-4:], 16) % dim
            filed = _row_day(year, month, today)
            for j in range(count):
                day = (
                    date(year, month, 1 + (offset + (j * dim) // count) % dim)
                    if invent_days
                    else filed
                )
                yield Incident(f"{row_id}.{j}", comm, cat, min(day, today), 1, source)

    return Loaded(str(path), n, total, make, rejected, source=source)
