"""Words shared by the answers about the past: a year earlier, chance, the forecast made before."""

from __future__ import annotations

import numpy as np

from core.months import month_name

from .review import expected_text
from .wording import fmt_change


def year_earlier(now: int, before: int | None, ctx: dict) -> tuple[str, dict]:
    """'1,234 (November 2022): +12%' and its data, or why there is none."""
    if before is None:
        return (
            f"no counts a year earlier (the data start in {month_name(ctx['first_month'])})",
            {"previous": None},
        )
    return (
        f"{before:,} ({ctx['previous_label']}): {fmt_change(now, before)}",
        {
            "previous": before,
            "previous_label": ctx["previous_label"],
            "change_pct": round((now - before) / before * 100, 1) if before else None,
        },
    )


def chance_note(now: int, before: int) -> str | None:
    """Say when a year-over-year difference is within what chance alone gives (Poisson, ~95%).

    >>> chance_note(100, 98) is not None, chance_note(200, 100) is None
    (True, True)
    """
    if now + before == 0:
        return None
    if abs(now - before) <= 1.96 * np.sqrt(now + before):
        return (
            "The difference is within what chance alone gives for counts this size, so it is "
            "not clearly a real change."
        )
    return None


def forecast_before(f: dict, observed: int) -> tuple[str, dict]:
    """The forecast made before a period, against its count: words and data."""
    text = expected_text(f["mean"], f["lo"], f["hi"], f["made_with"], f["steps"], observed)
    return text, {
        "mean": round(f["mean"], 2),
        "lo80": f["lo"],
        "hi80": f["hi"],
        "made_with_data_through": f["made_with"],
        "steps": f["steps"],
        "inside": f["lo"] <= observed <= f["hi"],
    }
