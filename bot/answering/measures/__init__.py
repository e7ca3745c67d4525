"""One evaluator per *what*: ``evaluate(question, state) -> Result``, pure over the frozen state.

:data:`EVALUATORS` is the table the engine dispatches on (a new measure is a new module and a new
row). Evaluators share :mod:`bot.answering.compose` (by / ranking / compared with) and never call
one another.
"""

from . import accuracy, average, change, count, forecast, listing, peak, rate, share

#: what -> evaluate(question, state) -> Result
EVALUATORS = {
    "count": count.evaluate,
    "rate": rate.evaluate,
    "average": average.evaluate,
    "share": share.evaluate,
    "change": change.evaluate,
    "peak": peak.evaluate_peak,
    "trough": peak.evaluate_trough,
    "forecast": forecast.evaluate,
    "accuracy": accuracy.evaluate,
    "list": listing.evaluate,
}

__all__ = ["EVALUATORS"]
