"""The bot, in four rooms a newcomer can name:

- :mod:`bot.language`: text or slash options -> a question value, then resolved against the data
  (pure: no Redis);
- :mod:`bot.answering`: the frozen data state and one evaluator per *what* -> a result, and the
  detailed answers that word a question's shape;
- :mod:`bot.rendering`: text, Discord embed, chart;
- :mod:`bot.transports`: Discord, console, webhook, the alert poster.

Pure parts are re-exported here lazily, so that importing the engine never imports discord.
"""

import importlib

_HOME = {
    "CAVEAT": "answering.answer",
    "Answer": "answering.answer",
    "ChartSpec": "answering.answer",
    "Context": "answering.engine",
    "Engine": "answering.engine",
    "help_answer": "answering.engine",
    "CITY": "language.names",
    "Names": "language.names",
    "Place": "language.names",
    "Question": "language.question",
    "QueryError": "language.question",
    "parse_question": "language.understand",
    "question_from_options": "language.options",
    "alert_embed": "rendering.render",
    "alert_text": "rendering.render",
    "fit_embed": "rendering.render",
    "no_pings": "rendering.render",
    "to_embed": "rendering.render",
    "to_png": "rendering.render",
    "to_text": "rendering.render",
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
    "Names",
    "Place",
    "Question",
    "QueryError",
    "alert_embed",
    "alert_text",
    "fit_embed",
    "help_answer",
    "no_pings",
    "parse_question",
    "question_from_options",
    "to_embed",
    "to_png",
    "to_text",
]
