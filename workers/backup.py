"""Backup and restore of one deployment's state: its Redis keys and its model registry, together.

A deployment's state lives in two volumes that must be saved together: Redis (the stream with its
consumer group and pending entries, the idempotency ids, the counts, closed months, forecasts and
their archive, alert and report state, the audit log) and the model registry
(``STATE_DIR/models/<prefix>``). :func:`backup` writes one ``.tar.gz`` holding both for one key
prefix (one city): every key under the prefix as Redis ``DUMP`` output with its TTL, and the
registry's files. It holds the model lock meanwhile, so no model job writes the registry or swaps
the forecasts half-way through. Consumer heartbeats and the lock itself are left out (they describe
processes, not data); rq's queues are not state (the scheduler and the stream workers queue again).

:func:`restore` puts both back under the same prefix (``RESTORE ... REPLACE``; the registry folder
replaced whole). It refuses a prefix that holds keys unless told to replace them (``force``), and
then deletes them first, so the result is exactly the backup.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import tarfile
import time
from pathlib import Path
from typing import Any

from .model_lock import ModelLock
from .runtime import Runtime

__all__ = ["BackupError", "backup", "restore"]

FORMAT = 1
_SKIP = (":consumer:hb:", ":lock:models")


class BackupError(RuntimeError):
    """A backup that cannot be written or restored here (its message says why)."""


def _keys(rt: Runtime) -> list[bytes]:
    raw = rt.data_raw
    return sorted(
        k
        for k in raw.scan_iter(match=rt.keys.all_pattern(), count=1000)
        if not any(s.encode() in k for s in _SKIP)
    )


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def backup(rt: Runtime, out: Path) -> dict[str, Any]:
    """Write the prefix's Redis keys and model registry to ``out`` (a .tar.gz; written to a
    temporary name and renamed, so a failed backup leaves no partial file)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    lock = ModelLock(rt.client, rt.keys.model_dir_lock, rt.settings.model_lock_ttl_s)
    if not lock.acquire(600):
        raise BackupError("a model job held the model lock for 10 minutes; try again")
    try:
        raw = rt.data_raw
        lines = []
        for key in _keys(rt):
            dump = raw.dump(key)
            if dump is None:  # expired meanwhile
                continue
            lines.append(
                json.dumps(
                    {
                        "key": base64.b64encode(key).decode(),
                        "ttl": max(int(raw.pttl(key)), 0),
                        "dump": base64.b64encode(dump).decode(),
                    }
                )
            )
        models = rt.settings.models_path
        manifest = {
            "format": FORMAT,
            "prefix": rt.keys.prefix,
            "created_at": time.time(),
            "redis_version": rt.server_version,
            "keys": len(lines),
            "models": models.is_dir(),
        }
        with tarfile.open(tmp, "w:gz") as tar:
            _add(tar, "manifest.json", json.dumps(manifest, indent=2).encode())
            _add(tar, "redis.jsonl", ("\n".join(lines) + "\n").encode())
            if models.is_dir():
                tar.add(models, arcname="models")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
        lock.release()
    return {**manifest, "file": str(out), "bytes": out.stat().st_size}


def restore(rt: Runtime, src: Path, *, force: bool = False) -> dict[str, Any]:
    """Put a backup of this prefix back (Redis keys and model registry)."""
    src = Path(src)
    try:
        tar = tarfile.open(src, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{src}: not a crimecast backup ({exc})") from None
    with tar:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
            lines = tar.extractfile("redis.jsonl").read().decode().splitlines()
        except (KeyError, AttributeError, ValueError) as exc:
            raise BackupError(f"{src}: not a crimecast backup ({exc})") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{src}: backup format {manifest.get('format')}, this code reads {FORMAT}"
            )
        if manifest["prefix"] != rt.keys.prefix:
            raise BackupError(
                f"{src} holds key prefix {manifest['prefix']!r}, this deployment's is "
                f"{rt.keys.prefix!r}: set CRIMECAST_KEY_PREFIX={manifest['prefix']}"
            )
        raw = rt.data_raw
        existing = list(raw.scan_iter(match=rt.keys.all_pattern(), count=1000))
        if existing and not force:
            raise BackupError(
                f"key prefix {rt.keys.prefix!r} holds {len(existing):,} keys; restoring "
                "replaces all of them: stop the deployment and use --force"
            )
        for start in range(0, len(existing), 500):
            for key in existing[start : start + 500]:  # one by one: keys may sit on Cluster slots
                raw.delete(key)
        for line in filter(None, lines):
            item = json.loads(line)
            raw.restore(
                base64.b64decode(item["key"]),
                item["ttl"],
                base64.b64decode(item["dump"]),
                replace=True,
            )
        models = rt.settings.models_path
        staged = models.with_name(models.name + ".restoring")
        shutil.rmtree(staged, ignore_errors=True)
        members = [
            m for m in tar.getmembers() if m.name == "models" or m.name.startswith("models/")
        ]
        for m in members:
            if m.issym() or m.islnk() or Path(m.name).is_absolute() or ".." in Path(m.name).parts:
                raise BackupError(f"{src}: unsafe path {m.name!r} in the backup")
        if members:
            staged.mkdir(parents=True)
            for m in members:
                m.name = m.name[len("models") :].lstrip("/") or "."
                tar.extract(m, staged)
        shutil.rmtree(models, ignore_errors=True)
        if members:
            staged.rename(models)
    return {
        "prefix": rt.keys.prefix,
        "keys": len([x for x in lines if x]),
        "replaced": len(existing),
        "models": bool(members),
    }
