"""The line chart of a place's history and forecast (a :class:`ChartSpec`) from an evaluator's
``chart`` figures (:func:`bot.answering.series.chart_line`)."""

from __future__ import annotations

from bot.answering.answer import ChartSpec, Line


def line_chart(title: str, note: str, lines: list[tuple[str, dict]]) -> ChartSpec:
    """One line per ``(label, figures)``: history, and the forecast with its band when it has one."""
    spec = ChartSpec("lines", title, note=note)
    for label, f in lines:
        spec.lines.append(
            Line(
                label,
                list(f["months"]),
                list(f["values"]),
                list(f.get("f_months", [])),
                list(f.get("f_mean", [])),
                list(f.get("f_lo", [])),
                list(f.get("f_hi", [])),
            )
        )
    return spec
