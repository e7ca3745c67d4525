"""Another city's incident CSV, read through a column mapping and a category mapping.

The mapping is a small YAML (or JSON) file::

    source: chicago                 # names the records' source (and their derived ids)
    delimiter: ","                  # optional
    columns:
      id: ID                        # optional: derived from content + occurrence when absent;
                                    # a list ([Report Number, IBR Code]) joins several columns
      community: Community Area
      community_fallback: District  # optional: the area when `community` is blank (named by
                                    # `fallback_name`, e.g. "NPU {value} (no neighborhood)")
      category: Primary Type
      datetime: Date                # either one date/datetime column (the date that counts) ...
      datetime_format: "%m/%d/%Y %I:%M:%S %p"   # optional (ISO when absent)
      # occurred: Occur Date / reported: Report Date   # ... or both, with `count_by` choosing
      # year: Year / month: Month / day: Day   # ... or year/month(/day) columns
      count: Count                  # optional (1 per row when absent)
    count_by: occurred              # occurred (default) | reported, with columns occurred/reported
    categories:                     # the city's crime types -> the configured categories
      ROBBERY: Street Robbery
      NARCOTICS: null               # null = out of scope: skipped, counted as skipped
    # categories: same              # the crime types are the configured categories themselves
    category_file: types.yaml       # alternatively, the same mapping in its own file
    communities: {"LOOP": "DOWNTOWN"}   # optional renames
    # columns latitude/longitude (or x/y with crs), bounds, missing_points: where it happened,
    # for maps (stream/sources/location.py)

A crime type that is neither mapped nor explicitly skipped is a dead letter (so a missed type is
seen, not silently dropped).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from ..categories import CategorySet, match_key
from ..records import Incident, RecordError, derive_id, parse_count, parse_day
from core.text import area_name

from .base import CsvRows, Loaded, SourceError, no_rows_error
from .location import Locator


class ColumnMapping:
    """A parsed mapping file (see the module docstring); raises :class:`SourceError` if unusable."""

    def __init__(
        self,
        data: dict,
        path: str | os.PathLike[str] | None = None,
        categories: CategorySet | None = None,
    ):
        self.path = str(path) if path else None
        self.categories = categories or CategorySet.default()
        if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
            raise SourceError(path, None, "mapping needs a 'columns' section")
        raw_id = data["columns"].get("id")
        self.id_columns = (
            [str(c) for c in raw_id]
            if isinstance(raw_id, list)
            else [str(raw_id)]
            if raw_id
            else []
        )
        cols = {str(k): str(v) for k, v in data["columns"].items() if v is not None and k != "id"}
        count_by = str(data.get("count_by") or "occurred")
        if count_by not in ("occurred", "reported"):
            raise SourceError(
                path, None, f"count_by must be 'occurred' or 'reported', not {count_by!r}"
            )
        if "datetime" not in cols and count_by in cols:
            cols["datetime"] = cols[count_by]
        elif "datetime" not in cols and data.get("count_by"):
            raise SourceError(path, None, f"count_by: {count_by} needs columns.{count_by}")
        self.count_by = count_by
        self.columns = cols
        self.fallback_name = str(data.get("fallback_name") or "{value} (no area)")
        if "{value}" not in self.fallback_name:
            raise SourceError(
                path, None, "fallback_name needs '{value}' (the fallback column's value)"
            )
        self.source = str(data.get("source") or (Path(path).stem if path else "mapped"))
        self.delimiter = str(data.get("delimiter") or ",")
        if len(self.delimiter) != 1:
            raise SourceError(path, None, "delimiter must be one character")
        for need in ("community", "category"):
            if need not in cols:
                raise SourceError(path, None, f"columns.{need} is required")
        if "datetime" not in cols and not ("year" in cols and "month" in cols):
            raise SourceError(path, None, "columns needs 'datetime', or 'year' and 'month'")
        self.datetime_format = cols.pop("datetime_format", None)
        raw_types = data.get("categories")
        if raw_types is None and not data.get("category_file") or raw_types in ("same", "identity"):
            raw_types = {name: name for name in self.categories}  # the types are the categories
        if raw_types is None and data.get("category_file"):
            cat_path = Path(str(data["category_file"]))
            if path and not cat_path.is_absolute():
                cat_path = Path(path).parent / cat_path
            raw_types = _load(cat_path)
            if isinstance(raw_types, dict) and "categories" in raw_types:
                raw_types = raw_types["categories"]
        if not isinstance(raw_types, dict) or not raw_types:
            raise SourceError(
                path, None, "mapping needs 'categories' (crime type -> category) or 'category_file'"
            )
        self.types: dict[str, str | None] = {}
        for raw, target in raw_types.items():
            if target is None or str(target).strip().lower() in ("", "skip", "none", "null"):
                self.types[match_key(str(raw))] = None
                continue
            canonical = self.categories.resolve(str(target))
            if canonical is None:
                raise SourceError(
                    path,
                    None,
                    f"crime type {raw!r} maps to {target!r}, which is not "
                    f"a configured category ({', '.join(self.categories)})",
                )
            self.types[match_key(str(raw))] = canonical
        self.communities = {
            area_name(str(k)): area_name(str(v)) for k, v in (data.get("communities") or {}).items()
        }
        self.locator = Locator(data, path)

    @classmethod
    def from_file(
        cls, path: str | os.PathLike[str], categories: CategorySet | None = None
    ) -> "ColumnMapping":
        return cls(_load(Path(path)), path, categories)

    def required_columns(self) -> list[str]:
        return (
            self.id_columns
            + [
                v
                for k, v in self.columns.items()
                if k
                in (
                    "community",
                    "community_fallback",
                    "category",
                    "datetime",
                    "year",
                    "month",
                    "day",
                    "count",
                )
            ]
            + self.locator.columns
        )

    def area(self, values: dict[str, str]) -> str:
        """The row's area: its own column, else the fallback column named by ``fallback_name``."""
        community = area_name(values.get(self.columns["community"], ""))
        if not community and "community_fallback" in self.columns:
            value = area_name(values.get(self.columns["community_fallback"], ""))
            if value:
                return area_name(self.fallback_name.format(value=value))
            raise RecordError(
                f"missing field {self.columns['community']!r} (and "
                f"{self.columns['community_fallback']!r})"
            )
        return self.communities.get(community, community)

    def ident(self, values: dict[str, str]) -> str:
        """The row's id from its id column(s), joined by '/'; empty when any part is blank."""
        parts = [values.get(c, "").strip() for c in self.id_columns]
        return "/".join(parts) if parts and all(parts) else ""


