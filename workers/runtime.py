"""Process wiring: one place that turns :class:`Settings` into Redis clients and rq queues.

Nothing here runs at import; each entry point calls :func:`open_redis` once and passes the result
down.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Iterator

import redis
from rq import Queue

from stream.connection import EmbeddedRedis, check_server, connect, redact
from stream.keys import Keys

from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Live connections of one process: the Redis URL in use, a decoding client, a raw client for
    rq, the key layout, and the embedded server if this process started one."""

    settings: Settings
    url: str
    client: redis.Redis
    raw: redis.Redis
    keys: Keys
    embedded: EmbeddedRedis | None = None
    server_version: str = ""
    _queues: dict[str, Queue] = field(default_factory=dict)

    def queue(self, kind: str) -> Queue:
        """The rq queue for ``kind`` (``"default"`` or ``"models"``), named under the key prefix."""
        if kind not in self._queues:
            self._queues[kind] = Queue(queue_name(self.settings, kind), connection=self.raw)
        return self._queues[kind]

    def close(self) -> None:
        self.client.close()
        self.raw.close()
        if self.embedded is not None:
            self.embedded.close()


def queue_name(settings: Settings, kind: str) -> str:
    """rq queue names carry the key prefix so that deployments sharing a server stay apart.

    >>> queue_name(Settings(key_prefix="cc"), "models")
    'cc.models'
    """
    return f"{settings.key_prefix}.{kind}"


def redis_url(settings: Settings) -> tuple[str, EmbeddedRedis | None]:
    """The configured URL, or start the embedded server and return its URL."""
    if settings.redis_url is not None:
        return settings.redis_url.get_secret_value(), None
    embedded = EmbeddedRedis(settings.state_dir / "redis")
    log.info("no REDIS_URL: using embedded Redis in %s", settings.state_dir / "redis")
    return embedded.url, embedded


def open_runtime(settings: Settings) -> Runtime:
    """Connect (starting the embedded server if needed) and check the server version."""
    url, embedded = redis_url(settings)
    client = connect(url)
    raw = connect(url, decode_responses=False)
    try:
        version = check_server(client)
    except Exception:
        if embedded is not None:
            embedded.close()
        raise
    log.info("connected to Redis %s at %s", version, redact(url))
    return Runtime(settings, url, client, raw, Keys(settings.key_prefix), embedded, version)


@contextlib.contextmanager
def runtime(settings: Settings) -> Iterator[Runtime]:
    """``with runtime(settings) as rt:`` opens and always closes the connections."""
    rt = open_runtime(settings)
    try:
        yield rt
    finally:
        rt.close()
