"""The query engine: a :class:`~bot.language.parse.Query` -> an :class:`~bot.answer.Answer`.

Reads what the workers keep current in Redis: the served forecasts
(:class:`stream.forecast_cache.ForecastCache`), the archived forecast sets
(:class:`stream.forecast_archive.ForecastArchive`), the counts (:class:`stream.store.CountStore`)
and the optional community reference data (``keys.communities``). They are held in memory as numpy
arrays and reloaded only when they change, so a question costs one pipelined round trip to Redis
plus a little arithmetic. No Discord, no torch.

Each intent is one module of :mod:`bot.answering.intents` exporting ``answer(view, query) -> Answer``;
:data:`HANDLERS` is the table that dispatches to them (a new intent is a new file and a new row).
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime, timezone
from typing import Callable

import redis

from core.profile import CityProfile, active_profile
from stream.keys import Keys

from bot.language.names import Names
from bot.language.parse import Query, QueryError, from_options, parse
from bot.language.question import Question
from bot.rendering.result import result_answer

from .answer import Answer
from .intents import (accuracy, change, compare, count, coverage, explain, forecast, help, hot, review,
                      status, subscribe, top, trend, unsubscribe)
from .intents.help import help_answer
from .intents.status import accuracy_text
from .measures import EVALUATORS
from .state import DataState, Signature, load_state, read_signature
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
    """Answers questions from the frozen data state; cheap to call many times.

    ``today`` is a date or a callable returning one (for the staleness check; default UTC today).
    ``history_reload_s`` bounds how often the counts are re-read while records stream in.
    """

    def __init__(self, client: redis.Redis, keys: Keys, *,
                 today: date | Callable[[], date] | None = None, history_reload_s: float = 30.0,
                 profile: CityProfile | None = None):
        self.client = client
        self.profile = profile or active_profile()  # the city's words, places and categories
        self.keys = keys
        self._today = today
        self.history_reload_s = history_reload_s
        self._state: DataState | None = None
        self._names: Names | None = None

    # --- state -----------------------------------------------------------------------------------
    def today(self) -> date:
        if self._today is None:
            return datetime.now(timezone.utc).date()
        return self._today() if callable(self._today) else self._today

    def state(self) -> DataState:
        """The data state for the current version of the data (one round trip to check it)."""
        sig = read_signature(self.client, self.keys)
        if self._state is None or self._stale(self._state, sig):
            self._state = load_state(self.client, self.keys, self.profile, sig)
            self._names = None
        return self._state

    def _stale(self, state: DataState, sig: Signature) -> bool:
        old = state.signature
        if sig == old:
            return False
        # records streaming in move only the watermark and the series: re-read at most so often
        moved = (sig.forecast_version, sig.months, sig.last_closed, sig.reference, sig.archive) != (
            old.forecast_version, old.months, old.last_closed, old.reference, old.archive)
        return moved or time.monotonic() - state.loaded_at > self.history_reload_s

    def refresh(self) -> None:
        """Check the data version now (and build the names on first use)."""
        self.state()
        _ = self.names

    @property
    def names(self) -> Names:
        """The vocabulary of the current state: its areas, categories, regions and examples."""
        state = self._state or self.state()
        if self._names is None:
            busiest, busiest_categories = state.busiest(3)
            self._names = Names(state.catalog.communities, state.catalog.categories,
                                state.reference, profile=self.profile, busiest=busiest,
                                busiest_categories=busiest_categories)
        return self._names

    def view(self, context: Context | None = None) -> View:
        """A view of the current state for one question."""
        return View(self._state or self.state(), self.names, context or Context(), self.today())

    # --- entry points ------------------------------------------------------------------------------
    def ask(self, text: str, context: Context | None = None) -> Answer:
        """Parse and answer free text; a question it cannot understand gets a help answer."""
        return self.run(lambda names: parse(text, names), context)

    def ask_options(self, intent: str, options: dict, context: Context | None = None) -> Answer:
        """Answer a slash command's options through the same pipeline as free text."""
        if intent == "ask":  # /ask goes through the free-text path
            return self.ask(options.get("question") or "", context)
        if intent == "help":
            self.state()
            return help_answer(None, self.names)
        return self.run(lambda names: from_options(intent, names, **options), context)

    def answer(self, query: Query, context: Context | None = None, *, refreshed: bool = False) -> Answer:
        """Answer an already parsed question."""
        return self.run(lambda names: query, context, refreshed=refreshed)

    def run(self, read: Callable[[Names], Query], context: Context | None = None, *,
            refreshed: bool = False) -> Answer:
        """The one pipeline and its one handler of user errors: read the question with the
        current names, answer it from the current state; a :class:`QueryError` becomes help."""
        if not refreshed or self._state is None:
            self.state()
        names = self.names
        try:
            query = read(names)
            if isinstance(query, Question):
                return self.evaluate(self.resolve(query), context)
            answer = HANDLERS[query.intent](self.view(context), query)
        except QueryError as err:
            return help_answer(err, names)
        answer.data.setdefault("query", query.to_dict())
        return answer

    def resolve(self, question: Question) -> Question:
        """The question read against the data (tense, periods as months, defaults): the
        resolver of :mod:`bot.language` decides; an already resolved question passes."""
        if question.resolved:
            return question
        from bot.language.resolve import resolve  # q-parse's resolver

        return resolve(question, self.state().facts(self.today()))

    def evaluate(self, question: Question, context: Context | None = None) -> Answer:
        """A resolved question answered by its evaluator and put in words."""
        view = self.view(context)
        result = EVALUATORS[question.what](question, view.state)
        answer = result_answer(question, result, view.header(question.what))
        answer.data.update({"question": question.to_dict(), "assumed": list(question.assumptions),
                            "result": result.to_dict()})
        if question.what == "forecast":
            answer.data["data_through"] = result.extra.get("data_through")
        if question.chart and answer.chart is None and question.what in ("count", "change",
                                                                        "peak", "trough",
                                                                        "forecast", "average"):
            rows = view.state.rows(None if question.place.kind == "city"
                                   else question.place.names, question.crime.categories)
            frows = view.fc.has(rows) if view.fc.version else rows[:0]
            answer.chart = view.line_chart(answer.title, [(question.place.label, frows, rows)])
        return answer
