"""The producer interface over HTTP: ``POST /records`` with JSON Lines, for a records system that
pushes and cannot run a command.

The body is the same JSON Lines as ``crimecast ingest jsonl`` (:mod:`stream.sources.jsonl`): the
same fields, the same validation, and a bad line goes to the dead-letter stream with its reason
(``http:LINE``) while the others are sent. The reply is JSON: ``{"sent": N, "refused": [{"line":
3, "reason": "..."}]}``; 401 without the bearer token (``CRIMECAST_INGEST_TOKEN``, when set), 413
for a body over 16 MB, 503 when Redis cannot take the records (re-send: ids count once).
``GET /health`` answers ``{"ok": true}``. Served by ``crimecast ingest serve`` (127.0.0.1 by
default: put a TLS proxy in front before exposing it).
"""

from __future__ import annotations

import hmac
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis

from stream.categories import CategorySet
from stream.keys import Keys
from stream.producer import Producer, Rejected
from stream.sources.jsonl import parse_lines

log = logging.getLogger(__name__)

__all__ = ["IngestServer", "MAX_BODY"]

MAX_BODY = 16 * 1024 * 1024


class IngestServer(ThreadingHTTPServer):
    """An HTTP server putting posted JSON Lines on one prefix's stream."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        client: redis.Redis,
        keys: Keys,
        categories: CategorySet,
        *,
        token: str | None = None,
        source: str = "http",
    ):
        super().__init__(address, _Handler)
        self.client, self.keys, self.categories = client, keys, categories
        self.token, self.source = token, source


class _Handler(BaseHTTPRequestHandler):
    server: IngestServer

    def log_message(self, fmt, *args):  # to logging, never a token
        log.info("%s %s", self.address_string(), fmt % args)

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/health":
            return self._reply(200, {"ok": True})
        return self._reply(404, {"error": "GET /health or POST /records"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/records":
            return self._reply(404, {"error": "POST JSON Lines to /records"})
        token = self.server.token
        given = self.headers.get("Authorization", "")
        if token and not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return self._reply(401, {"error": "missing or wrong bearer token"})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._reply(411, {"error": "Content-Length required"})
        if length > MAX_BODY:
            return self._reply(413, {"error": f"body over {MAX_BODY} bytes: send smaller batches"})
        text = self.rfile.read(length).decode("utf-8", "surrogateescape")
        items = list(
            parse_lines(
                text.splitlines(),
                self.server.categories,
                origin="http",
                default_source=self.server.source,
            )
        )
        try:
            sent = Producer(self.server.client, self.server.keys, retry_for_s=5).send(items)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            return self._reply(
                503,
                {
                    "error": f"Redis unavailable ({type(exc).__name__}): re-send "
                    "the batch (records already sent count once)"
                },
            )
        refused = [
            {"line": int(i.origin.rsplit(":", 1)[1]), "reason": i.reason}
            for i in items
            if isinstance(i, Rejected)
        ]
        return self._reply(200, {"sent": sent, "refused": refused})