def _load(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(path, None, f"cannot read mapping: {exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except Exception as exc:
        raise SourceError(path, None, f"mapping is not valid YAML/JSON: {exc}") from exc


def read_mapped(
    path: str | os.PathLike[str], mapping: ColumnMapping, *, today: date | None = None
) -> Loaded:
    """Read and check a mapped CSV; raises :class:`SourceError` for file-level problems."""
    path = Path(path)
    today = today or datetime.now(timezone.utc).date()
    cols = mapping.columns
    rows: list[Incident] = []
    seen: dict[tuple, int] = {}
    skipped = 0
    reader = CsvRows(path, mapping.required_columns(), mapping.delimiter)
    for values, origin in reader:
        try:
            raw_type = values.get(cols["category"], "")
            key = match_key(raw_type)
            if key in mapping.types and mapping.types[key] is None:
                skipped += 1
                continue
            category = mapping.types.get(key)
            if category is None:
                raise RecordError(
                    f"crime type {raw_type.strip()[:60]!r} is not in the category mapping"
                )
            community = mapping.area(values)
            day = _day(values, cols, mapping.datetime_format, today)
            count = parse_count(values.get(cols["count"]) if "count" in cols else 1)
            ident = mapping.ident(values)
            if not ident:
                content = (community, category, day.isoformat(), count)
                occ = seen.get(content, 0)
                seen[content] = occ + 1
                ident = derive_id(mapping.source, *content, occ)
            else:
                ident = f"{mapping.source}:{ident}"
            lat, lon = mapping.locator.point(values) or (None, None)
            inc = Incident.make(
                ident,
                community,
                category,
                day,
                count,
                mapping.source,
                categories=mapping.categories,
                today=today,
                lat=lat,
                lon=lon,
            )
        except RecordError as exc:
            reader.reject(exc.reason, values, origin)
            continue
        rows.append(inc)
    rejected, n = reader.rejected, reader.rows
    if n and skipped == n:
        raise SourceError(path, None, f"all {n} rows are crime types the mapping skips")
    err = no_rows_error(path, n - skipped, rejected)
    if err is not None:
        raise err

    def make() -> Iterator[Incident]:
        yield from rows

    return Loaded(str(path), n, len(rows), make, rejected, skipped, mapping.source)


def _day(values: dict[str, str], cols: dict[str, str], fmt: str | None, today: date) -> date:
    if "datetime" in cols:
        text = (values.get(cols["datetime"]) or "").strip()
        if not text:
            raise RecordError(f"missing field {cols['datetime']!r}")
        if fmt:
            try:
                return parse_day(datetime.strptime(text, fmt), today=today)
            except ValueError:
                raise RecordError(
                    f"{cols['datetime']} {text[:40]!r} does not match {fmt!r}"
                ) from None
        return parse_day(text, today=today)
    try:
        y = int(values.get(cols["year"], "").strip())
        m = int(values.get(cols["month"], "").strip())
        d = int(values.get(cols["day"], "1").strip()) if "day" in cols else 1
        return parse_day(date(y, m, d), today=today)
    except (ValueError, TypeError):
        raise RecordError("year/month/day do not form a date") from None
