"""Transports carry questions in and answers out: Discord (messages and slash commands), the
console (``crimecast ask`` / ``chat``), webhooks and the alert poster. All share one pipeline
(:meth:`bot.answering.engine.Engine.ask`) and one error handler.
"""
