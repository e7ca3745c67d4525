"""The weekly alert: who subscribed, what each channel is told, and the outbox the bot posts from.

Computation only: the bot renders an :class:`Alert` (``bot/render.py``) and posts it
(``bot/poster.py``). An alert is built from what Redis already holds (day counts, the served
forecasts, the previous forecasts, model health in the forecast meta) and is a plain
JSON-serialisable dataclass with the shape in docs/ARCHITECTURE.md.

"Running hot" is a statistical statement, not a hunch: each series' month-to-date count is tested
against its forecast pro-rated by days under the forecast's negative-binomial distribution, and the
false-discovery rate is controlled across every forecast series of the city (Benjamini-Hochberg by
default), so that the same series is flagged the same way in every channel.

Outbox entries (``keys.alert_outbox``, a stream) have the fields ``channel_id``, ``iso_week``,
``webhook`` (``"1"``/``"0"``) and ``alert`` (the JSON of :meth:`Alert.to_dict`).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

import numpy as np
import redis

from core.caveats import CAVEAT
from core.months import days_in_month, month_of
from core.negbin import total_interval
from online_model.surveillance import flag_hot
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.keys import Keys

log = logging.getLogger(__name__)

__all__ = [
    "CAVEAT",
    "Alert",
    "AlertError",
    "Subscription",
    "SubscriptionStore",
    "build_alert",
    "enqueue_alert",
    "iso_week",
    "run_weekly_alerts",
]

SCOPES = ("city", "sector", "communities")
SECTORS = ("CENTRE", "NORTH", "NORTHEAST", "NORTHWEST", "EAST", "SOUTH", "SOUTHEAST", "WEST")
MAX_ITEMS = 5
STALE_DAYS = 14  # data older than two weeks at alert time is called stale
_SPACES = re.compile(r"\s+")


class AlertError(ValueError):
    """A subscription or alert request that cannot be honoured; the message is shown as is."""


def _norm_community(name: str) -> str:
    return _SPACES.sub(" ", str(name)).strip().upper()


def iso_week(day: date) -> str:
    """ISO week label of ``day``.

    >>> iso_week(date(2026, 11, 29))
    '2026-W48'
    """
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


# --- subscriptions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Subscription:
    """What one channel (or webhook) wants each week: a scope and, optionally, some categories.

    >>> Subscription("42", "communities", communities=["beltline ", "Forest  Lawn"]).communities
    ['BELTLINE', 'FOREST LAWN']
    >>> Subscription("42", "sector")
    Traceback (most recent call last):
    ...
    workers.alerts.AlertError: a sector subscription needs a sector (one of CENTRE, NORTH, NORTHEAST, NORTHWEST, EAST, SOUTH, SOUTHEAST, WEST)
    """

    channel_id: str
    scope: str = "city"
    sector: str | None = None
    communities: list[str] = field(default_factory=list)
    categories: list[str] | None = None
    webhook: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "channel_id", str(self.channel_id).strip())
        if not self.channel_id:
            raise AlertError("a subscription needs a channel id")
        if self.scope not in SCOPES:
            raise AlertError(f"scope must be one of {', '.join(SCOPES)}, not {self.scope!r}")
        if self.scope == "sector":
            sector = _norm_community(self.sector or "")
            if sector.endswith(" SECTOR"):
                sector = sector[: -len(" SECTOR")]
            if sector not in SECTORS:
                raise AlertError(f"a sector subscription needs a sector (one of {', '.join(SECTORS)})")
            set_(self, "sector", sector)
        else:
            set_(self, "sector", None)
        comms = [_norm_community(c) for c in (self.communities or []) if str(c).strip()]
        if self.scope == "communities" and not comms:
            raise AlertError("a communities subscription needs at least one community")
        set_(self, "communities", list(dict.fromkeys(comms)) if self.scope == "communities" else [])
        if self.categories is not None:
            cats = [str(c) for c in self.categories if str(c).strip()]
            set_(self, "categories", cats or None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> "Subscription":
        data = json.loads(text)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class SubscriptionStore:
    """Subscriptions as JSON in the ``keys.subscriptions`` hash, one per channel."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.keys = keys

    def add(self, sub: Subscription) -> bool:
        """Store (or replace) the channel's subscription; True when it is new."""
        return bool(self.client.hset(self.keys.subscriptions, sub.channel_id, sub.to_json()))

    def remove(self, channel_id: str) -> bool:
        return bool(self.client.hdel(self.keys.subscriptions, str(channel_id)))

    def get(self, channel_id: str) -> Subscription | None:
        raw = self.client.hget(self.keys.subscriptions, str(channel_id))
        return None if raw is None else Subscription.from_json(raw)

    def all(self) -> list[Subscription]:
        """Every subscription, ordered by channel id; an unreadable entry is logged and skipped."""
        out = []
        for channel, raw in sorted(self.client.hgetall(self.keys.subscriptions).items()):
            try:
                out.append(Subscription.from_json(raw))
            except (ValueError, TypeError) as exc:
                log.warning("skipping unreadable subscription for channel %s: %s", channel, exc)
        return out


