"""One channel's view of the week's facts: its scope (city, sector, communities; categories) applied.

Nothing here recomputes a statistic: the running-hot flags are the city-wide family's, filtered to
the scope; totals and their 80% ranges come from :func:`core.negbin.total_interval` (the shortest
interval, as in the bot's answers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis

from core.months import days_in_month, month_name, month_of
from core.negbin import total_interval
from core.profile import active_profile
from core.text import area_name, as_text
from online_model.surveillance import METHODS
from stream.keys import Keys

from .alert import Alert
from .facts import WeekFacts
from .subscriptions import Subscription

__all__ = ["MAX_ITEMS", "Scope", "channel_alert", "community_sectors", "resolve_scope"]

MAX_ITEMS = 5
Series = tuple[str, str]


def community_sectors(client: redis.Redis, keys: Keys) -> dict[str, str]:
    """``community -> sector`` from the reference data the bot loads (empty when not loaded)."""
    try:
        raw = client.hgetall(keys.communities)
    except redis.ResponseError:  # a key of another type: treat as absent
        return {}
    out = {}
    for name, value in raw.items():
        try:
            sector = json.loads(value).get("sector")
        except (ValueError, AttributeError):
            continue
        if sector:
            out[area_name(as_text(name))] = area_name(sector)
    return out


@dataclass
class Scope:
    """The series one channel hears about."""

    label: str
    communities: set[str] | None  # None = every community
    categories: set[str] | None  # None = every category
    notes: list[str]

    def contains(self, series: Series) -> bool:
        community, category = series
        return (self.communities is None or community in self.communities) and (
            self.categories is None or category in self.categories
        )


def resolve_scope(client: redis.Redis, keys: Keys, sub: Subscription) -> Scope:
    """The subscription's communities (a sector's from the reference data) and categories."""
    notes: list[str] = []
    cats = set(sub.categories) if sub.categories else None
    if sub.scope == "city":
        return Scope("City-wide", None, cats, notes)
    if sub.scope == "sector":
        sectors = community_sectors(client, keys)
        profile = active_profile()
        label = profile.region_label(sub.sector)
        if not sectors:
            notes.append(
                f"Membership of {label} is unknown (no reference data of "
                f"{profile.area.plural} loaded), so nothing can be shown for it; an admin "
                f"can run `crimecast reference load`."
            )
            return Scope(label, set(), cats, notes)
        members = {c for c, s in sectors.items() if s == sub.sector}
        if not members:
            notes.append(f"The reference data list no {profile.area.singular} in {label}.")
        return Scope(label, members, cats, notes)
    names = sub.communities
    label = (
        ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} and {len(names) - 3} more"
    )
    return Scope(label, set(names), cats, notes)


def _last_month(facts: WeekFacts, scope: Scope) -> dict | None:
    """The scope's total for the newest complete month against the forecast made before it."""
    if facts.last_month is None:
        return None
    month = facts.last_month
    observed = sum(v for s, v in facts.last_month_counts.items() if scope.contains(s))
    parts = [
        (f.mean[f.months.index(month)], f.dispersion[f.months.index(month)])
        for s, f in facts.last_month_forecasts.items()
        if scope.contains(s)
    ]
    out: dict[str, Any] = {
        "month": month,
        "observed": int(observed),
        "expected": None,
        "lo80": None,
        "hi80": None,
        "inside": None,
        "forecast_data_through": None,
    }
    if parts:
        mean, lo, hi = total_interval([m for m, _ in parts], [d for _, d in parts])
        through = next(iter(facts.last_month_forecasts.values())).data_through
        out.update(
            expected=round(mean, 1),
            lo80=lo,
            hi80=hi,
            inside=lo <= observed <= hi,
            forecast_data_through=through,
        )
    return out


def _week(facts: WeekFacts, scope: Scope, in_scope: dict) -> dict:
    """The week just ended, in scope: observed against the forecasts pro-rated by days."""
    observed = sum(v for s, v in facts.week_counts.items() if scope.contains(s))
    expected, covered, day = 0.0, True, facts.week_start
    while day <= facts.week_end:
        m = month_of(day)
        per_day = [f.mean[f.months.index(m)] for f in in_scope.values() if m in f.months]
        covered = covered and bool(per_day)
        expected += sum(per_day) / days_in_month(m)
        day += timedelta(days=1)
    return {
        "start": facts.week_start.isoformat(),
        "end": facts.week_end.isoformat(),
        "observed": int(observed),
        "expected": round(expected, 1) if covered else None,
    }


