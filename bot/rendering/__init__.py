"""Rendering: an :class:`~bot.answering.answer.Answer` -> text, a Discord embed, a chart PNG.

Formats only; what to say is decided by the evaluators (:mod:`bot.answering`).
"""
