"""The detailed answers: one module per intent, each exporting ``answer(view, asked, result)``.

The engine's table (:data:`bot.answering.engine.DETAILED`) names them and
:func:`bot.answering.asked.intent_of` says, from a resolved question's shape alone, which one words
it: the whats that are not measures (trend, hot, coverage, status, explain, help, subscribe,
unsubscribe) and the fuller words of a count, forecast, change, top list, comparison, review or
the accountability report. They read the resolver's months (:class:`~bot.answering.asked.Asked`)
and the evaluator's rows (``result``), never the words, and never call one another.
"""
