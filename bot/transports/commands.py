"""The bot's console commands: ``ask``, ``chat``, ``bot`` (:data:`app`), ``alerts preview`` and
``alerts post`` (:data:`alerts_app`). (``reference load`` lives with the store it fills:
:mod:`workers.cli.reference`.)

Nothing is registered on import beyond these module's own typers; ``bot/cli.py`` composes them.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import redis
import typer

from workers.cli.base import (
    console,
    err_console,
    fail,
    load_settings,
    open_runtime_or_exit,
    setup_logging,
)

__all__ = ["alerts_app", "app"]

app = typer.Typer()  # ask, chat, bot
alerts_app = typer.Typer()  # alerts preview, alerts post


def _runtime():
    settings = load_settings()
    return settings, open_runtime_or_exit(settings)


@app.command("ask")
def ask_cmd(
    question: list[str] = typer.Argument(
        ..., help='The question, e.g. "forecast Beltline next month".'
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the structured answer as JSON."),
    chart: Optional[Path] = typer.Option(None, "--chart", help="Write the chart PNG to this file."),
    map_file: Optional[Path] = typer.Option(
        None, "--map", help="Answer by area and write its map PNG to this file."
    ),
) -> None:
    """Answer one question, as the bot would."""
    from bot.transports.console import ask
    from bot.answering.engine import Engine

    _, rt = _runtime()
    try:
        answer = ask(
            Engine(rt.client, rt.keys),
            " ".join(question),
            as_json=as_json,
            chart=chart,
            out=sys.stdout,
            map_file=map_file,
        )
    except redis.RedisError as exc:
        raise fail(f"Redis failed while answering: {exc}") from exc
    except OSError as exc:  # e.g. the chart file cannot be written
        raise fail(f"cannot write the chart or map: {exc}") from exc
    finally:
        rt.close()
    if not answer.ok:
        raise typer.Exit(1)


@app.command("chat")
def chat_cmd() -> None:
    """An interactive prompt: ask questions until 'quit'."""
    from bot.transports.console import chat
    from bot.answering.engine import Engine

    _, rt = _runtime()
    try:
        chat(Engine(rt.client, rt.keys, warm=True), out=sys.stdout)
    finally:
        rt.close()


@app.command("bot")
def bot_cmd(verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """Run the Discord bot (token from CRIMECAST_DISCORD_TOKEN; never logged)."""
    setup_logging(verbose)
    settings = load_settings()  # checks the city profile before the bot reads its words
    from bot.transports import discord_bot

    if settings.discord_token is None:
        # said once, then down cleanly: exit 0, which compose's `restart: on-failure` leaves down
        # (a crash still restarts); set the token and `docker compose up -d bot` (docs/discord.md)
        err_console.print(
            "the Discord bot is off: CRIMECAST_DISCORD_TOKEN is not set (create the "
            "application as docs/discord.md says, put its token in .env, then "
            "`docker compose up -d bot`)",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(0)
    _, rt = _runtime()
    try:
        discord_bot.run(settings, rt)
    except discord_bot.discord.LoginFailure:  # a wrong token does not heal by restarting
        err_console.print(
            "the Discord bot is off: Discord refused CRIMECAST_DISCORD_TOKEN (reset "
            "it in the developer portal, update .env, `docker compose up -d bot`)",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(0) from None
    except Exception as exc:  # anything else: say what, never the token
        raise fail(f"the bot stopped: {type(exc).__name__}: {exc}") from exc
    finally:
        rt.close()


@alerts_app.command("preview")
def alerts_preview_cmd(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date YYYY-MM-DD (default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print the alert(s) as JSON."),
    channel: Optional[str] = typer.Option(None, "--channel", help="Only this channel's alert."),
) -> None:
    """Print exactly what the weekly alert would post (every subscription, or one channel)."""
    from workers.alerts import AlertError, Subscription, SubscriptionStore, build_alert

    from bot.rendering.render import alert_embed, alert_text

    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise fail(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}", 2) from None
    _, rt = _runtime()
    try:
        store = SubscriptionStore(rt.client, rt.keys)
        if channel is not None:
            sub = store.get(channel)
            subs = [sub] if sub is not None else []
            if sub is None:
                err_console.print(
                    f"channel {channel} has no subscription: previewing a city-wide alert for it",
                    markup=False,
                )
                subs = [Subscription(channel, "city")]
        else:
            subs = store.all()
            if not subs:
                err_console.print(
                    "no subscriptions: previewing a city-wide alert (channel 'preview')",
                    markup=False,
                )
                subs = [Subscription("preview", "city")]
        out = []
        for sub in subs:
            try:
                alert = build_alert(rt, sub, as_of).to_dict()
            except AlertError as exc:
                raise fail(str(exc), 2) from exc
            out.append({"alert": alert, "embed": alert_embed(alert)} if as_json else alert)
    finally:
        rt.close()
    if as_json:
        sys.stdout.write(json.dumps(out if len(out) != 1 else out[0], indent=2, default=str) + "\n")
        return
    for alert in out:
        sys.stdout.write(f"--- channel {alert['channel_id']} ---\n{alert_text(alert)}\n")


@alerts_app.command("post")
def alerts_post_cmd(
    attempts: int = typer.Option(4, "--attempts", min=1, max=10, help="Tries per alert."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Post every alert waiting on the outbox once (idempotent per channel and ISO week)."""
    from bot.transports.poster import Poster
    from bot.transports.webhook import ChannelRestSender, WebhookSender

    setup_logging(verbose)
    settings, rt = _runtime()
    try:
        sender = ChannelRestSender(settings.discord_token) if settings.discord_token else None
        hook = WebhookSender(settings.webhook_url) if settings.webhook_url else None
        report = Poster(rt.client, rt.keys, sender, webhook=hook, attempts=attempts).drain()
    finally:
        rt.close()
    console.print(
        f"posted {len(report.posted)}, already posted {len(report.skipped)}, "
        f"failed {len(report.failed)}, dropped {len(report.dropped)}",
        markup=False,
    )
    for f in report.failed:
        err_console.print(
            f"failed: {f['alert']}: {f['error']}"
            + (" (gave up)" if f["gave_up"] else " (will retry)"),
            markup=False,
        )
    if report.failed:
        raise typer.Exit(1)