def _top(facts: WeekFacts, in_scope: dict, max_items: int) -> list[dict]:
    """Communities with the highest forecast total for the target month, with the 80% range."""
    target = facts.target
    by_comm: dict[str, list[tuple[float, float]]] = {}
    for (community, _), f in in_scope.items():
        if target in f.months:
            i = f.months.index(target)
            by_comm.setdefault(community, []).append((f.mean[i], f.dispersion[i]))
    ranked = sorted(by_comm.items(), key=lambda kv: (-sum(m for m, _ in kv[1]), kv[0]))
    top = []
    for community, parts in ranked[:max_items]:
        mu, lo, hi = total_interval([m for m, _ in parts], [d for _, d in parts])
        top.append(
            {"community": community, "month": target, "mean": round(mu, 1), "lo80": lo, "hi80": hi}
        )
    return top


def _changes(facts: WeekFacts, in_scope: dict, max_items: int) -> list[dict]:
    """Biggest changes against the previous forecast set for the target month."""
    target, previous = facts.target, facts.forecasts.previous
    diffs = []
    for s, f in in_scope.items():
        p = previous.get(s)
        if p is None or target not in f.months or target not in p.months:
            continue
        diffs.append((s, f.mean[f.months.index(target)], p.mean[p.months.index(target)]))
    diffs.sort(key=lambda d: (-abs(d[1] - d[2]), d[0]))
    out = []
    for (community, category), now_mean, prev_mean in diffs[:max_items]:
        if abs(now_mean - prev_mean) < 0.05:
            break
        out.append(
            {
                "community": community,
                "category": category,
                "month": target,
                "mean": round(now_mean, 2),
                "previous_mean": round(prev_mean, 2),
                "change": round(now_mean - prev_mean, 2),
            }
        )
    return out


def channel_alert(
    facts: WeekFacts, sub: Subscription, scope: Scope, *, max_items: int = MAX_ITEMS
) -> Alert:
    """The alert ``sub``'s channel receives: ``facts`` seen through ``scope``."""
    notes = list(scope.notes) + list(facts.notes)
    current = facts.forecasts.current
    in_scope = {s: f for s, f in current.items() if scope.contains(s)}
    if current and not in_scope and scope.communities != set():
        notes.append(
            f"No forecast series matches this subscription ({scope.label}"
            f"{'; ' + ', '.join(sorted(scope.categories)) if scope.categories else ''}): "
            f"check the {active_profile().area.singular} and category names."
        )
    hot_test = facts.hot
    hot: list[dict] = []
    fdr: dict[str, Any] = {
        "method": METHODS.get(facts.method, facts.method),
        "level": facts.level,
        "tested": 0,
        "flagged": 0,
        "in_scope": 0,
        "month": None,
        "whole_month": None,
    }
    if hot_test is not None:
        flags = hot_test.flags(scope.contains)
        hot = flags[:max_items]
        for h in hot:
            if not facts.monthly:
                h["week_observed"] = int(facts.week_counts.get((h["community"], h["category"]), 0))
        fdr.update(
            method=hot_test.method,
            level=hot_test.level,
            tested=hot_test.tested,
            flagged=hot_test.n_flagged,
            in_scope=len(flags),
            month=hot_test.month,
            whole_month=hot_test.whole_month,
        )
        untested = {s: v for s, v in hot_test.untested.items() if scope.contains(s)}
        if untested:
            when = (
                "this month"
                if hot_test.month == month_of(facts.week_end)
                else f"in {month_name(hot_test.month)}"
            )
            notes.append(
                f"{sum(untested.values())} incident(s) {when} in {len(untested)} "
                f"series without a forecast yet (e.g. a new {active_profile().area.singular}) "
                "are not tested."
            )
    if facts.target is not None and current and not facts.forecasts.previous:
        notes.append("No earlier forecast to compare with yet.")
    mtd = None
    if not facts.monthly and hot_test is not None:
        mtd = {
            "month": hot_test.month,
            "days": hot_test.days,
            "days_in_month": hot_test.days_in_month,
        }
    elif not facts.monthly:
        month = month_of(facts.week_end)
        mtd = {"month": month, "days": facts.week_end.day, "days_in_month": days_in_month(month)}
    return Alert(
        channel_id=sub.channel_id,
        iso_week=facts.iso_week,
        as_of=facts.as_of.isoformat(),
        week=None if facts.monthly else _week(facts, scope, in_scope),
        month_to_date=mtd,
        data_through=facts.forecasts.data_through,
        stale=facts.stale,
        synthetic=facts.synthetic,
        scope_label=scope.label,
        hot=hot,
        fdr=fdr,
        top_next_month=_top(facts, in_scope, max_items) if facts.target else [],
        changes=_changes(facts, in_scope, max_items) if facts.target else [],
        health=facts.health,
        notes=notes,
        webhook=sub.webhook,
        resolution=facts.resolution,
        last_month=_last_month(facts, scope),
    )