# --- the alert -----------------------------------------------------------------------------------
@dataclass
class Alert:
    """One channel's weekly alert (shape documented in docs/ARCHITECTURE.md)."""

    channel_id: str
    iso_week: str
    as_of: str
    week: dict
    month_to_date: dict
    data_through: str | None
    stale: bool
    synthetic: bool
    scope_label: str
    hot: list[dict]
    fdr: dict
    top_next_month: list[dict]
    changes: list[dict]
    health: dict
    caveat: str = CAVEAT
    notes: list[str] = field(default_factory=list)  # addition: why a section is empty, in words
    webhook: bool = False  # addition: post through the webhook instead of the channel

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Alert":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    @classmethod
    def from_json(cls, text: str | bytes) -> "Alert":
        return cls.from_dict(json.loads(text))


def _split_source(source: Any, keys: Keys | None) -> tuple[redis.Redis, Keys]:
    if hasattr(source, "client") and hasattr(source, "keys") and keys is None:
        return source.client, source.keys  # a workers.runtime.Runtime
    if keys is None:
        raise TypeError("build_alert(client, ...) needs keys=Keys(...)")
    return source, keys


def _decode(v: Any) -> str:
    return v.decode() if isinstance(v, bytes) else str(v)


def community_sectors(client: redis.Redis, keys: Keys) -> dict[str, str]:
    """``community -> sector`` from the reference data the bot loads (empty when not loaded)."""
    key = getattr(keys, "communities", None)
    if key is None:
        return {}
    try:
        raw = client.hgetall(key)
    except redis.ResponseError:  # a key of another type: treat as absent
        return {}
    out = {}
    for name, value in raw.items():
        try:
            sector = json.loads(value).get("sector")
        except (ValueError, AttributeError):
            continue
        if sector:
            out[_norm_community(_decode(name))] = _norm_community(sector)
    return out


@dataclass
class _Scope:
    label: str
    communities: set[str] | None  # None = every community
    categories: set[str] | None  # None = every category
    notes: list[str]

    def contains(self, series: tuple[str, str]) -> bool:
        community, category = series
        return ((self.communities is None or community in self.communities)
                and (self.categories is None or category in self.categories))


def _resolve_scope(client: redis.Redis, keys: Keys, sub: Subscription) -> _Scope:
    notes: list[str] = []
    cats = set(sub.categories) if sub.categories else None
    if sub.scope == "city":
        return _Scope("City-wide", None, cats, notes)
    if sub.scope == "sector":
        sectors = community_sectors(client, keys)
        label = f"{sub.sector} sector"
        if not sectors:
            notes.append(f"Sector membership is unknown (no community reference data loaded), so "
                         f"nothing can be shown for the {label}; an admin can run "
                         f"`crimecast reference load`.")
            return _Scope(label, set(), cats, notes)
        members = {c for c, s in sectors.items() if s == sub.sector}
        if not members:
            notes.append(f"The community reference data lists no community in the {label}.")
        return _Scope(label, members, cats, notes)
    names = sub.communities
    label = ", ".join(names) if len(names) <= 3 else f"{', '.join(names[:3])} and {len(names) - 3} more"
    return _Scope(label, set(names), cats, notes)


