"""The query engine: a :class:`~bot.language.parse.Query` -> an :class:`~bot.answer.Answer`.

Reads what the workers keep current in Redis: the served forecasts
(:class:`stream.forecast_cache.ForecastCache`), the archived forecast sets
(:class:`stream.forecast_archive.ForecastArchive`), the counts (:class:`stream.store.CountStore`)
and the optional community reference data (``keys.communities``). They are held in memory as numpy
arrays and reloaded only when they change, so a question costs one pipelined round trip to Redis
plus a little arithmetic. No Discord, no torch.

Each intent is one module of :mod:`bot.intents` exporting ``answer(view, query) -> Answer``;
:data:`HANDLERS` is the table that dispatches to them (a new intent is a new file and a new row).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import date, datetime, timezone
from typing import Callable

import redis

from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import ForecastCache
from stream.keys import Keys
from core.profile import CityProfile, active_profile
from stream.store import CountStore

from .answer import Answer
from .intents import (accuracy, change, compare, count, coverage, explain, forecast, help, hot, review,
                      status, subscribe, top, trend, unsubscribe)
from .intents.help import help_answer
from .intents.status import accuracy_text
from .language.names import CommunityInfo, Names
from .language.parse import Query, QueryError, parse
from .snapshot import ArchivedSet, ForecastSnapshot, HistorySnapshot
from .view import NO_FORECASTS, Context, View

__all__ = ["Engine", "Context", "HANDLERS", "help_answer", "accuracy_text", "NO_FORECASTS"]

log = logging.getLogger(__name__)

#: intent -> handler ``answer(view, query) -> Answer``
HANDLERS: dict[str, Callable[[View, Query], Answer]] = {
    "forecast": forecast.answer,
    "top": top.answer,
    "trend": trend.answer,
    "compare": compare.answer,
    "explain": explain.answer,
    "count": count.answer,
    "change": change.answer,
    "hot": hot.answer,
    "review": review.answer,
    "accuracy": accuracy.answer,
    "coverage": coverage.answer,
    "status": status.answer,
    "help": help.answer,
    "subscribe": subscribe.answer,
    "unsubscribe": unsubscribe.answer,
}


class Engine:
    """Answers queries from Redis-held forecasts and counts; cheap to call many times.

    ``today`` is a date or a callable returning one (for the staleness check; default UTC today).
    ``history_reload_s`` bounds how often the counts are re-read while records stream in.
    """

    def __init__(self, client: redis.Redis, keys: Keys, *,
                 today: date | Callable[[], date] | None = None, history_reload_s: float = 30.0,
                 profile: CityProfile | None = None):
        self.client = client
        self.profile = profile or active_profile()  # the city's words, places and categories
        self.keys = keys
        self.cache = ForecastCache(client, keys)
        self.archive = ForecastArchive(client, keys)
        self.store = CountStore(client, keys)
        self._today = today
        self.history_reload_s = history_reload_s
        self._fc: ForecastSnapshot | None = None
        self._hist: HistorySnapshot | None = None
        self._hist_sig: tuple | None = None
        self._hist_gen = 0
        self._ref_sig: object = None
        self._info: dict[str, CommunityInfo] = {}
        self._names: Names | None = None
        self._names_sig: tuple | None = None
        self._archive_index: list[str] = []
        self._archive_sets: dict[str, ArchivedSet] = {}
        self._memo: dict[tuple, object] = {}
        self._memo_sig: tuple | None = None

    # --- state -----------------------------------------------------------------------------------
    def today(self) -> date:
        if self._today is None:
            return datetime.now(timezone.utc).date()
        return self._today() if callable(self._today) else self._today

    def refresh(self) -> None:
        """One pipelined round trip; reload whatever changed since the last question."""
        k = self.keys
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(k.forecasts_meta, "version")
        pipe.zcard(k.months)
        pipe.zrange(k.closed_months, -1, -1)
        pipe.get(k.watermark)
        pipe.scard(k.series)
        pipe.hlen(k.communities)
        pipe.zrange(k.forecast_archive_index, 0, -1)
        version, n_months, last_closed, watermark, n_series, n_ref, archived = pipe.execute()
        version = int(version) if version is not None else 0
        if self._fc is None or self._fc.version != version:
            entries = self.cache.read_all() if version else {}
            self._fc = ForecastSnapshot.build(version, self.cache.meta() if version else {}, entries)
            self._archive_sets = {}
        archived = [m.decode() if isinstance(m, bytes) else m for m in archived]
        if archived != self._archive_index:
            self._archive_index = archived
            self._archive_sets = {}
        sig = (n_months, tuple(last_closed), watermark, n_series)
        stale_hist = self._hist is None or (
            sig != self._hist_sig and (sig[:2] != (self._hist_sig or (None, None))[:2]
                                       or time.monotonic() - self._hist.loaded_at
                                       > self.history_reload_s))
        if stale_hist:
            self._hist = HistorySnapshot.load(self.store)
            self._hist_sig = sig
            self._hist_gen += 1
        if n_ref != self._ref_sig:
            self._info = self._load_reference() if n_ref else {}
            self._ref_sig = n_ref
        memo_sig = (version, self._hist_gen, tuple(self._archive_index))
        if memo_sig != self._memo_sig:
            self._memo, self._memo_sig = {}, memo_sig
        names_sig = (version, self._hist_gen, n_ref)
        if self._names is None or names_sig != self._names_sig:
            communities = set(self._hist.by_community) | set(self._fc.by_community)
            categories = list(dict.fromkeys(self._fc.categories + self._hist.categories))
            self._names = Names(communities, categories, self._info, profile=self.profile,
                                busiest=self._hist.busiest(3),
                                busiest_categories=self._hist.busiest_categories(3))
            self._names_sig = names_sig

    def _load_reference(self) -> dict[str, CommunityInfo]:
        out = {}
        for name, raw in self.client.hgetall(self.keys.communities).items():
            name = name.decode() if isinstance(name, bytes) else name
            try:
                d = json.loads(raw)
                pop = d.get("population")
                out[name] = CommunityInfo(name, str(d.get("code") or ""), str(d.get("sector") or ""),
                                          str(d.get("class") or ""),
                                          int(pop) if pop not in (None, "", 0) else None)
            except (ValueError, TypeError, AttributeError):
                log.warning("skipping unreadable reference entry for %s", name)
        return out

    def archived_before(self, month: str) -> ArchivedSet | None:
        """The archived set made with data through the newest month before ``month`` (cached)."""
        before = [m for m in self._archive_index if m < month]
        if not before:
            return None
        through = before[-1]
        if through not in self._archive_sets:
            self._archive_sets[through] = ArchivedSet.build(through, self.archive.read(through))
        return self._archive_sets[through]

    def memo(self, key: tuple, compute: Callable[[], object]) -> object:
        """``compute()`` once per state of the forecasts, counts and archive (e.g. the city-wide
        running-hot test, the same whatever scope is asked about)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def names(self) -> Names:
        if self._names is None:
            self.refresh()
        return self._names  # type: ignore[return-value]

    @property
    def fc(self) -> ForecastSnapshot:
        assert self._fc is not None
        return self._fc

    @property
    def hist(self) -> HistorySnapshot:
        assert self._hist is not None
        return self._hist

    # --- entry points ------------------------------------------------------------------------------
    def ask(self, text: str, context: Context | None = None) -> Answer:
        """Parse and answer free text; a question it cannot understand gets a help answer."""
        self.refresh()
        try:
            query = parse(text, self.names)
        except QueryError as err:
            return help_answer(err, self.names)
        return self.answer(query, context, refreshed=True)

    def answer(self, query: Query, context: Context | None = None, *, refreshed: bool = False) -> Answer:
        """Answer a parsed query; errors users can fix come back as help answers."""
        if not refreshed:
            self.refresh()
        try:
            answer = HANDLERS[query.intent](View(self, context or Context()), query)
        except QueryError as err:
            return help_answer(err, self.names)
        answer.data.setdefault("query", query.to_dict())
        return answer
