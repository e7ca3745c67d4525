"""The weekly alert: who subscribed, the week's facts, what each channel is told, the outbox.

- :mod:`.subscriptions`: :class:`Subscription` (one scope per channel) and its Redis store.
- :mod:`.facts`: :class:`WeekFacts`, computed once for the whole city as of a day (what the source's
  dates support, the forecasts made before, the running-hot test); :func:`running_hot`.
  :mod:`.as_of` finds the forecasts in effect on the day, :mod:`.plan` what the source's
  resolution lets the alert say (week and month to date, or the newest complete month).
- :mod:`.hot`: :func:`flag_month`, the running-hot test the bot's "which communities are running
  hot?" shares.
- :mod:`.scope`: one channel's :class:`Alert` from the facts.
- :mod:`.outbox`: the idempotent outbox and the weekly run.

Computation only: the bot renders an :class:`Alert` (``bot/render.py``) and posts it
(``bot/poster.py``).
"""

from core.caveats import CAVEAT

from .alert import Alert, iso_week
from .facts import WeekFacts, running_hot
from .hot import HotTest, flag_month
from .plan import STALE_DAYS
from .outbox import build_alert, enqueue_alert, enqueue_post, run_weekly_alerts
from .scope import MAX_ITEMS, community_sectors
from .subscriptions import SCOPES, AlertError, Subscription, SubscriptionStore

__all__ = [
    "CAVEAT",
    "MAX_ITEMS",
    "SCOPES",
    "STALE_DAYS",
    "Alert",
    "AlertError",
    "HotTest",
    "Subscription",
    "SubscriptionStore",
    "WeekFacts",
    "build_alert",
    "community_sectors",
    "enqueue_alert",
    "enqueue_post",
    "flag_month",
    "iso_week",
    "run_weekly_alerts",
    "running_hot",
]