def _month_add(month: str, n: int) -> str:
    y, m = (int(p) for p in month.split("-"))
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _parse_json(value: str | None) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def _health(meta: Mapping[str, str], watermark: date | None, as_of: date) -> dict:
    """Model health from the forecast meta: recent MAE of the served model vs the baselines.

    Read from a JSON ``health`` entry (``{"mae": {"model", "snaive", "ses"}, "months": n}``), a
    JSON ``mae`` entry, or flat ``mae_model``/``mae_snaive``/``mae_ses`` fields; missing figures
    are ``None`` (shown as unknown, never invented).

    >>> _health({"model": "ens@2", "mae_model": "1.2", "mae_ses": "1.3"}, None, date(2024, 1, 1))["mae"]
    {'model': 1.2, 'snaive': None, 'ses': 1.3}
    """
    mae: dict[str, float | None] = {"model": None, "snaive": None, "ses": None}
    months: Any = None
    health = _parse_json(meta.get("health"))
    sources: list[Mapping] = []
    if isinstance(health, dict):
        months = health.get("months")
        if isinstance(health.get("mae"), dict):
            sources.append(health["mae"])
        sources.append(health)
    flat_mae = _parse_json(meta.get("mae"))
    if isinstance(flat_mae, dict):
        sources.append(flat_mae)
    sources.append({name: meta.get(f"mae_{name}") for name in mae})
    for name in mae:
        aliases = (name, f"mae_{name}") + (("served", meta.get("model", "")) if name == "model" else ())
        for src in sources:
            found = next((_number(src[a]) for a in aliases if a in src and _number(src[a]) is not None),
                         None)
            if found is not None:
                mae[name] = found
                break
    months = _number(months if months is not None else meta.get("health_months"))
    age = (as_of - watermark).days if watermark is not None else None
    return {"model": meta.get("model", "none"), "mae": mae,
            "months": int(months) if months is not None else 0, "data_age_days": age}


def _window_counts(client: redis.Redis, keys: Keys, start: date, end: date) -> dict[tuple[str, str], int]:
    """Counts summed over days ``start..end`` inclusive (the store's day hashes)."""
    from stream.store import CountStore  # the stream layer's read API

    if end < start:
        return {}
    return CountStore(client, keys).day_counts(start, end)


def _watermark(client: redis.Redis, keys: Keys) -> date | None:
    raw = client.get(keys.watermark)
    if not raw:
        return None
    try:
        return date.fromisoformat(_decode(raw)[:10])
    except ValueError:
        return None


def _is_synthetic(client: redis.Redis, keys: Keys) -> bool:
    key = getattr(keys, "meta", None)
    if key is None:
        return False
    try:
        flag = client.hget(key, "synthetic")
    except redis.ResponseError:
        return False
    return flag is not None and _decode(flag) not in ("", "0", "false")


