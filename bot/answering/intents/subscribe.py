"""Subscribe: an admin puts this channel on the weekly alert for a scope."""

from __future__ import annotations

import json

from bot.answering.answer import Answer
from bot.answering.asked import Asked as Query
from bot.answering.result import Result
from bot.language.question import QueryError
from bot.answering.view import View


def answer(view: View, query: Query, result: Result | None = None) -> Answer:
    from workers.alerts import AlertError, Subscription, SubscriptionStore

    if not view.context.is_admin:
        return Answer(
            "subscribe", "Not allowed", ["Only admins can manage alert subscriptions."], ok=False
        )
    if not view.context.channel_id:
        return Answer(
            "subscribe",
            "No channel",
            ["Subscribe from the channel that should get the weekly alert."],
            ok=False,
        )
    place = query.place
    try:
        if place.kind == "city":
            sub = Subscription(
                view.context.channel_id, "city", categories=list(query.categories) or None
            )
        elif place.kind == "sector":
            sub = Subscription(
                view.context.channel_id,
                "sector",
                sector=place.region or place.label,
                categories=list(query.categories) or None,
            )
        else:
            comms = [c for p in query.places for c in p.communities]
            sub = Subscription(
                view.context.channel_id,
                "communities",
                communities=comms,
                categories=list(query.categories) or None,
            )
    except AlertError as err:
        raise QueryError(str(err), kind="bad_option") from err
    new = SubscriptionStore(view.client, view.keys).add(sub)
    what = place.label if place.kind != "community" else ", ".join(sub.communities)
    a = Answer(
        "subscribe",
        "Weekly alert " + ("subscribed" if new else "updated"),
        [
            f"This channel gets the weekly alert for **{what}**, "
            f"{query.category_label if query.categories else 'all categories'}, every "
            "Monday morning."
        ],
    )
    a.data.update({"subscription": json.loads(sub.to_json())})
    return a
