"""The pipeline every transport uses: text or slash options -> question value -> resolve ->
answer -> words, with one handler of the errors a user can fix (help, or a question back).

The engine keeps one frozen :class:`~bot.answering.state.DataState` per version of the data (a new
one when the forecasts, months, archive or reference data change; while records stream in, at most
every ``history_reload_s``), so a question costs one round trip to check the version plus the rows
it needs. A question is read once, as a question value (:mod:`bot.language`), resolved once
against the data, then answered once: the evaluator of its *what* (:data:`~bot.answering.measures.EVALUATORS`, pure
over the state) gives the rows; for the shapes that show more (:func:`~bot.answering.asked.
intent_of`), :data:`CONTEXTS` adds the figures shown beside them (a year earlier, the forecast
made before, breakdowns); a renderer (:mod:`bot.rendering`) words them. The bot's own commands
(help, status, subscribe, the saved accountability report) are :mod:`bot.answering.commands`.
No Discord, no torch.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from datetime import date, datetime, timezone
from typing import Callable

import redis

from core.profile import CityProfile, active_profile
from stream.keys import Keys

from bot.language.names import Names
from bot.language.options import question_from_options
from bot.language.question import WHATS, Question, QueryError
from bot.language.resolve import NO_FORECASTS, resolve
from bot.language.understand import parse_question
from bot.rendering.header import for_question, header
from bot.rendering.lines import line_chart
from bot.rendering.reports import REPORTS
from bot.rendering.result import result_answer

from .answer import Answer
from .context_ahead import compare_context, forecast_context, top_context
from .context_past import past_context
from .asked import OWN, Asked, asked, intent_of
from .commands import Context, commands
from .commands.help import help_answer
from .commands.status import accuracy_text
from .measures import EVALUATORS
from .series import chart_line, forecast_rows, history_rows
from .state import DataState, Signature, load_state, read_signature

__all__ = ["Engine", "Context", "help_answer", "accuracy_text", "NO_FORECASTS"]

log = logging.getLogger(__name__)

#: intent -> the figures beside its evaluator's rows ``(question, state, result) -> Result``
CONTEXTS = {
    "count": partial(past_context, intent="count"),
    "change": partial(past_context, intent="change"),
    "forecast": forecast_context,
    "compare": compare_context,
    "top": top_context,
}

#: whats answered before any count is in (the rest say how to get data)
NO_DATA_NEEDED = ("help", "status", "coverage", "subscribe", "unsubscribe", "hot")

# every what is answered: by its evaluator, or by a command of its own
assert set(WHATS) == set(EVALUATORS) | set(OWN), "a what without an answer"


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

    # --- entry points ------------------------------------------------------------------------------
    def ask(self, text: str, context: Context | None = None) -> Answer:
        """Parse and answer free text; a question it cannot understand gets a help answer. A
        request for a map ("map break-ins next month") is answered by area, with its map."""
        from .maps import ask_map, map_request

        rest = map_request(text)
        if rest is not None:
            return ask_map(self, rest, context)
        return self.run(lambda names: parse_question(text, names), context)

    def ask_options(self, command: str, options: dict, context: Context | None = None) -> Answer:
        """Answer a slash command's options through the same pipeline as free text."""
        if command == "ask":  # /ask goes through the free-text path
            return self.ask(options.get("question") or "", context)
        return self.run(lambda names: question_from_options(command, names, **options), context)

    def run(self, read: Callable[[Names], Question], context: Context | None = None) -> Answer:
        """The one pipeline and its one handler of user errors: read the question (``read``: free
        text or slash options -> a question value), resolve it against the data, answer it from
        the current state; a :class:`QueryError` is help (or a question back)."""
        state = self.state()
        names = self.names  # one check of the data version per question: the state is read once
        try:
            parsed = read(names)
            if parsed.what not in NO_DATA_NEEDED and not state.months:
                raise QueryError(NO_FORECASTS, kind="no_forecasts")
            # a refusal of the resolver (no population for a rate, no year to compare with) is
            # the reply: never answered as another question
            question = resolve(parsed, state.facts(self.today()))
            return self.answer(question, context)
        except QueryError as err:
            return help_answer(err, names)

    def resolve(self, question: Question) -> Question:
        """The question read against the data (tense, periods as months, defaults): the
        resolver of :mod:`bot.language` decides; an already resolved question passes."""
        if question.resolved:
            return question
        return resolve(question, self.state().facts(self.today()))

    def answer(self, question: Question, context: Context | None = None) -> Answer:
        """A resolved question answered once: a command of the bot's own, or its evaluator's rows
        (with the figures its shape shows beside them) worded by the renderer its shape names
        (:func:`~bot.answering.asked.intent_of`), else by :func:`~bot.rendering.result.result_answer`."""
        intent = intent_of(question)
        if intent is None:
            return self.evaluate(question, context)
        request = asked(question, intent)
        state = self._state or self.state()
        result = EVALUATORS[question.what](question, state) if question.what in EVALUATORS else None
        if intent not in REPORTS:  # a command: help, status, (un)subscribe, the saved report
            answer = commands()[intent](self, question, context or Context())
            if intent != "accuracy" or result is None:
                return self._noted(answer, question, request, None)
            # accuracy on demand beside the saved report; its words say the readings assumed
            answer.data.setdefault("query", request.to_dict())
            now = result_answer(question, result, header(state, self.today(), "accuracy"))
            figures = ["**From the forecast archive and the counts, now:**", *now.lines]
            no_report = answer.data.get("report") is None  # then what was asked comes first
            answer.lines = figures + answer.lines if no_report else answer.lines + figures
            return self._contract(answer, question, result)
        try:
            if intent in CONTEXTS:
                result = CONTEXTS[intent](question, state, result)
            head = for_question(state, self.today(), self.names, question, intent, "")
            answer = REPORTS[intent](question, result, head, self.names, self.today())
        except QueryError as err:
            if result is None or not any(p.spec is not None for p in question.when):
                raise
            # the fuller words need what is not there (a served series...) for the months the
            # question named: the evaluator's rows for those months, in words, and why
            answer = self._worded(question, result)
            answer.lines.append(f"ℹ {err}")
            return answer
        return self._noted(answer, question, request, result)

    def _noted(self, answer: Answer, question: Question, request: Asked, result) -> Answer:
        """The readings assumed and the words that changed nothing, under the answer."""
        answer.data.setdefault("query", request.to_dict())
        answer.lines.extend(f"ℹ Read as: {text}" for text in question.assumptions)
        if question.unplaced:
            answer.lines.append("ℹ Words that changed nothing: " + ", ".join(question.unplaced[:5]))
        return self._contract(answer, question, result)

    def evaluate(self, question: Question, context: Context | None = None) -> Answer:
        """A resolved question answered by its evaluator and put in words."""
        state = self._state or self.state()
        return self._worded(question, EVALUATORS[question.what](question, state))

    def _worded(self, question: Question, result) -> Answer:
        state = self._state or self.state()
        answer = result_answer(question, result, header(state, self.today(), question.what))
        if (
            question.chart
            and answer.chart is None
            and question.what in ("count", "change", "peak", "trough", "forecast", "average")
        ):
            rows = history_rows(state, question.place, question.crime.categories)
            figures = chart_line(state, forecast_rows(state, rows), rows)
            answer.chart = line_chart(
                answer.title, answer.footer, [(question.place.label, figures)]
            )
        return self._contract(answer, question, result)

    @staticmethod
    def _contract(answer: Answer, question: Question, result) -> Answer:
        """The ``--json`` keys every answer carries: the question, what was assumed, the rows."""
        answer.what = question.what
        answer.data.update({"question": question.to_dict(), "assumed": list(question.assumptions)})
        if result is not None:
            answer.data["result"] = result.to_dict()
            if question.what == "forecast":
                answer.data["data_through"] = result.extra.get("data_through")
            rows = result.rows
            if question.what == "rate" and len(rows) == 1 and rows[0].value is not None:
                answer.data.setdefault("rate_per_1000", round(rows[0].value, 3))
        return answer
