"""The Discord transport (discord.py 2.x): thin cogs over the query engine.

- Slash commands with typed options and autocomplete (communities: the 25 best matches, always
  re-validated on the server), ``/ask`` for free text, ``/alerts subscribe|unsubscribe`` (admins).
- Natural language when the bot is mentioned or in a DM.
- Every reply is sent with ``AllowedMentions.none()`` (also the client default) and its text passes
  :func:`bot.rendering.render.no_pings`; answers are computed off the event loop after ``defer()``.
- Access limited to configured guilds/channels/roles; a per-user rate limit and an audit stream in
  Redis (:mod:`bot.access`). One error handler decides what the user sees and logs the rest.
- The weekly alerts are posted from the outbox by :class:`bot.poster.Poster` every minute.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from core.profile import active_profile

from bot.transports.access import Gate, monotonic_ms
from bot.answering.answer import Answer
from bot.answering.engine import Context, Engine
from bot.answering.maps import Geometries, answer_png
from bot.rendering.chart import ChartCache
from bot.rendering.render import no_pings, to_embed

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
HORIZONS = ("next month", "next 2 months", "next 3 months", "next 6 months", "this month")
_PROFILE = active_profile()  # the deployment's words (descriptions are fixed when commands sync)
_AREA = _PROFILE.area.singular
_REGION = _PROFILE.regions.word.singular if _PROFILE.regions else "region"
NO_GEOMETRY = (
    "No map: no area boundaries are loaded and the incidents carry no locations (an "
    "admin can run `crimecast reference boundaries`)."
)
GENERIC_ERROR = "Something went wrong on my side (it is logged). Please try again in a minute."


class BotService:
    """What the cogs call: access, rate limit, answer (in a worker thread), render, reply, audit."""

    def __init__(self, engine: Engine, gate: Gate):
        self.engine = engine
        self.gate = gate
        self._lock = threading.Lock()  # the engine's in-memory snapshots are not thread-safe
        self.charts = ChartCache()
        self.maps = Geometries(engine.client, engine.keys)  # area geometry for map answers

    # --- who is asking ------------------------------------------------------------------------
    @staticmethod
    def _roles(user: Any) -> list[int]:
        return [r.id for r in getattr(user, "roles", None) or []]

    def context(self, user: Any, guild: Any, channel_id: Any, transport: str) -> Context:
        perms = getattr(user, "guild_permissions", None)
        manage = bool(
            perms
            and (getattr(perms, "manage_guild", False) or getattr(perms, "administrator", False))
        )
        admin = guild is not None and self.gate.access.is_admin(
            self._roles(user), manage_guild=manage
        )
        return Context(str(user.id), str(channel_id) if channel_id else None, admin, transport)

    def refusal(self, user: Any, guild: Any, channel_id: Any) -> str | None:
        return self.gate.access.refusal(
            guild_id=getattr(guild, "id", None),
            channel_id=int(channel_id) if channel_id else None,
            role_ids=self._roles(user),
            is_dm=guild is None,
        )

    # --- answering --------------------------------------------------------------------------------
    def answer_text(self, text: str, ctx: Context) -> Answer:
        with self._lock:
            return self.engine.ask(text, ctx)

    def answer_options(self, intent: str, opts: dict, ctx: Context) -> Answer:
        with self._lock:  # the same pipeline and error handling as free text
            return self.engine.ask_options(intent, opts, ctx)

    def render(self, answer: Answer) -> tuple[discord.Embed, Optional[discord.File]]:
        embed_dict = to_embed(answer)
        png, kind = (
            answer_png(answer, self.maps)
            if "map" in answer.data
            else (
                self.charts.png(answer.chart) if answer.ok and answer.chart is not None else None,
                "chart",
            )
        )
        file = None
        if "map" in answer.data and kind != "map" and len(embed_dict.get("fields") or []) < 25:
            embed_dict.setdefault("fields", []).append(
                {"name": "Map", "value": NO_GEOMETRY, "inline": False}
            )
        if png is not None:
            embed_dict["image"] = {"url": f"attachment://{kind}.png"}
            file = discord.File(io.BytesIO(png), filename=f"{kind}.png")
        return discord.Embed.from_dict(embed_dict), file

    def names_for(self, current: str, kind: str) -> list[str]:
        with self._lock:
            names = self.engine.names
        if kind == "category":
            low = current.lower()
            return [c for c in names.category_choices() if low in c.lower()][:25]
        if kind == "region":  # labels ("NPU M", "NORTHEAST sector") resolve back to the region
            low = current.lower()
            return [label for label, _ in names.region_choices() if low in label.lower()][:25]
        return names.complete(current, limit=25)

    # --- transports ------------------------------------------------------------------------------
    async def slash(self, interaction: Any, intent: str, **opts) -> None:
        """Handle one slash command: checks, ``defer()``, answer off the loop, follow up, audit."""
        user, guild = interaction.user, interaction.guild
        channel_id = getattr(interaction, "channel_id", None) or getattr(
            interaction.channel, "id", None
        )
        text = f"/{intent} " + " ".join(
            f"{k}={v}" for k, v in opts.items() if v not in (None, False)
        )

        async def notice(msg: str) -> None:  # refusals and rate limits, before any defer
            await interaction.response.send_message(
                msg, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

        async def reply(**kwargs) -> None:
            await interaction.followup.send(**kwargs)

        async def failed() -> None:
            await interaction.followup.send(
                GENERIC_ERROR, ephemeral=True, allowed_mentions=NO_MENTIONS
            )

        await self.serve(
            user,
            guild,
            channel_id,
            "slash",
            text,
            intent,
            lambda ctx: self.answer_options(intent, opts, ctx),
            notice,
            reply,
            failed,
            before=lambda: interaction.response.defer(thinking=True),
        )

    async def message(self, message: Any, bot_user_id: int | None) -> bool:
        """Answer a message that mentions the bot or is a DM; False when it is not for us."""
        author = message.author
        if getattr(author, "bot", False):
            return False
        guild = message.guild
        mentioned = bot_user_id is not None and any(
            getattr(u, "id", None) == bot_user_id for u in getattr(message, "mentions", []) or []
        )
        if guild is not None and not mentioned:
            return False
        text = message.content or ""

        async def notice(msg: str) -> None:
            await message.reply(msg, mention_author=False, allowed_mentions=NO_MENTIONS)

        async def reply(**kwargs) -> None:
            await message.reply(mention_author=False, **kwargs)

        await self.serve(
            author,
            guild,
            getattr(message.channel, "id", None),
            "dm" if guild is None else "mention",
            text,
            None,
            lambda ctx: self.answer_text(text, ctx),
            notice,
            reply,
            lambda: notice(GENERIC_ERROR),
        )
        return True

    async def serve(
        self,
        user: Any,
        guild: Any,
        channel_id: Any,
        transport: str,
        text: str,
        intent: str | None,
        ask,
        notice,
        reply,
        failed,
        *,
        before=None,
    ) -> None:
        """The one path of every question, whatever carried it: access and rate checks, the
        answer computed off the event loop, the embed (and chart) sent, the audit written; and
        the one handler of failures: logged, a short generic reply, never a traceback."""
        start = time.perf_counter()
        audit = dict(
            user_id=user.id,
            user=str(getattr(user, "name", "")),
            transport=transport,
            text=text,
            guild_id=getattr(guild, "id", None),
            channel_id=channel_id,
        )
        tag = {"intent": intent} if intent else {}
        refusal = self.refusal(user, guild, channel_id)
        if refusal:
            await notice(refusal)
            self.gate.audit(**audit, **tag, ok=False, outcome="refused", answer=refusal)
            return
        allowed, retry = self.gate.hit(user.id)
        if not allowed:
            msg = f"You're asking quickly: please wait {retry} s (limit {self.gate.per_minute} a minute)."
            await notice(msg)
            self.gate.audit(**audit, **tag, ok=False, outcome="rate_limited", answer=msg)
            return
        if before is not None:
            await before()
        ctx = self.context(user, guild, channel_id, transport)
        try:
            answer = await asyncio.to_thread(ask, ctx)
            embed, file = await asyncio.to_thread(self.render, answer)
            kwargs: dict[str, Any] = {"embed": embed, "allowed_mentions": NO_MENTIONS}
            if file is not None:
                kwargs["file"] = file
            await reply(**kwargs)
            self.gate.audit(
                **audit,
                intent=answer.intent,
                ok=answer.ok,
                answer=answer.summary(),
                ms=monotonic_ms(start),
            )
        except Exception:  # noqa: BLE001 - one place decides what the user sees
            log.exception("%s answer failed: %s", transport, text[:80])
            await failed()
            self.gate.audit(**audit, **tag, ok=False, outcome="error", ms=monotonic_ms(start))


class CrimecastCog(commands.Cog):
    """Slash commands and mentions; each handler is one call into :class:`BotService`."""

    def __init__(self, bot: Any, service: BotService):
        self.bot = bot
        self.service = service

    # --- autocomplete (suggestions only: every value is re-validated when the command runs) ----
    async def _communities(self, interaction: discord.Interaction, current: str):
        names = await asyncio.to_thread(self.service.names_for, current, "community")
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    async def _categories(self, interaction: discord.Interaction, current: str):
        names = await asyncio.to_thread(self.service.names_for, current, "category")
        return [app_commands.Choice(name=" ".join(n.split())[:100], value=n[:100]) for n in names]

    async def _regions(self, interaction: discord.Interaction, current: str):
        """The city's regions (sectors, NPUs ...) from the reference data, as the profile names them."""
        found = await asyncio.to_thread(self.service.names_for, current, "region")
        return [app_commands.Choice(name=label[:100], value=label[:100]) for label in found]

    async def _horizons(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=h, value=h) for h in HORIZONS if current.lower() in h][:25]

    @app_commands.command(name="forecast", description=f"Forecast reported crime for a {_AREA}")
    @app_commands.describe(
        community=f"{_AREA.capitalize()}, {_REGION}, a common name or 'city' (default: city-wide)",
        category="Crime category (default: all)",
        horizon="next month, next 3 months, this month, March, 2024-03",
        per_1000="Also show the rate per 1,000 residents",
    )
    async def forecast(
        self,
        interaction: discord.Interaction,
        community: Optional[str] = None,
        category: Optional[str] = None,
        horizon: Optional[str] = None,
        per_1000: bool = False,
    ) -> None:
        await self.service.slash(
            interaction,
            "forecast",
            community=community,
            category=category,
            horizon=horizon,
            per_1000=per_1000,
        )

    @app_commands.command(
        name="top", description=f"{_PROFILE.area.plural.capitalize()} with the highest forecast"
    )
    @app_commands.describe(
        category="Crime category (default: all)",
        n="How many (1-25)",
        sector=f"Only this {_REGION}",
        horizon="next month, next 3 months, ...",
        per_1000="Rank by rate per 1,000 residents",
    )
    async def top(
        self,
        interaction: discord.Interaction,
        category: Optional[str] = None,
        n: app_commands.Range[int, 1, 25] = 5,
        sector: Optional[str] = None,
        horizon: Optional[str] = None,
        per_1000: bool = False,
    ) -> None:
        await self.service.slash(
            interaction,
            "top",
            category=category,
            n=n,
            sector=getattr(sector, "value", sector),
            horizon=horizon,
            per_1000=per_1000,
        )

    @app_commands.command(name="trend", description="How reported crime has changed")
    @app_commands.describe(
        community=f"{_AREA.capitalize()}, {_REGION}, a common name or 'city'",
        category="Crime category (default: all)",
    )
    async def trend(
        self,
        interaction: discord.Interaction,
        community: Optional[str] = None,
        category: Optional[str] = None,
    ) -> None:
        await self.service.slash(interaction, "trend", community=community, category=category)

    @app_commands.command(name="compare", description="Compare two places")
    @app_commands.describe(
        first=f"First {_AREA}",
        second=f"Second {_AREA}",
        category="Crime category (default: all)",
        horizon="next month, ...",
    )
    async def compare(
        self,
        interaction: discord.Interaction,
        first: str,
        second: str,
        category: Optional[str] = None,
        horizon: Optional[str] = None,
    ) -> None:
        await self.service.slash(
            interaction,
            "compare",
            community=first,
            other=second,
            category=category,
            horizon=horizon,
        )

    @app_commands.command(name="explain", description="What drives a forecast")
    @app_commands.describe(community=_AREA.capitalize(), category="Crime category (default: all)")
    async def explain(
        self, interaction: discord.Interaction, community: str, category: Optional[str] = None
    ) -> None:
        await self.service.slash(interaction, "explain", community=community, category=category)

    @app_commands.command(name="status", description="Data month, model version, accuracy")
    async def status(self, interaction: discord.Interaction) -> None:
        await self.service.slash(interaction, "status")

    @app_commands.command(name="ask", description="Ask in your own words")
    @app_commands.describe(
        question="e.g. "
        + (_PROFILE.examples[1] if len(_PROFILE.examples) > 1 else "how many thefts next month?")[
            :90
        ]
    )
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 400]
    ) -> None:
        await self.service.slash(interaction, "ask", question=question)

    @app_commands.command(name="help", description="What I can answer")
    async def help(self, interaction: discord.Interaction) -> None:
        await self.service.slash(interaction, "help")

    alerts = app_commands.Group(
        name="alerts",
        description="Weekly alert for this channel (admins)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    @alerts.command(name="subscribe", description="Post the weekly alert in this channel")
    @app_commands.describe(
        sector=f"Only this {_REGION}", community=f"Only this {_AREA}", category="Only this category"
    )
    async def subscribe(
        self,
        interaction: discord.Interaction,
        sector: Optional[str] = None,
        community: Optional[str] = None,
        category: Optional[str] = None,
    ) -> None:
        await self.service.slash(
            interaction,
            "subscribe",
            community=community,
            category=category,
            sector=getattr(sector, "value", sector),
        )

    @alerts.command(name="unsubscribe", description="Stop the weekly alert in this channel")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await self.service.slash(interaction, "unsubscribe")

    forecast.autocomplete("community")(_communities)
    forecast.autocomplete("category")(_categories)
    forecast.autocomplete("horizon")(_horizons)
    top.autocomplete("category")(_categories)
    top.autocomplete("sector")(_regions)
    subscribe.autocomplete("sector")(_regions)
    top.autocomplete("horizon")(_horizons)
    trend.autocomplete("community")(_communities)
    trend.autocomplete("category")(_categories)
    compare.autocomplete("first")(_communities)
    compare.autocomplete("second")(_communities)
    compare.autocomplete("category")(_categories)
    compare.autocomplete("horizon")(_horizons)
    explain.autocomplete("community")(_communities)
    explain.autocomplete("category")(_categories)
    subscribe.autocomplete("community")(_communities)
    subscribe.autocomplete("category")(_categories)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = getattr(self.bot, "user", None)
        await self.service.message(message, getattr(me, "id", None))


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
