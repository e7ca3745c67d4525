"""Answering: a resolved question + the frozen data state -> a result (and an :class:`Answer`).

:mod:`.state` holds the data state (lazily filled per-series panels, one per version of the data);
:mod:`.measures` one evaluator per *what*; :mod:`.compose` the breakdown (*by*), ranking and
comparison they share; :mod:`.engine` the pipeline (parse -> resolve -> evaluate). No Discord.
"""
