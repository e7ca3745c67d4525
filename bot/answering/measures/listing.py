"""List: the areas of a region or group (or every area) that have counts, with their region; no
numbers. (An area of the reference data with no count at all is not listed.)"""

from __future__ import annotations

from bot.language.question import Question

from ..result import INCIDENTS, Result, Row
from ..scope import areas_of
from ..state import DataState


def evaluate(q: Question, state: DataState) -> Result:
    areas = areas_of(q.where)
    known = state.catalog.by_community
    names = (
        sorted(state.catalog.communities)
        if areas is None
        else sorted(a for a in areas if a in known or not known)
    )
    return Result(
        INCIDENTS,
        [Row(area=a, region=state.region_of(a) or None) for a in names],
        extra={"areas": len(names)},
    )
