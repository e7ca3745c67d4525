"""The bot: a pure query engine (text or options -> Query -> Answer), renderers, and transports.

Pure parts are re-exported here; the Discord transport (:mod:`bot.discord_bot`), the console
(:mod:`bot.console`), the alert poster (:mod:`bot.poster`) and HTTP senders (:mod:`bot.webhook`) are
imported from their modules, so that importing the engine never imports discord.
"""

import importlib

_HOME = {
    "CAVEAT": "answer", "Answer": "answer", "ChartSpec": "answer",
    "Context": "engine", "Engine": "engine", "help_answer": "engine",
    "CITY": "names", "Names": "names", "Place": "names",
    "Horizon": "query", "Query": "query", "QueryError": "query", "from_options": "query",
    "parse": "query",
    "alert_embed": "render", "alert_text": "render", "fit_embed": "render", "no_pings": "render",
    "to_embed": "render", "to_png": "render", "to_text": "render",
}


def __getattr__(name: str):
    """Load a re-exported name on first use: the ``crimecast`` entry point lives in this package,
    and a stream worker started from it should not pay for importing the query engine."""
    if name not in _HOME:
        raise AttributeError(f"module 'bot' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)


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
