"""The source feed: new data pulled on a schedule, so the stream is never fed by hand.

The city profile's ``source.feed`` says where new data come from (:class:`core.profile.Feed`): a
URL polled at each pull, a drop folder a records system exports to, a Socrata dataset paged from
the portal (files are read by type: the police workbook is a folder or URL of ``.xlsx``). The
scheduler's ``ingest`` job (:func:`pull`, run on the
default queue) fetches what is new, reads it with the source's reader (the same validation as
``crimecast ingest``: bad rows go to the dead-letter stream) and puts it on the stream; the stream
workers count it, close the months the data's watermark passes and queue the model updates.

Pulling is idempotent: a file whose content was read before is skipped (``keys.feed_files``), and
even when re-read, ids are deterministic, so overlapping extracts count once and a revised row
replaces its earlier contribution. ``keys.feed`` keeps the last pull (when, its rows and records,
the newest date it held, the error if it failed); :func:`feed_health` turns it into the figures
``crimecast status`` and the health check show, with a problem when the source has gone quiet
(nothing new counted for the feed's ``quiet_days``) or the last pull failed.

Readers are looked up by file type: ``.jsonl`` / ``.ndjson`` the producer interface
(:mod:`stream.sources.jsonl`); ``.xlsx`` / ``.xlsm`` the police workbook reader
(:data:`WORKBOOK_READER`, imported when needed: ``read(path, profile.source.workbook,
categories)`` returning the records as ``.loaded`` and the suppressed cells as ``.cells``, kept by
``stream.censored.CensoredCells``); any other file a CSV, through the column mapping of a
``mapped`` source, else in the Calgary portal's layout (also what a Socrata pull writes).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable

import httpx

from core.profile import CityProfile, Feed, load_profile
from stream.categories import CategorySet
from stream.producer import Producer
from stream.records import Incident
from stream.sources import ColumnMapping, Loaded, SourceError, download, read_calgary, read_mapped
from stream.sources.jsonl import read_jsonl

from .city import claim_city
from .runtime import Runtime
from .settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "FeedError",
    "WORKBOOK_READER",
    "describe",
    "feed_health",
    "profile_feed",
    "pull",
    "read_file",
]

# The police workbook reader (the Calgary Police Service's monthly workbook): "module:function",
# imported when a workbook is pulled: (path, profile.source.workbook, categories) -> a load with
# ``.loaded`` (the records) and ``.cells`` (every cell read, suppressed "<5" ones included).
WORKBOOK_READER = "stream.sources.calgary_workbook:read_workbook"
IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".swp")
KEEP_DOWNLOADS = 3
HTTP_TIMEOUT_S = 120.0


class FeedError(RuntimeError):
    """A pull that could not fetch or read its source (the job fails, so rq retries it)."""


def profile_feed(settings: Settings) -> tuple[CityProfile, Feed | None]:
    """The deployment's profile and its feed (None: no feed configured)."""
    profile = load_profile(settings.city_file)
    return profile, profile.source.feed


def describe(feed: Feed | None, profile: CityProfile) -> str | None:
    """One line saying where new data come from.

    >>> from core.profile import CALGARY_FILE, parse_profile
    >>> p = parse_profile(CALGARY_FILE.read_text().replace("{folder: workbooks,", "{socrata: 78gh-n26t,"))
    >>> describe(p.source.feed, p)
    'Socrata dataset 78gh-n26t at https://www.calgary.ca/cps/statistics/calgary-police-statistical-reports.html, every daily 06:00'
    """
    if feed is None:
        return None
    where = {
        "url": lambda: f"URL {feed.url}",
        "folder": lambda: f"drop folder {profile.resolve_file(feed.folder)}",
        "socrata": lambda: f"Socrata dataset {feed.socrata} at {_portal(feed, profile)}",
        "push": lambda: "records pushed by a producer (crimecast ingest jsonl)",
    }[feed.kind]()
    return where if feed.kind == "push" else f"{where}, every {feed.every}"


def _portal(feed: Feed, profile: CityProfile) -> str:
    return (feed.portal or profile.source.url or "").rstrip("/")


# --- reading -------------------------------------------------------------------------------------
def _read_workbook(
    rt: Runtime, path: Path, profile: CityProfile, categories: CategorySet
) -> Loaded:
    """The police workbook through :data:`WORKBOOK_READER`; its suppressed cells are kept."""
    module, _, name = WORKBOOK_READER.partition(":")
    try:
        reader: Callable = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise SourceError(
            path, None, f"no police workbook reader is installed ({WORKBOOK_READER})"
        ) from None
    mapping = getattr(profile.source, "workbook", None)
    if mapping is None:
        raise SourceError(
            path,
            None,
            f"the {profile.name} profile has no source.workbook (the "
            "workbook's categories mapped to the profile's)",
        )
    wb = reader(path, mapping, categories)
    if getattr(wb, "cells", None):
        from stream.censored import CensoredCells  # noqa: PLC0415 - with the workbook reader

        CensoredCells(rt.client, rt.keys).record(wb.cells)
    return wb.loaded


