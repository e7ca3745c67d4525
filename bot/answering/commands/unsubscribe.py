"""Unsubscribe: an admin takes this channel off the weekly alert."""

from __future__ import annotations

from bot.answering.answer import Answer
from bot.language.question import Question

from . import Context


def answer(engine, question: Question, context: Context) -> Answer:
    from workers.alerts import SubscriptionStore

    if not context.is_admin:
        return Answer(
            "unsubscribe", "Not allowed", ["Only admins can manage alert subscriptions."], ok=False
        )
    if not context.channel_id:
        return Answer(
            "unsubscribe", "No channel", ["Unsubscribe from the channel concerned."], ok=False
        )
    gone = SubscriptionStore(engine.client, engine.keys).remove(context.channel_id)
    return Answer(
        "unsubscribe",
        "Weekly alert " + ("stopped" if gone else "was not on"),
        [
            "This channel will no longer get the weekly alert."
            if gone
            else "This channel had no weekly alert subscription."
        ],
        data={"removed": gone},
    )
