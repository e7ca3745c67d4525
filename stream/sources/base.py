"""What every file source shares: file-level errors, opening CSVs safely, a loaded batch of records.

A source reads its whole input first (cheaply: rows, not records), so that a file-level problem
(unreadable, empty, header only, wrong delimiter, missing columns) stops before anything is sent and
nothing is half-counted. Row-level problems become :class:`~stream.producer.Rejected` rows, sent to
the dead-letter stream with the file and line they came from.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..producer import Rejected
from ..records import Incident


class SourceError(ValueError):
    """A problem with a whole input (file, mapping, download), named by file and line."""

    def __init__(self, path: str | os.PathLike[str] | None, line: int | None, message: str):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        where = self.path or ""
        if line is not None:
            where += f":{line}" if where else f"line {line}"
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class Loaded:
    """A validated input: ``total`` records to send, produced lazily by ``make()``, plus the
    rows rejected (sent first, to the dead-letter stream)."""

    path: str
    rows: int
    total: int
    make: Callable[[], Iterator[Incident]]
    rejected: list[Rejected] = field(default_factory=list)
    skipped: int = 0  # rows deliberately left out (e.g. crime types mapped to nothing)
    source: str = ""

    def __iter__(self) -> Iterator[Incident | Rejected]:
        yield from self.rejected
        yield from self.make()

    def __len__(self) -> int:
        return self.total + len(self.rejected)


def open_text(path: str | os.PathLike[str]) -> io.TextIOWrapper:
    """Open a CSV for reading; bad UTF-8 bytes survive as surrogates (rejected row by row)."""
    path = Path(path)
    if not path.exists():
        raise SourceError(path, None, "file not found")
    if path.is_dir():
        raise SourceError(path, None, "is a directory, not a file")
    try:
        return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise SourceError(path, None, f"cannot read file: {exc.strerror or exc}") from exc


def read_header(
    path: Path, fh, required: list[str], delimiter: str = ","
) -> tuple[csv.reader, list[str]]:
    """A csv reader positioned after a checked header; raises :class:`SourceError` on an empty
    file, a wrong delimiter or missing columns."""
    try:
        first = fh.readline()
    except OSError as exc:
        raise SourceError(path, 1, f"cannot read file: {exc}") from exc
    if not first.strip():
        raise SourceError(path, 1, "file is empty (expected a header line)")
    if any("\ud800" <= ch <= "\udfff" or (ch < " " and ch not in "\t\r\n") for ch in first):
        raise SourceError(path, 1, "not a UTF-8 text CSV (the header line holds binary data)")
    header = next(csv.reader([first], delimiter=delimiter))
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        for other in (";", "\t", "|", ","):
            if other != delimiter and other in first and len(first.split(other)) > len(header):
                shown = {"\t": "tab"}.get(other, repr(other))
                raise SourceError(
                    path,
                    1,
                    f"wrong delimiter: the header is separated by {shown}, expected {delimiter!r}",
                )
        shown = ", ".join(repr(h[:40]) for h in header[:12]) + (", ..." if len(header) > 12 else "")
        raise SourceError(
            path,
            1,
            "missing column(s) "
            + ", ".join(repr(c) for c in missing)
            + f"; the header has {shown}",
        )
    return csv.reader(fh, delimiter=delimiter), header


def no_rows_error(path: Path, rows: int, rejected: list[Rejected]) -> SourceError | None:
    """The error for a file with no usable row (header only, or every row bad), else None."""
    if rows == 0:
        return SourceError(path, 2, "no data rows after the header")
    if len(rejected) == rows:
        first = rejected[0]
        line = first.origin.rsplit(":", 1)[-1]
        return SourceError(
            path,
            int(line) if line.isdigit() else None,
            f"no valid row in {rows} (first problem: {first.reason})",
        )
    return None


def safe_fields(values: dict[str, str]) -> dict[str, bytes]:
    """Original fields as bytes (bad UTF-8 restored as it was in the file), trimmed to 1 kB each."""
    return {
        k[:100]: (v or "").encode("utf-8", "surrogateescape")[:1024]
        for k, v in values.items()
        if k is not None
    }


class CsvRows:
    """The data rows of a CSV with a checked header, as ``(values, origin)`` pairs.

    Blank lines are passed over; a row of the wrong width is rejected (kept in ``rejected`` with
    its original fields); a file the csv module cannot parse raises :class:`SourceError` naming
    the line. ``rows`` counts the data rows seen.
    """

    def __init__(self, path: str | os.PathLike[str], required: list[str], delimiter: str = ","):
        self.path = Path(path)
        self.required = required
        self.delimiter = delimiter
        self.rows = 0
        self.rejected: list[Rejected] = []

    def reject(self, reason: str, values: dict[str, str], origin: str) -> None:
        self.rejected.append(Rejected(reason, safe_fields(values), origin))

    def __iter__(self) -> Iterator[tuple[dict[str, str], str]]:
        with open_text(self.path) as fh:
            reader, header = read_header(self.path, fh, self.required, self.delimiter)
            try:
                for raw in reader:
                    if not raw or (len(raw) == 1 and not raw[0].strip()):
                        continue
                    self.rows += 1
                    values = dict(zip(header, raw))
                    origin = f"{self.path.name}:{reader.line_num + 1}"
                    if len(raw) != len(header):
                        self.reject(
                            f"expected {len(header)} fields, got {len(raw)}", values, origin
                        )
                        continue
                    yield values, origin
            except csv.Error as exc:  # e.g. a NUL byte or a runaway quote
                raise SourceError(
                    self.path, reader.line_num + 1, f"cannot parse CSV: {exc}"
                ) from exc