def read_file(rt: Runtime, path: Path, profile: CityProfile, categories: CategorySet) -> Loaded:
    """Read one pulled file with the reader its type calls for (see the module docstring)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, categories, default_source=profile.name.lower())
    if suffix in (".xlsx", ".xlsm"):
        return _read_workbook(rt, path, profile, categories)
    if profile.source.kind == "mapped":
        return read_mapped(path, ColumnMapping(profile.source.mapping, profile.path, categories))
    return read_calgary(path, categories=categories)  # the portal's layout (and its download)


# --- fetching ------------------------------------------------------------------------------------
def _folder_files(folder: Path) -> list[Path]:
    """Files of a drop folder in name order (name extracts by date: a later extract's revisions
    are then sent after the earlier one's rows); hidden and partly written files are left."""
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise SourceError(
            folder,
            None,
            "drop folder not found (create it, or mount it, and save "
            "the exports there: docs/feeds.md)",
        )
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and not p.name.startswith(".")
        and not p.name.lower().endswith(IGNORED_SUFFIXES)
    )


def _fetch_url(rt: Runtime, url: str, workdir: Path) -> list[Path]:
    """GET ``url`` into ``workdir`` (a conditional request: 304 = nothing new)."""
    headers = {}
    for field, header in (("etag", "If-None-Match"), ("last_modified", "If-Modified-Since")):
        value = rt.client.hget(rt.keys.feed, field)
        if value:
            headers[header] = value.decode() if isinstance(value, bytes) else value
    name = Path(httpx.URL(url).path).name or "extract.csv"
    out = workdir / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{name}"
    tmp = out.with_name(out.name + ".part")
    try:
        with (
            httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=True) as http,
            http.stream("GET", url, headers=headers) as resp,
        ):
            if resp.status_code == 304:
                return []
            if resp.status_code >= 400:
                raise SourceError(url, None, f"HTTP {resp.status_code} {resp.reason_phrase}")
            with open(tmp, "wb") as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
            cache = {
                "etag": resp.headers.get("etag", ""),
                "last_modified": resp.headers.get("last-modified", ""),
            }
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(url, None, f"download failed: {exc}") from None
    tmp.replace(out)
    rt.client.hset(rt.keys.feed, mapping=cache)
    return [out]


