"""List: the areas of a region or group (or every area), with their region; no numbers."""

from __future__ import annotations

from bot.language.question import Question

from ..result import INCIDENTS, Result, Row
from ..scope import areas_of
from ..state import DataState


def evaluate(q: Question, state: DataState) -> Result:
    areas = areas_of(q.where)
    names = sorted(areas) if areas is not None else sorted(
        set(state.catalog.communities) | set(state.reference))
    return Result(INCIDENTS, [Row(area=a, region=state.region_of(a) or None) for a in names],
                  extra={"areas": len(names)})
