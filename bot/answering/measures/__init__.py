"""One evaluator per *what*: ``evaluate(question, state) -> Result``, pure over the frozen state.

:data:`EVALUATORS` is the table the engine dispatches on (a new measure is a new module and a new
row). Evaluators share :mod:`bot.answering.compose` (by / ranking / compared with) and never call
one another.
"""

from . import (
    accuracy,
    average,
    change,
    count,
    coverage,
    explain,
    forecast,
    hot,
    listing,
    peak,
    rate,
    share,
    trend,
)

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
    "trend": trend.evaluate,
    "hot": hot.evaluate,
    "coverage": coverage.evaluate,
    "explain": explain.evaluate,
}

__all__ = ["EVALUATORS"]
