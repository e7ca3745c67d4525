"""The pipeline every transport uses: text or slash options -> parse -> resolve -> evaluate ->
words, with one handler of the errors a user can fix (help, or a question back).

The engine keeps one frozen :class:`~bot.answering.state.DataState` per version of the data (a new
one when the forecasts, months, archive or reference data change; while records stream in, at most
every ``history_reload_s``), so a question costs one round trip to check the version plus the rows
it needs. A question is read twice: as a question value (:mod:`bot.language`, resolved against the
data: it decides what is asked and its ``result`` rows) and by the intent parser, whose answers
(:data:`HANDLERS`, one module of :mod:`bot.answering.intents` per intent) keep their fuller words
where they answer the same question (:mod:`bot.answering.agreement`). No Discord, no torch.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Callable

import redis

from core.profile import CityProfile, active_profile
from stream.keys import Keys

from bot.language.names import Names
from bot.language.options import question_from_options
from bot.language.parse import Query, QueryError, from_options, parse
from bot.language.question import Question
from bot.language.resolve import resolve
from bot.language.understand import parse_question
from bot.rendering.result import result_answer

from .agreement import LEGACY_MEASURES, SPECIFIC, agrees, could_agree, prefer_intent
from .answer import Answer
from .intents import (
    accuracy,
    change,
    compare,
    count,
    coverage,
    explain,
    forecast,
    help,
    hot,
    review,
    status,
    subscribe,
    top,
    trend,
    unsubscribe,
)
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


#: the question value's refusals no other reading may answer (a rate without population, a
#: change against a year the data do not hold: issue 16, "refuse rather than answer another")
REFUSALS = ("no_population", "nothing_to_compare")

#: the slash options the intent parser reads (the question value reads them all)
LEGACY_OPTIONS = ("community", "other", "category", "horizon", "n", "sector", "per_1000", "chart")


class Engine:
    """Answers questions from the frozen data state; cheap to call many times.

    ``today`` is a date or a callable returning one (for the staleness check; default UTC today).
    ``history_reload_s`` bounds how often the counts are re-read while records stream in.
    ``warm``: read each new version of the data whole at once (the Discord bot, a chat), so no
    question pays for a first read; a one-shot ``crimecast ask`` reads only what it needs.
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        today: date | Callable[[], date] | None = None,
        history_reload_s: float = 30.0,
        profile: CityProfile | None = None,
        warm: bool = False,
    ):
        self.client = client
        self.profile = profile or active_profile()  # the city's words, places and categories
        self.keys = keys
        self._today = today
        self.history_reload_s = history_reload_s
        self._state: DataState | None = None
        self._names: Names | None = None
        self.warm = warm  # a long-running process reads each new state whole, once

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
            if self.warm:
                self._state.warm()
        return self._state

    def _stale(self, state: DataState, sig: Signature) -> bool:
        old = state.signature
        if sig == old:
            return False
        # records streaming in move only the watermark and the series: re-read at most so often
        moved = (sig.forecast_version, sig.months, sig.last_closed, sig.reference, sig.archive) != (
            old.forecast_version,
            old.months,
            old.last_closed,
            old.reference,
            old.archive,
        )
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
            self._names = Names(
                state.catalog.communities,
                state.catalog.categories,
                state.reference,
                profile=self.profile,
                busiest=busiest,
                busiest_categories=busiest_categories,
            )
        return self._names

    def view(self, context: Context | None = None) -> View:
        """A view of the current state for one question."""
        return View(self._state or self.state(), self.names, context or Context(), self.today())

    # --- entry points ------------------------------------------------------------------------------
    def ask(self, text: str, context: Context | None = None) -> Answer:
        """Parse and answer free text; a question it cannot understand gets a help answer. A
        request for a map ("map break-ins next month") is answered by area, with its map."""
        from .maps import ask_map, map_request

        rest = map_request(text)
        if rest is not None:
            return ask_map(self, rest, context)
        return self.run(text=text, context=context)

    def ask_options(self, intent: str, options: dict, context: Context | None = None) -> Answer:
        """Answer a slash command's options through the same pipeline as free text."""
        if intent == "ask":  # /ask goes through the free-text path
            return self.ask(options.get("question") or "", context)
        if intent == "help":
            self.state()
            return help_answer(None, self.names)
        legacy_opts = {k: v for k, v in options.items() if k in LEGACY_OPTIONS}
        return self.run(
            read=lambda names: question_from_options(intent, names, **options),
            legacy=lambda names: from_options(intent, names, **legacy_opts),
            context=context,
        )

    def answer(
        self, query: Query, context: Context | None = None, *, refreshed: bool = False
    ) -> Answer:
        """Answer a question already read by the intent parser."""
        self.state()
        try:
            return self._intent(query, context)
        except QueryError as err:
            return help_answer(err, self.names)

    def run(
        self,
        *,
        text: str | None = None,
        read: Callable[[Names], Question] | None = None,
        legacy: Callable[[Names], Query] | None = None,
        context: Context | None = None,
        refreshed: bool = False,
    ) -> Answer:
        """The one pipeline and its one handler of user errors: read the question (free text, or
        slash options: ``read`` gives the question value, ``legacy`` the intent reading), resolve
        it against the data, answer it from the current state; a :class:`QueryError` is help."""
        if not refreshed or self._state is None:
            self.state()
        names = self.names
        if text is not None:
            read = lambda n: parse_question(text, n)  # noqa: E731
            legacy = lambda n: parse(text, n)  # noqa: E731
        try:
            return self._pipeline(read, legacy, names, context)
        except QueryError as err:
            return help_answer(err, names)

    def _pipeline(self, read, legacy_read, names: Names, context: Context | None) -> Answer:
        """The question value decides what is asked (:func:`prefer_intent` says when the intent
        parser's more specific reading is kept); the intent answer's words are kept when it
        answers the same question (:func:`~bot.answering.agreement.agrees`)."""
        question, first_error = None, None
        if self.state().months:  # nothing to resolve against before any count
            try:
                parsed = read(names)
            except QueryError as err:
                first_error = err
            else:
                try:
                    question = self.resolve(parsed)
                except QueryError as err:
                    question, first_error = self._without_rates(parsed, err), err
        if question is None and first_error is not None and first_error.kind in REFUSALS:
            raise first_error  # refused as asked: never answered as another question
        try:
            legacy = legacy_read(names)
        except QueryError as err:
            if first_error is not None:
                raise first_error from None
            if question is None or (
                err.kind in ("unknown_place", "ambiguous")
                and not question.where
                and any(w in str(err) for w in question.unplaced)
            ):
                raise  # a place-like word the question value left out: never answer more broadly
            legacy = None
        if question is None:
            if (
                first_error is not None
                and first_error.kind == "clarify"
                and (legacy.intent not in SPECIFIC)
            ):
                raise first_error
            return self._intent(legacy, context)
        if question.what not in EVALUATORS or prefer_intent(question, legacy):
            if legacy is None:
                raise QueryError("I didn't understand that.", kind="junk")
            return self._intent(legacy, context)
        return self.evaluate(question, context, legacy=legacy)

    def _without_rates(self, parsed: Question, err: QueryError) -> Question | None:
        """A rate asked where no population is known: the counts, saying why (else None)."""
        r = parsed.ranking
        if err.kind != "no_reference" or not (parsed.what == "rate" or (r and r.measure == "rate")):
            return None
        why = "No population figures are loaded here, so these are counts, not rates per 1,000."
        return self.resolve(
            replace(
                parsed,
                what="count" if parsed.what == "rate" else parsed.what,
                ranking=replace(r, measure="count") if r and r.measure == "rate" else r,
                assumptions=(*parsed.assumptions, why),
            )
        )

    @staticmethod
    def _accuracy(question: Question, result, view: View, legacy: Query) -> Answer:
        """What the newest accountability report says (where the alerts point, bias by region),
        then accuracy on demand: the forecast archive against the counts, computed now."""
        answer = HANDLERS["accuracy"](view, legacy)
        now = result_answer(question, result, view.header("accuracy"))
        answer.lines += ["**From the forecast archive and the counts, now:**", *now.lines]
        return answer

    def _intent(self, query: Query, context: Context | None) -> Answer:
        answer = HANDLERS[query.intent](self.view(context), query)
        answer.data.setdefault("query", query.to_dict())
        return answer

    def resolve(self, question: Question) -> Question:
        """The question read against the data (tense, periods as months, defaults): the
        resolver of :mod:`bot.language` decides; an already resolved question passes."""
        if question.resolved:
            return question
        return resolve(question, self.state().facts(self.today()))

    def evaluate(
        self, question: Question, context: Context | None = None, *, legacy: Query | None = None
    ) -> Answer:
        """A resolved question answered by its evaluator and put in words (the intent answer's
        words when ``legacy``, the intent parser's reading, answers the same question)."""
        view = self.view(context)
        result = EVALUATORS[question.what](question, view.state)
        answer = None
        if legacy is not None and legacy.intent in LEGACY_MEASURES and could_agree(question):
            try:
                answer = HANDLERS[legacy.intent](view, legacy)
            except QueryError:
                answer = None
            if answer is not None and agrees(question, answer, result):
                answer.lines.extend(f"ℹ Read as: {text}" for text in question.assumptions)
                answer.data.setdefault("query", legacy.to_dict())
            else:
                answer = None
        if (
            answer is None
            and question.what == "accuracy"
            and legacy is not None
            and legacy.intent == "accuracy"
        ):
            answer = self._accuracy(question, result, view, legacy)
        if answer is None:
            answer = result_answer(question, result, view.header(question.what))
        answer.what = question.what
        answer.data.update(
            {
                "question": question.to_dict(),
                "assumed": list(question.assumptions),
                "result": result.to_dict(),
            }
        )
        if question.what == "forecast":
            answer.data["data_through"] = result.extra.get("data_through")
        if (
            question.chart
            and answer.chart is None
            and answer.what
            and question.what in ("count", "change", "peak", "trough", "forecast", "average")
        ):
            rows = view.state.rows(
                None if question.place.kind == "city" else question.place.names,
                question.crime.categories,
            )
            frows = view.fc.has(rows) if view.fc.version else rows[:0]
            answer.chart = view.line_chart(answer.title, [(question.place.label, frows, rows)])
        return answer
