"""Unsubscribe: an admin takes this channel off the weekly alert."""

from __future__ import annotations

from bot.answering.answer import Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.answering.view import View


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    from workers.alerts import SubscriptionStore

    if not view.context.is_admin:
        return Answer(
            "unsubscribe", "Not allowed", ["Only admins can manage alert subscriptions."], ok=False
        )
    if not view.context.channel_id:
        return Answer(
            "unsubscribe", "No channel", ["Unsubscribe from the channel concerned."], ok=False
        )
    gone = SubscriptionStore(view.client, view.keys).remove(view.context.channel_id)
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