def build_alert(source: Any, subscription: Subscription, as_of: date | str | None = None, *,
                keys: Keys | None = None, level: float = 0.1, method: str = "bh",
                max_items: int = MAX_ITEMS) -> Alert:
    """Compute one channel's weekly alert as of ``as_of`` (default: today, UTC).

    ``source`` is a :class:`workers.runtime.Runtime` or a decoding Redis client (then pass
    ``keys``). The week reported is the seven days before ``as_of``; the month to date runs from
    the first of that week's last day's month to that day. ``level`` is the false-discovery rate;
    ``method`` ``"bh"`` (Benjamini-Hochberg) or ``"heyse"`` (discrete-aware).
    """
    client, keys = _split_source(source, keys)
    if as_of is None:
        as_of = datetime.now(timezone.utc).date()
    elif isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of)
        except ValueError as exc:
            raise AlertError(f"as-of must be a date YYYY-MM-DD, not {as_of!r}") from exc
    week_end = as_of - timedelta(days=1)
    week_start = as_of - timedelta(days=7)
    scope = _resolve_scope(client, keys, subscription)
    notes = list(scope.notes)

    cache = ForecastCache(client, keys)
    forecasts = cache.read_all()
    month, window_start, window_end = _test_window(week_end, forecasts)
    dim = days_in_month(month)
    days = window_end.day
    if month != month_of(week_end):
        notes.append(f"Only {week_end.day} day(s) of {month_of(week_end)} have passed, so the "
                     f"running-hot test covers all of {month}.")
    meta = cache.meta()
    watermark = _watermark(client, keys)
    data_through = meta.get("data_through") or None
    health = _health(meta, watermark, as_of)
    age = health["data_age_days"]
    stale = watermark is None or (age is not None and age > STALE_DAYS)
    if not forecasts:
        notes.append("No forecasts yet: run `crimecast train` (or `crimecast demo`).")
    if watermark is None:
        notes.append("No incident data has been counted yet.")
    elif stale:
        notes.append(f"Data run only to {watermark.isoformat()} ({age} days before this alert): "
                     f"recent weeks are incomplete.")

    # --- series running hot: month to date against the forecast pro-rated by days ---------------
    family = [(s, f) for s, f in sorted(forecasts.items()) if month in f.months]
    hot: list[dict] = []
    fdr = {"method": "Benjamini-Hochberg" if method == "bh" else method, "level": level,
           "tested": 0, "flagged": 0, "in_scope": 0}
    if forecasts and not family:
        first = min(f.months[0] for f in forecasts.values() if f.months)
        notes.append(f"No forecast covers {month} (the served forecasts start at {first}), so no "
                     f"series can be called hot this week.")
    week_counts = _window_counts(client, keys, week_start, week_end)
    if family:
        mtd = _window_counts(client, keys, window_start, window_end)
        h = [f.months.index(month) for _, f in family]
        mean = np.array([f.mean[i] for (_, f), i in zip(family, h)], dtype=float)
        alpha = np.array([f.dispersion[i] for (_, f), i in zip(family, h)], dtype=float)
        observed = np.array([mtd.get(s, 0) for s, _ in family], dtype=float)
        res = flag_hot(observed, mean, alpha, days, dim, level=level, method=method)
        in_scope = [i for i in np.flatnonzero(res.flagged) if scope.contains(family[i][0])]
        in_scope.sort(key=lambda i: (-(observed[i] - res.expected[i]), family[i][0]))
        fdr.update(method=res.method, tested=res.tested, flagged=res.n_flagged, in_scope=len(in_scope))
        untested = {s: v for s, v in mtd.items() if s not in forecasts and scope.contains(s)}
        if untested:
            notes.append(f"{sum(untested.values())} incident(s) this month in {len(untested)} "
                         f"series without a forecast yet (e.g. a new community) are not tested.")
        for i in in_scope[:max_items]:
            (community, category), _ = family[i]
            hot.append({"community": community, "category": category,
                        "observed": int(observed[i]), "expected": round(float(res.expected[i]), 2),
                        "p_value": float(f"{res.p_value[i]:.3g}"),
                        "q_value": float(f"{res.q_value[i]:.3g}"),
                        "week_observed": int(week_counts.get((community, category), 0))})

    # --- the week just ended, in scope: observed against the forecasts pro-rated by days --------
    in_scope_fc = {s: f for s, f in forecasts.items() if scope.contains(s)}
    if forecasts and not in_scope_fc and scope.communities != set():
        notes.append(f"No forecast series matches this subscription ({scope.label}"
                     f"{'; ' + ', '.join(sorted(scope.categories)) if scope.categories else ''}): "
                     f"check the community and category names.")
    week_observed = sum(v for s, v in week_counts.items() if scope.contains(s))
    week_expected = 0.0
    covered = True
    day = week_start
    while day <= week_end:
        m = month_of(day)
        share = 1.0 / days_in_month(m)
        day_total = [f.mean[f.months.index(m)] for f in in_scope_fc.values() if m in f.months]
        covered = covered and bool(day_total)
        week_expected += share * sum(day_total)
        day += timedelta(days=1)
    # --- top communities forecast for next month (the calendar month after this week's) ---------
    target = _target_month(in_scope_fc.values(), month_of(week_end))
    top: list[dict] = []
    if target is not None:
        by_comm: dict[str, list[tuple[float, float]]] = {}
        for (community, _), f in in_scope_fc.items():
            if target in f.months:
                i = f.months.index(target)
                by_comm.setdefault(community, []).append((f.mean[i], f.dispersion[i]))
        ranked = sorted(by_comm.items(), key=lambda kv: (-sum(m for m, _ in kv[1]), kv[0]))
        for community, parts in ranked[:max_items]:
            mu, lo, hi = total_interval([m for m, _ in parts], [d for _, d in parts])
            top.append({"community": community, "month": target, "mean": round(mu, 1),
                        "lo80": lo, "hi80": hi})

    # --- biggest changes against the previous forecast for the same month ------------------------
    changes: list[dict] = []
    if target is not None:
        previous = cache.previous_all()
        if not previous:
            notes.append("No earlier forecast to compare with yet.")
        diffs = []
        for s, f in in_scope_fc.items():
            p = previous.get(s)
            if p is None or target not in f.months or target not in p.months:
                continue
            now_mean, prev_mean = f.mean[f.months.index(target)], p.mean[p.months.index(target)]
            diffs.append((s, now_mean, prev_mean))
        diffs.sort(key=lambda d: (-abs(d[1] - d[2]), d[0]))
        for (community, category), now_mean, prev_mean in diffs[:max_items]:
            if abs(now_mean - prev_mean) < 0.05:
                break
            changes.append({"community": community, "category": category, "month": target,
                            "mean": round(now_mean, 2), "previous_mean": round(prev_mean, 2),
                            "change": round(now_mean - prev_mean, 2)})

    return Alert(
        channel_id=subscription.channel_id, iso_week=iso_week(week_end), as_of=as_of.isoformat(),
        week={"start": week_start.isoformat(), "end": week_end.isoformat(),
              "observed": int(week_observed),
              "expected": round(week_expected, 1) if covered else None},
        month_to_date={"month": month, "days": days, "days_in_month": dim},
        data_through=data_through, stale=bool(stale), synthetic=_is_synthetic(client, keys),
        scope_label=scope.label, hot=hot, fdr=fdr, top_next_month=top, changes=changes,
        health=health, notes=notes, webhook=subscription.webhook,
    )


