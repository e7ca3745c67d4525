"""Consumer liveness: heartbeats, dead consumers and what the consumer group looks like.

As rq's workers do, every consumer keeps a heartbeat key (``keys.heartbeat(name)``) alive with a
TTL, refreshed from its loop; the blocking read waits less than the TTL, so a live consumer never
lets it lapse. A consumer whose heartbeat is gone is dead (killed, its machine gone, or stopped
cleanly): any live consumer takes its pending entries at once, not after the idle time, and removes
it from the group once it owns nothing (:data:`stream.scripts.CLAIM_DEAD`, one atomic step).
Taking entries from a consumer that only *looked* dead (say it stalled longer than the TTL) is
harmless: counting is idempotent, so an entry applied twice counts once.

:func:`group_status` is the operator's view: each consumer alive or dead, what it holds and how
long it has been idle, the oldest unacknowledged entry, the dead letters, and warnings.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field

import redis

from core.text import as_text

from .keys import Keys
from .scripts import CLAIM_DEAD, RELEASE_CONSUMER

DEFAULT_TTL_MS = 5000


def heartbeat_ttl_ms(block_ms: int) -> int:
    """The heartbeat TTL for a consumer blocking ``block_ms`` per read: at least 5 s and at least
    three blocking reads, so a live consumer refreshes it well before it lapses.

    >>> heartbeat_ttl_ms(1000), heartbeat_ttl_ms(4000)
    (5000, 12000)
    """
    return max(DEFAULT_TTL_MS, 3 * block_ms)


def default_name() -> str:
    """``host-pid-xxxx``: unique per process, readable in ``XINFO CONSUMERS`` and ``status``."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


def _ms(entry_id) -> int:
    return int(as_text(entry_id).partition("-")[0])


class Heartbeat:
    """One consumer's heartbeat: ``beat()`` from the loop (throttled to a fifth of the TTL),
    ``release()`` on a clean stop."""

    def __init__(self, client: redis.Redis, keys: Keys, name: str, ttl_ms: int):
        if ttl_ms < 100:
            raise ValueError("heartbeat TTL must be at least 100 ms")
        self.client, self.keys, self.name, self.ttl_ms = client, keys, name, ttl_ms
        self.key = keys.heartbeat(name)
        self.value = json.dumps(
            {"host": socket.gethostname(), "pid": os.getpid(), "since": round(time.time(), 3)}
        )
        self.interval = ttl_ms / 5000.0
        self._last = float("-inf")
        self._release = client.register_script(RELEASE_CONSUMER)

    @property
    def beating(self) -> bool:
        """True between the first beat and :meth:`release`."""
        return self._last != float("-inf")

    def beat(self, force: bool = False) -> None:
        """Refresh the heartbeat (at most every TTL/5 unless ``force``)."""
        now = time.monotonic()
        if force or now - self._last >= self.interval:
            self.client.set(self.key, self.value, px=self.ttl_ms)
            self._last = now

    def release(self) -> int:
        """Drop the heartbeat and leave the group if nothing is pending here; returns the entries
        still pending here (a live consumer takes them at once)."""
        self._last = float("-inf")
        return int(
            self._release(
                keys=[self.keys.stream, self.key], args=[self.keys.consumer_group, self.name]
            )
        )


@dataclass
class ConsumerState:
    """One member of the consumer group as an operator sees it."""

    name: str
    alive: bool
    pending: int
    idle_ms: int  # since its last read or claim (XINFO CONSUMERS ``idle``)
    host: str | None = None
    pid: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def consumers(client: redis.Redis, keys: Keys) -> list[ConsumerState]:
    """Every consumer of the group with its heartbeat state (empty before the group exists)."""
    try:
        rows = client.xinfo_consumers(keys.stream, keys.consumer_group)
    except redis.ResponseError:  # no stream or no group yet
        return []
    names = [as_text(r["name"]) for r in rows]
    pipe = client.pipeline(transaction=False)
    for n in names:
        pipe.get(keys.heartbeat(n))
    beats = pipe.execute() if names else []
    out = []
    for name, row, beat in zip(names, rows, beats):
        info = {}
        if beat is not None:
            try:
                info = json.loads(as_text(beat))
            except ValueError:
                info = {}
        out.append(
            ConsumerState(
                name,
                beat is not None,
                int(row["pending"]),
                int(row["idle"]),
                info.get("host"),
                info.get("pid"),
            )
        )
    return out


