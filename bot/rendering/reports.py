"""The renderers of the whats worded as reports of their own (an evaluator's figures in
``Result.extra``): ``render(question, result, header, names, today) -> Answer``, by intent."""

from __future__ import annotations

from . import change, compare, count, coverage, explain, forecast, hot, review, top, trend

#: intent -> renderer
REPORTS = {
    "trend": trend.render,
    "hot": hot.render,
    "coverage": coverage.render,
    "explain": explain.render,
    "review": review.render,
    "count": count.render,
    "change": change.render,
    "forecast": forecast.render,
    "compare": compare.render,
    "top": top.render,
}
