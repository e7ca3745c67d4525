"""Subscribe: an admin puts this channel on the weekly alert for a scope."""

from __future__ import annotations

import json

from bot.answering.answer import Answer
from bot.answering.asked import place_of
from bot.language.question import CITY, QueryError, Question

from . import Context


def answer(engine, question: Question, context: Context) -> Answer:
    from workers.alerts import AlertError, Subscription, SubscriptionStore

    places = [place_of(w) for w in question.where]
    categories = question.crime.categories

    if not context.is_admin:
        return Answer(
            "subscribe", "Not allowed", ["Only admins can manage alert subscriptions."], ok=False
        )
    if not context.channel_id:
        return Answer(
            "subscribe",
            "No channel",
            ["Subscribe from the channel that should get the weekly alert."],
            ok=False,
        )
    place = places[0] if places else place_of(CITY)
    try:
        if place.kind == "city":
            sub = Subscription(context.channel_id, "city", categories=list(categories) or None)
        elif place.kind == "sector":
            sub = Subscription(
                context.channel_id,
                "sector",
                sector=place.region or place.label,
                categories=list(categories) or None,
            )
        else:
            comms = [c for p in places for c in p.communities]
            sub = Subscription(
                context.channel_id,
                "communities",
                communities=comms,
                categories=list(categories) or None,
            )
    except AlertError as err:
        raise QueryError(str(err), kind="bad_option") from err
    new = SubscriptionStore(engine.client, engine.keys).add(sub)
    what = place.label if place.kind != "community" else ", ".join(sub.communities)
    a = Answer(
        "subscribe",
        "Weekly alert " + ("subscribed" if new else "updated"),
        [
            f"This channel gets the weekly alert for **{what}**, "
            f"{question.crime.label if categories else 'all categories'}, every "
            "Monday morning."
        ],
    )
    a.data.update({"subscription": json.loads(sub.to_json())})
    return a