class DeadClaimer:
    """Takes the pending entries of dead consumers for one live consumer (``me``)."""

    def __init__(self, client: redis.Redis, keys: Keys, me: str):
        self.client, self.keys, self.me = client, keys, me
        self._script = client.register_script(CLAIM_DEAD)
        self.removed = 0  # dead consumers removed from the group by this claimer

    def claim(self, limit: int) -> list[tuple]:
        """Up to ``limit`` entries ``(id, fields)`` taken from dead consumers (dead consumers that
        own nothing are removed from the group on the way)."""
        got: list[tuple] = []
        for c in consumers(self.client, self.keys):
            if c.alive or c.name == self.me:
                continue
            if c.pending and len(got) >= limit:
                continue  # taken on a later call; owners of nothing are still removed
            state, entries = self._script(
                keys=[self.keys.stream, self.keys.heartbeat(c.name)],
                args=[self.keys.consumer_group, c.name, self.me, max(limit - len(got), 1)],
            )
            if int(state) == 1:
                self.removed += 1
            for entry in entries or []:
                if entry and entry[1] is not None:  # a trimmed entry comes back empty: skip it
                    flat = entry[1]
                    got.append((entry[0], dict(zip(flat[::2], flat[1::2]))))
        return got


@dataclass
class GroupStatus:
    """The consumer group at a glance (``crimecast status``)."""

    consumers: list[ConsumerState] = field(default_factory=list)
    pending: int = 0  # delivered, not acknowledged
    unread: int = 0  # not yet delivered to any consumer (-1 when the server cannot say)
    oldest_unacked_age_s: float | None = None  # the oldest entry not yet acknowledged, by its id
    dead_letters: int = 0
    pending_at_dead: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["consumers"] = [c.to_dict() for c in self.consumers]
        return out


def _count_after(client: redis.Redis, stream: str, last_id: str, cap: int = 1_000_000) -> int:
    """Entries after ``last_id``, counted by reading ids (servers before Redis 7 report no lag);
    -1 past ``cap`` entries, where counting would cost more than a status line is worth."""
    n, start = 0, f"({last_id}"
    while n <= cap:
        chunk = client.xrange(stream, min=start, count=10_000)
        if not chunk:
            return n
        n += len(chunk)
        start = f"({as_text(chunk[-1][0])}"
    return -1


def group_status(client: redis.Redis, keys: Keys) -> GroupStatus:
    """Consumers (alive or dead, pending, idle), backlog, oldest unacknowledged entry's age, dead
    letters, and a warning for entries held by a dead consumer."""
    st = GroupStatus(consumers=consumers(client, keys))
    st.dead_letters = int(client.xlen(keys.dead_letter))
    st.pending = sum(c.pending for c in st.consumers)
    st.pending_at_dead = sum(c.pending for c in st.consumers if not c.alive)
    oldest: list[int] = []
    try:
        groups = client.xinfo_groups(keys.stream)
    except redis.ResponseError:
        groups = []
    for g in groups:
        if as_text(g["name"]) != keys.consumer_group:
            continue
        lag = g.get("lag")
        st.unread = (
            int(lag)
            if lag is not None
            else _count_after(client, keys.stream, as_text(g["last-delivered-id"]))
        )
        if st.pending:
            oldest.append(_ms(client.xpending(keys.stream, keys.consumer_group)["min"]))
        nxt = client.xrange(keys.stream, min=f"({as_text(g['last-delivered-id'])}", count=1)
        if nxt:
            oldest.append(_ms(nxt[0][0]))
    if oldest:
        secs, micros = client.time()
        st.oldest_unacked_age_s = round(max(0.0, secs + micros / 1e6 - min(oldest) / 1000), 1)
    dead = [c for c in st.consumers if not c.alive and c.pending]
    if dead:
        names = ", ".join(f"{c.name} ({c.pending:,})" for c in dead)
        st.warnings.append(
            f"{st.pending_at_dead:,} entries wait at dead consumers: {names}; a "
            "running `crimecast worker` takes them at once (start one if none runs)"
        )
    return st
