"""The producer interface for a live feed: one JSON object per line (JSON Lines).

A records system that pushes instead of being polled writes one line per incident::

    {"id": "R-2024-000123", "community": "BELTLINE", "category": "Street Robbery",
     "occurred_at": "2024-03-05", "count": 1, "source": "rms"}

``id``, ``community``, ``category`` and ``occurred_at`` are required; ``count`` (default 1),
``source`` (default ``jsonl``) and ``resolution`` (``day``, the default, or ``month`` for a monthly
count: it is then filed on its month's last day, whatever day it names) are optional. A line goes
through the same validation as every other source (:meth:`stream.records.Incident.make`); a line
that is not a JSON object, or fails validation, becomes a :class:`~stream.producer.Rejected` and
goes to the dead-letter stream with its reason, its line number and what it held. Re-sending a line
is safe (an id counts once); re-sending it changed replaces its earlier contribution.

>>> from stream.categories import CategorySet
>>> lines = ['{"id": "a", "community": "beltline", "category": "street robbery",'
...          ' "occurred_at": "2023-05-17"}', 'not json', '']
>>> out = list(parse_lines(lines, CategorySet.calgary(), origin="stdin"))
>>> out[0].community, out[0].occurred_at.isoformat(), out[0].source
('BELTLINE', '2023-05-17', 'jsonl')
>>> out[1].reason, out[1].origin
('line is not valid JSON: Expecting value at column 1', 'stdin:2')
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from ..categories import CategorySet
from ..producer import Rejected
from ..records import Incident, RecordError
from .base import Loaded, SourceError, open_text, safe_fields

FIELDS = ("id", "community", "category", "occurred_at", "count", "source", "resolution")
MAX_LINE = 16_384  # bytes: a longer line is refused, not parsed


def parse_line(
    text: str, categories: CategorySet, *, default_source: str = "jsonl", today: date | None = None
) -> Incident:
    """One line -> an :class:`Incident`; raises :class:`RecordError` with the reason."""
    if len(text) > MAX_LINE:
        raise RecordError(f"line is too long ({len(text)} characters, at most {MAX_LINE})")
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise RecordError(f"line is not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise RecordError(
            f"line is a JSON {type(obj).__name__}, not an object with the fields "
            + ", ".join(FIELDS[:4])
        )
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise RecordError(
            "unknown field(s) "
            + ", ".join(repr(u[:40]) for u in unknown[:5])
            + f"; a record has {', '.join(FIELDS)}"
        )
    resolution = obj.get("resolution") or "day"
    if resolution not in ("day", "month"):
        raise RecordError(f"resolution must be 'day' or 'month', got {str(resolution)[:20]!r}")
    count = obj.get("count", 1)
    return Incident.make(
        obj.get("id"),
        obj.get("community"),
        obj.get("category"),
        obj.get("occurred_at"),
        1 if count is None else count,
        obj.get("source") or default_source,
        categories=categories,
        today=today,
        resolution=resolution,
    )


def _fields_of(text: str) -> dict[str, str]:
    try:
        obj = json.loads(text)
    except ValueError:
        return {"line": text}
    if isinstance(obj, dict):
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()}
    return {"line": text}


def parse_lines(
    lines: Iterable[str],
    categories: CategorySet,
    *,
    origin: str = "jsonl",
    default_source: str = "jsonl",
    today: date | None = None,
    first_line: int = 1,
) -> Iterator[Incident | Rejected]:
    """Records (or rejects, with ``origin:LINE``) from lines; blank lines are passed over."""
    for n, line in enumerate(lines, start=first_line):
        text = line.strip()
        if not text:
            continue
        try:
            yield parse_line(text, categories, default_source=default_source, today=today)
        except RecordError as exc:
            yield Rejected(exc.reason, safe_fields(_fields_of(text[:MAX_LINE])), f"{origin}:{n}")


def read_jsonl(
    path: str | os.PathLike[str],
    categories: CategorySet,
    *,
    default_source: str = "jsonl",
    today: date | None = None,
) -> Loaded:
    """A JSONL file read whole and checked (the feed job's drop-folder and URL files)."""
    path = Path(path)
    with open_text(path) as fh:
        items = list(
            parse_lines(
                fh, categories, origin=path.name, default_source=default_source, today=today
            )
        )
    good = [i for i in items if isinstance(i, Incident)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    if not items:
        raise SourceError(path, 1, "no records (an empty JSONL file)")
    if not good:
        raise SourceError(
            path,
            None,
            f"no valid line in {len(items)} (first problem: "
            f"{rejected[0].origin}: {rejected[0].reason})",
        )
    return Loaded(
        str(path), len(items), len(good), lambda: iter(good), rejected, source=default_source
    )


def line_batches(fd: int, *, max_lines: int = 2000, wait_s: float = 0.5) -> Iterator[list[str]]:
    """Lines from a file descriptor (standard input) in batches: a batch goes out when it is full
    or when no more input has arrived for ``wait_s``, so a pipe that stays open (a live feed)
    is sent as it arrives, and a bulk pipe in large batches. Bad UTF-8 survives as surrogates
    (the record is then refused for it, not the batch)."""
    import select

    pending = b""
    batch: list[str] = []
    while True:
        ready, _, _ = select.select([fd], [], [], wait_s)
        if not ready:
            if batch:
                yield batch
                batch = []
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            batch.append(raw.decode("utf-8", "surrogateescape"))
            if len(batch) >= max_lines:
                yield batch
                batch = []
    if pending.strip():
        batch.append(pending.decode("utf-8", "surrogateescape"))
    if batch:
        yield batch
