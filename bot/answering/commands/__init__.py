"""The bot's own commands, beside the questions about the data: help, status, subscribe,
unsubscribe, and the saved accountability report ("how accurate are you", "where do your alerts
point"). Each is ``answer(engine, question, context) -> Answer`` and uses only the engine's public
face (its client and keys for the stores it writes or reads, its names, its state, today).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Context:
    """Who is asking, from where (for subscribe/unsubscribe and the audit log)."""

    user_id: str = ""
    channel_id: str | None = None
    is_admin: bool = False
    transport: str = "console"


def commands() -> dict:
    """intent -> command (imported on first use: the commands import the engine's parts)."""
    from . import accountability, help, status, subscribe, unsubscribe

    return {
        "accuracy": accountability.answer,
        "status": status.answer,
        "help": help.answer,
        "subscribe": subscribe.answer,
        "unsubscribe": unsubscribe.answer,
    }
