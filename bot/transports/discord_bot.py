"""The Discord transport (discord.py 2.x): thin cogs over the query engine.

- Slash commands with typed options and autocomplete (communities: the 25 best matches, always
  re-validated on the server), ``/ask`` for free text, ``/alerts subscribe|unsubscribe`` (admins).
- Natural language when the bot is mentioned or in a DM.
- Every reply is sent with ``AllowedMentions.none()`` (also the client default) and its text passes
  :func:`bot.rendering.render.no_pings`; answers are computed off the event loop after ``defer()``.
- Access limited to configured guilds/channels/roles; a per-user rate limit and an audit stream in
  Redis (:mod:`bot.access`). One error handler decides what the user sees and logs the rest.
- The weekly alerts are posted from the outbox by :class:`bot.poster.Poster` every minute.

This module holds the client (:class:`CrimecastBot`) and :func:`run`; the cog is
:mod:`bot.transports.discord_cog`, what it calls :mod:`bot.transports.discord_service`.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.transports.access import Gate
from bot.answering.engine import Engine
from bot.rendering.render import no_pings
from bot.transports.discord_cog import CrimecastCog
from bot.transports.discord_service import GENERIC_ERROR, NO_MENTIONS, BotService

__all__ = ["BotService", "CrimecastBot", "CrimecastCog", "GENERIC_ERROR", "build_service", "run"]

log = logging.getLogger(__name__)


class CrimecastBot(commands.Bot):
    """The client: no privileged intents, mentions off by default, commands synced to the
    configured guilds (instantly) or globally, and the alert poster running every minute."""

    def __init__(
        self,
        service: BotService,
        *,
        guild_ids: list[int] | None = None,
        poster=None,
        poster_interval_s: float = 60.0,
    ):
        intents = discord.Intents.default()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
        )
        self.service = service
        self.guild_ids = list(guild_ids or [])
        self.poster = poster
        self.poster_interval_s = poster_interval_s
        self._poster_task: asyncio.Task | None = None

    def show_admin_commands(self, admin_role_ids) -> None:
        """Configured admin roles may lack Manage Server, which Discord asks by default before it
        shows ``/alerts``: then show it to everyone and let the bot refuse non-admins itself
        (``Access.is_admin``)."""
        group = self.tree.get_command("alerts")
        if admin_role_ids and group is not None:
            group.default_permissions = None

    async def setup_hook(self) -> None:
        await self.add_cog(CrimecastCog(self, self.service))
        self.show_admin_commands(self.service.gate.access.admin_role_ids)
        self.tree.on_error = self._on_app_command_error
        if self.guild_ids:
            for gid in self.guild_ids:
                guild = discord.Object(id=gid)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        if self.poster is not None:
            self._poster_task = asyncio.create_task(self._post_loop())

    async def on_message(self, message: discord.Message) -> None:  # no prefix commands
        return

    async def _post_loop(self) -> None:
        await self.wait_until_ready()
        while not self.is_closed():
            try:
                report = await asyncio.to_thread(self.poster.drain)
                if report.posted or report.failed:
                    log.info("alert outbox: %s", report.to_dict())
            except Exception:  # noqa: BLE001 - keep posting next time
                log.exception("alert poster failed")
            await asyncio.sleep(self.poster_interval_s)

    async def _on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("app command error: %s", error, exc_info=error)
        text = GENERIC_ERROR
        if isinstance(error, app_commands.TransformerError):
            text = no_pings(f"I couldn't use that option: {error.value!s}"[:300])
        send = (
            interaction.followup.send
            if interaction.response.is_done()
            else interaction.response.send_message
        )
        try:
            await send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            pass


def build_service(engine: Engine, gate: Gate) -> BotService:
    """The service the cogs use (``/ask`` and ``/help`` included)."""
    return BotService(engine, gate)


def run(settings, rt) -> None:
    """Run the bot until stopped. The token comes from ``settings`` (never logged)."""
    from bot.transports.access import Access
    from bot.transports.poster import Poster
    from bot.transports.webhook import ChannelRestSender, WebhookSender

    if settings.discord_token is None:
        raise RuntimeError("CRIMECAST_DISCORD_TOKEN is not set")
    token = settings.discord_token.get_secret_value()
    engine = Engine(rt.client, rt.keys, warm=True)
    from workers.audit import AuditPolicy

    gate = Gate(
        rt.client,
        rt.keys,
        Access.from_settings(settings),
        per_minute=settings.rate_limit_per_minute,
        audit_policy=AuditPolicy.from_settings(settings, rt.client, rt.keys),
    )
    poster = Poster(
        rt.client,
        rt.keys,
        ChannelRestSender(settings.discord_token),
        webhook=WebhookSender(settings.webhook_url) if settings.webhook_url else None,
    )
    bot = CrimecastBot(
        build_service(engine, gate), guild_ids=settings.discord_guild_ids, poster=poster
    )
    bot.run(token, log_handler=None)
