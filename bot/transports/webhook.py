"""Posting to Discord over HTTP (httpx): to a webhook URL, or to a channel with the bot's token.

Both send an embed (and optionally a PNG attached as ``chart.png`` and shown in the embed) with
``allowed_mentions`` parsing nothing. The channel sender also sends a ``nonce`` with
``enforce_nonce`` so that a retry Discord already accepted is not posted twice. Secrets (the webhook
URL, the token) never appear in a log line or an error message.
"""

from __future__ import annotations

import json
from typing import Protocol

import httpx
from pydantic import SecretStr

API = "https://discord.com/api/v10"
NO_MENTIONS = {"parse": [], "users": [], "roles": [], "replied_user": False}


class SendError(RuntimeError):
    """A post failed. ``retryable`` says whether trying again may help (429, 5xx, network);
    ``retry_after`` is Discord's hint in seconds when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class Sender(Protocol):
    """Something that posts one message (an embed dict and an optional PNG) to one channel."""

    def send(self, channel_id: str, embed: dict, png: bytes | None, nonce: str) -> str:
        """Post; return the message id (or "" when unknown); raise :class:`SendError`."""


def _secret(value: SecretStr | str) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _payload(embed: dict, png: bytes | None, extra: dict | None = None):
    body = {"embeds": [dict(embed)], "allowed_mentions": NO_MENTIONS}
    if png is not None:
        body["embeds"][0]["image"] = {"url": "attachment://chart.png"}
        body["attachments"] = [{"id": 0, "filename": "chart.png"}]
    body.update(extra or {})
    files = {"payload_json": (None, json.dumps(body), "application/json")}
    if png is not None:
        files["files[0]"] = ("chart.png", png, "image/png")
    return files


def _check(resp: httpx.Response, what: str) -> str:
    if resp.status_code == 429:
        try:
            after = float(resp.json().get("retry_after", 1.0))
        except ValueError:
            after = float(resp.headers.get("retry-after", 1.0))
        raise SendError(f"{what}: rate limited by Discord", retry_after=after, status=429)
    if resp.status_code >= 500:
        raise SendError(f"{what}: Discord error {resp.status_code}", status=resp.status_code)
    if resp.status_code >= 400:
        raise SendError(
            f"{what}: refused by Discord ({resp.status_code})",
            retryable=False,
            status=resp.status_code,
        )
    try:
        return str(resp.json().get("id", ""))
    except ValueError:
        return ""


class WebhookSender:
    """Posts to one Discord webhook URL (``CRIMECAST_WEBHOOK_URL``); ``channel_id`` is ignored."""

    def __init__(
        self, url: SecretStr | str, *, http: httpx.Client | None = None, timeout: float = 10.0
    ):
        self._url = SecretStr(_secret(url))
        self._http = http or httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return "WebhookSender(url=**********)"

    def send(self, channel_id: str, embed: dict, png: bytes | None, nonce: str) -> str:
        try:
            resp = self._http.post(
                self._url.get_secret_value(), params={"wait": "true"}, files=_payload(embed, png)
            )
        except httpx.HTTPError as exc:
            raise SendError(f"webhook: network error ({type(exc).__name__})") from None
        return _check(resp, "webhook")


class ChannelRestSender:
    """Posts to a channel through Discord's REST API with the bot token (no gateway needed)."""

    def __init__(
        self,
        token: SecretStr | str,
        *,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        api: str = API,
    ):
        self._token = SecretStr(_secret(token))
        self._http = http or httpx.Client(timeout=timeout)
        self._api = api

    def __repr__(self) -> str:
        return "ChannelRestSender(token=**********)"

    def send(self, channel_id: str, embed: dict, png: bytes | None, nonce: str) -> str:
        if not str(channel_id).isdigit():
            raise SendError(
                f"channel id {channel_id!r} is not a Discord channel id", retryable=False
            )
        headers = {"Authorization": f"Bot {self._token.get_secret_value()}"}
        try:
            resp = self._http.post(
                f"{self._api}/channels/{channel_id}/messages",
                headers=headers,
                files=_payload(embed, png, {"nonce": nonce, "enforce_nonce": True}),
            )
        except httpx.HTTPError as exc:
            raise SendError(f"channel {channel_id}: network error ({type(exc).__name__})") from None
        return _check(resp, f"channel {channel_id}")
