"""Downloading the Calgary dataset from the city's open-data portal (Socrata ``78gh-n26t``).

Pages through the SODA API with ``$limit``/``$offset`` and a stable ``$order`` (``:id``), retrying
transient failures, and writes the rows in the portal's CSV layout so that the download can be read
by :func:`stream.sources.calgary.read_calgary`, kept for audit and re-ingested idempotently.
"""

from __future__ import annotations

import csv
import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .base import SourceError

if TYPE_CHECKING:  # httpx only when downloading: every `crimecast` command imports this module
    import httpx

DEFAULT_BASE_URL = "https://data.calgary.ca"
DATASET = "78gh-n26t"
_ALIASES = {
    "Community": ("community", "community_name", "commname", "name"),
    "Category": ("category",),
    "Crime Count": ("crime_count", "count", "crimecount"),
    "Year": ("year",),
    "Month": ("month",),
}
STALE_MONTHS = 3  # the portal's newest month older than this many months before today: stale
WORKBOOK_HINT = (
    "The Calgary Police Service's monthly workbook (\"Monthly Community Crime Disorder "
    'Statistics") has the newer months: `crimecast ingest workbook FILE`.'
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def _month(value: object) -> str:
    text = str(value).strip()
    if text[:3].lower() in _MONTHS and not text[:1].isdigit():
        return str(_MONTHS[text[:3].lower()])
    try:
        return str(int(float(text)))
    except ValueError:
        return text  # left as is: the reader rejects it with its line


def _pick(row: dict, column: str):
    lower = {k.lower(): v for k, v in row.items()}
    for alias in _ALIASES[column]:
        if alias in lower:
            return lower[alias]
    return None


def download(
    out_path: str | os.PathLike[str],
    *,
    base_url: str = DEFAULT_BASE_URL,
    dataset: str = DATASET,
    page_size: int = 50_000,
    app_token: str | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    retry_delay: float = 1.0,
    progress: Callable[[int], None] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Download every row to ``out_path`` (Calgary CSV layout); returns the rows written.

    Written to a temporary file and renamed at the end: a failed download leaves no partial file.
    Raises :class:`SourceError` naming the URL and offset on failure.
    """
    import httpx

    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    url = f"{base_url.rstrip('/')}/resource/{dataset}.json"
    headers = {"X-App-Token": app_token} if app_token else {}
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".part")
    written = 0
    offset = 0
    try:
        with (
            httpx.Client(
                timeout=timeout, headers=headers, transport=transport, follow_redirects=True
            ) as http,
            open(tmp, "w", newline="", encoding="utf-8") as fh,
        ):
            writer = csv.writer(fh)
            writer.writerow(list(_ALIASES))
            while True:
                params = {"$limit": page_size, "$offset": offset, "$order": ":id"}
                page = _get(http, url, params, retries, retry_delay)
                if not isinstance(page, list):
                    raise SourceError(url, None, f"expected a JSON list at offset {offset}")
                for row in page:
                    values = [_pick(row, c) for c in _ALIASES]
                    if values[4] is not None:
                        values[4] = _month(values[4])
                    writer.writerow(["" if v is None else v for v in values])
                written += len(page)
                if progress is not None and page:
                    progress(len(page))
                if len(page) < page_size:
                    break
                offset += page_size
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if written == 0:
        tmp.unlink(missing_ok=True)
        raise SourceError(url, None, "the portal returned no rows")
    os.replace(tmp, out_path)
    return written


def _get(http: httpx.Client, url: str, params: dict, retries: int, delay: float):
    import httpx

    for attempt in range(retries + 1):
        try:
            resp = http.get(url, params=params)
        except httpx.HTTPError as exc:
            problem = f"{exc.__class__.__name__}: {exc}"
        else:
            if resp.status_code < 400:
                try:
                    return resp.json()
                except ValueError as exc:
                    raise SourceError(
                        url, None, f"bad JSON at offset {params['$offset']}: {exc}"
                    ) from exc
            if resp.status_code in (401, 403):
                raise SourceError(
                    url,
                    None,
                    f"the portal refused access (HTTP {resp.status_code}): "
                    "the dataset now asks for a login (or an app token: "
                    "SOCRATA_APP_TOKEN). " + WORKBOOK_HINT,
                )
            if resp.status_code < 500 and resp.status_code != 429:
                raise SourceError(
                    url,
                    None,
                    f"HTTP {resp.status_code} at offset {params['$offset']}: {resp.text[:200]}",
                )
            problem = f"HTTP {resp.status_code}"
        if attempt < retries:
            time.sleep(delay)
            delay *= 2
    raise SourceError(
        url,
        None,
        f"download failed at offset {params['$offset']} after {retries + 1} attempts ({problem})",
    )


def stale_note(newest: str | None, today: date | None = None) -> str:
    """One line when the portal's newest month is old (its dataset stopped), else "".

    >>> stale_note("2024-10", date(2026, 12, 5))[:60]
    "the portal's newest month is 2024-10 (26 months ago): its da"
    >>> stale_note("2026-10", date(2026, 12, 5))
    ''
    """
    if newest is None:
        return ""
    today = today or date.today()
    age = (today.year * 12 + today.month) - (int(newest[:4]) * 12 + int(newest[5:7]))
    if age <= STALE_MONTHS:
        return ""
    return (
        f"the portal's newest month is {newest} ({age} months ago): its dataset has stopped. "
        + WORKBOOK_HINT
    )
