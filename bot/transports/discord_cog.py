"""The slash commands and mentions (:class:`CrimecastCog`): typed options and autocomplete, each
handler one call into :class:`~bot.transports.discord_service.BotService`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands

from core.profile import active_profile

from bot.transports.discord_service import BotService

HORIZONS = ("next month", "next 2 months", "next 3 months", "next 6 months", "this month")
_PROFILE = active_profile()  # the deployment's words (descriptions are fixed when commands sync)
_AREA = _PROFILE.area.singular
_REGION = _PROFILE.regions.word.singular if _PROFILE.regions else "region"


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
