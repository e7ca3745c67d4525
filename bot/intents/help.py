"""Help: what can be asked, or why a question could not be answered (with suggestions)."""

from __future__ import annotations

from ..answer import CAVEAT, Answer
from ..query import EXAMPLES, Query, QueryError


def answer(view, query: Query) -> Answer:
    """The help reply."""
    return help_answer(None)


def help_answer(err: QueryError | None) -> Answer:
    """The help reply: the problem (if any), suggestions, and what can be asked."""
    if err is None:
        lines = ["Ask about reported crime by community, sector or the whole city. For example:"]
        lines += [f"• `{e}`" for e in EXAMPLES]
        lines += ["Places: any community (typos are fine), a sector (\"northeast\"), \"downtown\", or "
                  "the whole city. Categories: car theft, break-ins, violent crime, robbery, ... "
                  "Add `per 1000` for rates per 1,000 residents.",
                  "Admins: `subscribe` / `unsubscribe` this channel to the weekly alert.",
                  "In Discord: mention me or DM me in plain words, or use /forecast, /top, /trend, "
                  "/compare, /explain, /status, /ask."]
        return Answer("help", "What I can answer", lines, caveat=CAVEAT)
    if err.kind == "no_forecasts":
        return Answer("forecast", "No forecasts yet", [str(err)], ok=False)
    return Answer("help", "I couldn't answer that", err.reply().split("\n"), ok=False,
                  suggestions=err.suggestions, data={"error": err.kind})

