"""What the Discord cogs call (:class:`BotService`): access, rate limit, the answer (off the event
loop, through the engine's one pipeline), rendering, the reply and the audit, with the one place
that decides what the user sees when something fails.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from typing import Any, Optional

import discord

from bot.transports.access import Gate, monotonic_ms
from bot.answering.answer import Answer
from bot.answering.engine import Context, Engine
from bot.answering.maps import Geometries, answer_png
from bot.rendering.chart import ChartCache
from bot.rendering.render import to_embed

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
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
