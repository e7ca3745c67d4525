"""The bot: a pure query engine (text or options -> Query -> Answer), renderers, and transports.

Pure parts are re-exported here; the Discord transport (:mod:`bot.discord_bot`), the console
(:mod:`bot.console`), the alert poster (:mod:`bot.poster`) and HTTP senders (:mod:`bot.webhook`) are
imported from their modules, so that importing the engine never imports discord.
"""

from .answer import CAVEAT, Answer, ChartSpec
from .engine import Context, Engine, help_answer
from .names import CITY, Names, Place
from .query import Horizon, Query, QueryError, from_options, parse
from .render import alert_embed, alert_text, fit_embed, no_pings, to_embed, to_png, to_text

__all__ = [
    "CAVEAT",
    "CITY",
    "Answer",
    "ChartSpec",
    "Context",
    "Engine",
    "Horizon",
    "Names",
    "Place",
    "Query",
    "QueryError",
    "alert_embed",
    "alert_text",
    "fit_embed",
    "from_options",
    "help_answer",
    "no_pings",
    "parse",
    "to_embed",
    "to_png",
    "to_text",
]