def _fetch(rt: Runtime, feed: Feed, profile: CityProfile, workdir: Path) -> list[Path]:
    if feed.kind == "folder":
        return _folder_files(profile.resolve_file(feed.folder))
    workdir.mkdir(parents=True, exist_ok=True)
    for old in sorted(workdir.iterdir())[:-KEEP_DOWNLOADS]:
        old.unlink(missing_ok=True)
    if feed.kind == "url":
        return _fetch_url(rt, feed.url, workdir)
    if feed.kind == "socrata":
        out = workdir / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{feed.socrata}.csv"
        download(out, base_url=_portal(feed, profile), dataset=feed.socrata)
        return [out]
    return []  # push: records arrive on their own


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class _Newest:
    """Passes records through, noting the newest date among them."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.newest: date | None = None

    def __iter__(self):
        for item in self.loaded:
            if isinstance(item, Incident) and (
                self.newest is None or item.occurred_at > self.newest
            ):
                self.newest = item.occurred_at
            yield item


def pull(rt: Runtime, *, profile: CityProfile | None = None) -> dict[str, Any]:
    """Fetch what the feed has that was not read before and put it on the stream; record the
    pull in ``keys.feed``. Raises :class:`FeedError` (after recording it) if it failed."""
    settings = rt.settings
    if profile is None:
        profile = load_profile(settings.city_file)
    feed = profile.source.feed
    if feed is None or feed.kind == "push":
        return {"status": "skipped", "reason": f"the {profile.name} profile has no feed to pull"}
    claim_city(rt.client, rt.keys, profile)  # CityMismatch: another city's prefix
    categories = CategorySet.load(settings.categories_file, profile)
    workdir = settings.state_dir / "feeds" / rt.keys.prefix
    summary: dict[str, Any] = {
        "where": describe(feed, profile),
        "files": [],
        "unchanged": [],
        "rows": 0,
        "records": 0,
        "rejected": 0,
        "newest": None,
        "errors": [],
    }
    try:
        files = _fetch(rt, feed, profile, workdir)
    except (SourceError, OSError) as exc:
        files = []
        summary["errors"].append(str(exc))
    newest: date | None = None
    for path in files:
        digest = _sha256(path)
        if rt.client.hexists(rt.keys.feed_files, digest):
            summary["unchanged"].append(path.name)
            continue
        try:
            loaded = read_file(rt, path, profile, categories)
        except SourceError as exc:
            summary["errors"].append(str(exc))
            continue
        watched = _Newest(loaded)
        sent = Producer(rt.client, rt.keys).send(watched)
        rt.client.hset(
            rt.keys.feed_files,
            digest,
            json.dumps({"name": path.name, "at": _now(), "rows": loaded.rows, "records": sent}),
        )
        summary["files"].append(path.name)
        summary["rows"] += loaded.rows
        summary["records"] += sent
        summary["rejected"] += len(loaded.rejected)
        if watched.newest and (newest is None or watched.newest > newest):
            newest = watched.newest
    summary["newest"] = newest.isoformat() if newest else None
    summary["status"] = "error" if summary["errors"] else "ok" if summary["files"] else "unchanged"
    state = {
        "at": _now(),
        "status": summary["status"],
        "where": summary["where"] or "",
        "files": ", ".join(summary["files"]),
        "rows": summary["rows"],
        "records": summary["records"],
        "rejected": summary["rejected"],
        "newest": summary["newest"] or "",
        "error": "; ".join(summary["errors"])[:500],
    }
    if summary["files"]:
        state["last_new_at"] = state["at"]
    rt.client.hset(rt.keys.feed, mapping=state)
    log.info("feed pull: %s", summary)
    if summary["errors"]:
        raise FeedError(f"feed pull from {summary['where']}: " + "; ".join(summary["errors"]))
    return summary


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- health --------------------------------------------------------------------------------------
def _s(v) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def feed_health(rt: Runtime, now: datetime | None = None) -> tuple[dict[str, Any], list[str]]:
    """The feed's figures for ``crimecast status`` and the health check, and its problems: the
    last pull failed, or nothing new was counted for the feed's ``quiet_days``."""
    now = now or datetime.now(timezone.utc)
    try:
        profile, feed = profile_feed(rt.settings)
    except ValueError:
        return {"feed": None}, []
    state = {_s(k): _s(v) for k, v in rt.client.hgetall(rt.keys.feed).items()}
    applied = rt.client.hget(rt.keys.meta, "last_applied_at")
    last_new = datetime.fromtimestamp(float(_s(applied)), timezone.utc) if applied else None
    out = {
        "feed": describe(feed, profile),
        "last_pull_at": state.get("at"),
        "last_pull_status": state.get("status"),
        "last_pull_rows": int(state.get("rows") or 0) if state else None,
        "last_pull_records": int(state.get("records") or 0) if state else None,
        "last_pull_newest_date": state.get("newest") or None,
        "last_new_data_at": last_new.isoformat(timespec="seconds") if last_new else None,
    }
    problems = []
    if state.get("status") == "error":
        problems.append(f"the last feed pull ({state.get('at')}) failed: {state.get('error')}")
    out["source_quiet"] = False
    if feed is not None and last_new is not None:
        quiet = (now - last_new).total_seconds() / 86400
        if quiet > feed.quiet_days:
            out["source_quiet"] = True
            problems.append(quiet_line(quiet, feed.quiet_days, last_new, state))
    return out, problems


def quiet_line(days: float, limit: int, since: datetime, state: dict) -> str:
    """The problem line (and alert note) for a source gone quiet."""
    pulled = (
        f"; last pull {state['at']} ({state.get('status')})"
        if state.get("at")
        else "; never pulled"
    )
    return (
        f"the source has gone quiet: nothing new counted for {days:.0f} days (since "
        f"{since.date().isoformat()}; expected within {limit}){pulled}"
    )


def quiet_note(client, keys, settings: Settings, now: datetime | None = None) -> str | None:
    """The alert's sentence when the source has gone quiet, else None."""
    now = now or datetime.now(timezone.utc)
    try:
        feed = load_profile(settings.city_file).source.feed
    except ValueError:
        return None
    applied = client.hget(keys.meta, "last_applied_at")
    if feed is None or not applied:
        return None
    since = datetime.fromtimestamp(float(_s(applied)), timezone.utc)
    days = (now - since).total_seconds() / 86400
    if days <= feed.quiet_days:
        return None
    state = {_s(k): _s(v) for k, v in client.hgetall(keys.feed).items()}
    line = quiet_line(days, feed.quiet_days, since, state)
    return line[0].upper() + line[1:] + ": these figures may be out of date."
