"""Coverage: what data there are (months, series, areas, categories, days or whole months, records
by source), how fresh, the forecasts' reach and the archive. ``extra`` holds it all; no rows."""

from __future__ import annotations

from bot.language.question import Question

from ..result import INCIDENTS, Result
from ..state import DataState


def evaluate(q: Question, state: DataState) -> Result:
    result = Result(INCIDENTS)
    x = result.extra
    cat = state.catalog
    x["months"] = list(state.months)
    if not state.months:
        return result
    x.update(
        {
            "complete_through": state.complete_through(),
            "series": len(cat.series),
            "communities": len(cat.by_community),
            "categories": list(cat.categories),
            "day_level": state.day_level,
            "synthetic": state.synthetic,
            "sources": state.sources(),
            "watermark": state.watermark.isoformat() if state.watermark else None,
            "forecast_series": state.forecast_series if state.version else 0,
            "forecast_months": list(state.forecasts.months) if state.version else [],
            "data_through": state.data_through(),
            "archive": state.archive_months,
            "reference": len(state.reference),
        }
    )
    return result
