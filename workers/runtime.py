"""Process wiring: one place that turns :class:`Settings` into Redis clients and rq queues.

Two servers may be in play: the *data* Redis (``REDIS_URL``: streams, counts, forecasts, alert
state; a plain server or a Redis Cluster) and the *queue* Redis (``CRIMECAST_QUEUE_URL``, default
the same server: rq's queues, which need a plain server). Nothing here runs at import; each entry
point calls :func:`open_runtime` once and passes the result down.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Iterator

import redis
from rq import Queue

from stream.connection import (
    Client,
    ClusterMismatch,
    EmbeddedRedis,
    check_server,
    connect,
    is_cluster_url,
    raw_twin,
    redact,
)
from stream.keys import Keys

from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Live connections of one process: the data Redis URL in use and a decoding client to it
    (a :class:`redis.cluster.RedisCluster` on a Cluster), ``raw``, the non-decoding client of the
    rq queue server, the key layout, and the embedded server if this process started one."""

    settings: Settings
    url: str
    client: Client
    raw: redis.Redis
    keys: Keys
    embedded: EmbeddedRedis | None = None
    server_version: str = ""
    queue_url: str = ""
    _queues: dict[str, Queue] = field(default_factory=dict)
    _data_raw: Client | None = None

    @property
    def data_raw(self) -> Client:
        """A non-decoding client of the data Redis (dead letters keep their original bytes)."""
        if self.queue_url == self.url:
            return self.raw
        if self._data_raw is None:
            self._data_raw = raw_twin(self.client)
        return self._data_raw

    def queue(self, kind: str) -> Queue:
        """The rq queue for ``kind`` (``"default"`` or ``"models"``), named under the key prefix."""
        if kind not in self._queues:
            self._queues[kind] = Queue(queue_name(self.settings, kind), connection=self.raw)
        return self._queues[kind]

    def close(self) -> None:
        self.client.close()
        self.raw.close()
        if self._data_raw is not None:
            self._data_raw.close()
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


def queue_url(settings: Settings, data_url: str) -> str:
    """The rq queue server's URL: ``CRIMECAST_QUEUE_URL``, else the data server's, which must then
    be a plain server (rq does not support Redis Cluster)."""
    if settings.queue_url is not None:
        url = settings.queue_url.get_secret_value()
    elif settings.redis_cluster or is_cluster_url(data_url):
        raise ClusterMismatch(
            "REDIS_URL is a Redis Cluster and rq does not support Cluster: set "
            "CRIMECAST_QUEUE_URL to a plain Redis server for the job queues"
        )
    else:
        url = data_url
    if is_cluster_url(url):
        raise ClusterMismatch(
            "CRIMECAST_QUEUE_URL must be a plain Redis server (rq does not support Redis Cluster)"
        )
    return url


def check_queue_server(raw: redis.Redis) -> None:
    """Refuse a queue server that is a Cluster node (rq would fail on the first MOVED reply)."""
    if raw.info("cluster").get("cluster_enabled") in (1, "1"):
        raise ClusterMismatch(
            "CRIMECAST_QUEUE_URL points at a Redis Cluster node: rq needs a "
            "plain Redis server for its queues"
        )


def open_runtime(settings: Settings) -> Runtime:
    """Connect (starting the embedded server if needed) and check both servers."""
    if settings.redis_cluster and settings.redis_url is None:
        raise ClusterMismatch("CRIMECAST_REDIS_CLUSTER=true needs REDIS_URL (a Cluster node)")
    url, embedded = redis_url(settings)
    client = raw = None
    try:
        qurl = queue_url(settings, url)
        client = connect(url, cluster=settings.redis_cluster)
        version = check_server(client)
        raw = connect(qurl, decode_responses=False)
        if qurl != url:
            check_queue_server(raw)
    except Exception:
        for c in (client, raw):
            if c is not None:
                c.close()
        if embedded is not None:
            embedded.close()
        raise
    log.info(
        "connected to Redis %s at %s%s",
        version,
        redact(url),
        "" if qurl == url else f"; rq queues at {redact(qurl)}",
    )
    return Runtime(
        settings, url, client, raw, Keys(settings.key_prefix), embedded, version, queue_url=qurl
    )


@contextlib.contextmanager
def runtime(settings: Settings) -> Iterator[Runtime]:
    """``with runtime(settings) as rt:`` opens and always closes the connections."""
    rt = open_runtime(settings)
    try:
        yield rt
    finally:
        rt.close()