def _test_window(week_end: date, forecasts: Mapping[Any, CachedForecast]) -> tuple[str, date, date]:
    """``(month, first day, last day)`` the running-hot test covers: the month to date, or, when
    fewer than seven days of the month have passed, the whole month just ended if it is forecast.

    >>> _test_window(date(2023, 6, 18), {})
    ('2023-06', datetime.date(2023, 6, 1), datetime.date(2023, 6, 18))
    """
    if week_end.day < 7:
        prev_end = week_end.replace(day=1) - timedelta(days=1)
        prev = month_of(prev_end)
        if any(prev in f.months for f in forecasts.values()):
            return prev, prev_end.replace(day=1), prev_end
    return month_of(week_end), week_end.replace(day=1), week_end


def _target_month(forecasts: Iterable[CachedForecast], current: str) -> str | None:
    """The calendar month after ``current`` when forecast, else the first forecast month after it,
    else the earliest forecast month."""
    months = sorted({m for f in forecasts for m in f.months})
    if not months:
        return None
    nxt = _month_add(current, 1)
    if nxt in months:
        return nxt
    later = [m for m in months if m > current]
    return later[0] if later else months[0]


# --- outbox --------------------------------------------------------------------------------------
_ENQUEUE = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[5], 'EX', tonumber(ARGV[6]))
redis.call('XADD', KEYS[3], '*', 'channel_id', ARGV[1], 'iso_week', ARGV[2],
           'webhook', ARGV[3], 'alert', ARGV[4])
return 1
"""
QUEUED_TTL_S = 60 * 24 * 3600  # longer than any retry of a week's alert


def enqueue_alert(client: redis.Redis, keys: Keys, alert: Alert) -> bool:
    """Put ``alert`` on the outbox once per (channel, ISO week); False if already queued or posted.

    One Lua script checks the posted and queued markers, sets the queued marker and appends to the
    outbox, so two weekly jobs racing (a retry, two schedulers) can never queue it twice.
    """
    posted = keys.alert_posted(alert.channel_id, alert.iso_week)
    queued = keys.alert_queued(alert.channel_id, alert.iso_week)
    done = client.eval(_ENQUEUE, 3, posted, queued, keys.alert_outbox,
                       alert.channel_id, alert.iso_week, "1" if alert.webhook else "0",
                       alert.to_json(), datetime.now(timezone.utc).isoformat(), QUEUED_TTL_S)
    return bool(done)


def run_weekly_alerts(client: redis.Redis, keys: Keys, as_of: date | str | None = None, *,
                      level: float = 0.1, method: str = "bh") -> dict:
    """Build and enqueue the alert of every subscription; one failure never stops the others."""
    subs = SubscriptionStore(client, keys).all()
    summary: dict[str, Any] = {"subscriptions": len(subs), "queued": 0, "already": 0,
                               "failed": [], "iso_week": None}
    for sub in subs:
        try:
            alert = build_alert(client, sub, as_of, keys=keys, level=level, method=method)
        except Exception as exc:  # noqa: BLE001 - logged with context, the rest still go out
            log.exception("weekly alert for channel %s failed", sub.channel_id)
            summary["failed"].append({"channel_id": sub.channel_id, "error": type(exc).__name__})
            continue
        summary["iso_week"] = alert.iso_week
        if enqueue_alert(client, keys, alert):
            summary["queued"] += 1
        else:
            summary["already"] += 1
    return summary

