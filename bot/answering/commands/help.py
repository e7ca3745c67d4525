"""Help: what can be asked, or why a question could not be answered (with suggestions)."""

from __future__ import annotations

from bot.answering.answer import CAVEAT, Answer
from bot.language.names import Names
from bot.language.question import QueryError, Question


def answer(engine, question: Question, context=None) -> Answer:
    """The help reply."""
    return help_answer(None, engine.names)


def help_answer(err: QueryError | None, names: Names | None = None) -> Answer:
    """The help reply in the city's words: the problem (if any), suggestions, what can be asked."""
    names = names or Names([])
    if err is None:
        lines = names.help_lines()  # the city's examples, places and categories
        lines += [
            f"How well I did and where I point: `how accurate are you in <{names.area_word}>?`, "
            "`where do your alerts point?` (from the accountability report).",
            "Admins: `subscribe` / `unsubscribe` this channel to the weekly alert.",
            "In Discord: mention me or DM me in plain words, or use /forecast, /top, /trend, "
            "/compare, /explain, /status, /ask.",
        ]
        return Answer("help", "What I can answer", lines, caveat=CAVEAT)
    if err.kind == "clarify":  # a question back: never an answer to a broader question
        return Answer(
            "clarify",
            "Did you mean…?",
            err.reply().split("\n"),
            ok=False,
            suggestions=err.suggestions,
            data={"error": "clarify", "clarify": err.to_dict() if hasattr(err, "to_dict") else {}},
        )
    if err.kind == "no_forecasts":
        return Answer("forecast", "No forecasts yet", [str(err)], ok=False)
    if not err.examples:
        err.examples = names.examples()
    return Answer(
        "help",
        "I couldn't answer that",
        err.reply().split("\n"),
        ok=False,
        suggestions=err.suggestions,
        data={"error": err.kind},
    )
