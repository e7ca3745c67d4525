"""The model lock: one model job at a time reads and writes the registry, and a holder that died
is taken over at once, not after the job's timeout.

As the stream consumers' heartbeats do (:mod:`stream.liveness`), the lock lives only while its
holder beats: it is one Redis key holding the holder's token, host and pid, with a short TTL
(``ttl_s``) that a thread of the holder renews every third of it. A holder killed outright (the
kernel's OOM killer, ``kill -9``, a machine gone) stops renewing and its lock lapses within the TTL;
a waiter on the holder's own host does not even wait for that: when the holder's process is gone
(or a zombie) it takes the lock over at once. A holder that stalled past its TTL and was taken
over finds out before it writes (:meth:`ModelLock.check` raises), so two jobs never both publish.

>>> value = json.loads(_holder_value("t", "h", 7)); (value["token"], value["host"], value["pid"])
('t', 'h', 7)
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from typing import Iterator

DEFAULT_TTL_S = 15.0  # a dead holder's lock lapses within this (its own host: at once)
POLL_S = 0.2

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# replace a holder seen dead, only if it still holds the lock (compare and set)
_TAKEOVER = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"""


class LockLost(RuntimeError):
    """The lock lapsed under its holder (it stalled longer than the TTL) and may be held by
    another job: the holder must not write."""


def _holder_value(token: str, host: str, pid: int) -> str:
    return json.dumps({"token": token, "host": host, "pid": pid, "since": round(time.time(), 3)})


def process_gone(pid: int) -> bool:
    """True when no process ``pid`` runs on this host (absent, or a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class ModelLock:
    """A heartbeat lock on ``key``: ``with lock.held(wait_s): ...``."""

    def __init__(self, client, key: str, ttl_s: float = DEFAULT_TTL_S, *, host: str | None = None):
        if ttl_s < 0.3:
            raise ValueError("the lock's TTL must be at least 0.3 s")
        self.client, self.key, self.ttl_ms = client, key, int(ttl_s * 1000)
        self.host = host or socket.gethostname()
        self.value = _holder_value(uuid.uuid4().hex, self.host, os.getpid())
        self.took_over: dict | None = None  # the dead holder this lock replaced, if any
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def holder(self) -> dict | None:
        """The current holder (token, host, pid, since), or None."""
        raw = self.client.get(self.key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return {"raw": str(raw)}

    def holder_dead(self, holder: dict | None) -> bool:
        """True when ``holder`` ran on this host and its process is gone."""
        return (
            bool(holder)
            and holder.get("host") == socket.gethostname()
            and isinstance(holder.get("pid"), int)
            and process_gone(holder["pid"])
        )

    def acquire(self, wait_s: float) -> bool:
        """Take the lock, waiting up to ``wait_s`` for a live holder; a dead one is replaced."""
        deadline = time.monotonic() + wait_s
        while True:
            if self.client.set(self.key, self.value, nx=True, px=self.ttl_ms):
                break
            raw = self.client.get(self.key)
            holder = None if raw is None else self.holder()
            if (
                raw is not None
                and self.holder_dead(holder)
                and self.client.eval(_TAKEOVER, 1, self.key, raw, self.value, self.ttl_ms)
            ):
                self.took_over = holder
                break
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)
        self._stop.clear()
        self._lost.clear()
        self._beat = threading.Thread(target=self._renew, name="model-lock-heartbeat", daemon=True)
        self._beat.start()
        return True

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000.0):
            try:
                if not self.client.eval(_RENEW, 1, self.key, self.value, self.ttl_ms):
                    self._lost.set()
                    return
            except Exception:  # Redis unreachable for a moment: try again at the next beat
                continue

    def check(self) -> None:
        """Raise :class:`LockLost` if the lock is no longer this holder's."""
        if self._lost.is_set() or self.client.get(self.key) != self.value:
            self._lost.set()
            raise LockLost(
                "the model lock lapsed under this job (it stalled longer than the "
                "lock's heartbeat TTL) and another job may hold it: nothing written"
            )

    def release(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
            self._beat = None
        with contextlib.suppress(Exception):
            self.client.eval(_RELEASE, 1, self.key, self.value)

    @contextlib.contextmanager
    def held(self, wait_s: float) -> Iterator["ModelLock"]:
        """Hold the lock for the block; ``RuntimeError`` if a live holder keeps it ``wait_s``."""
        if not self.acquire(wait_s):
            holder = self.holder() or {}
            raise RuntimeError(
                f"another model job holds the model lock (host {holder.get('host')}, "
                f"pid {holder.get('pid')})"
            )
        try:
            yield self
        finally:
            self.release()
