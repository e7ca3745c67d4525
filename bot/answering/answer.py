"""What the engine hands to every transport: an :class:`Answer` (and a :class:`ChartSpec`).

An answer is plain data: a title, body lines, name/value fields, warnings, a caveat, a footer that
names the data month and the model, the structured figures for ``--json``, and optionally what to
draw. Renderers (:mod:`bot.rendering`) turn it into text, a Discord embed or a PNG.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.caveats import CAVEAT
from core.caveats import RANKING as TOP_CAVEAT

__all__ = ["CAVEAT", "TOP_CAVEAT", "Answer", "Bar", "ChartSpec", "Line"]  # caveats re-exported


@dataclass
class Line:
    """One line of a chart: history (months, values) and optionally a forecast with its band."""

    label: str
    months: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    f_months: list[str] = field(default_factory=list)
    f_mean: list[float] = field(default_factory=list)
    f_lo: list[float] = field(default_factory=list)
    f_hi: list[float] = field(default_factory=list)


@dataclass
class Bar:
    """One bar of a ranking chart, with its 80% interval."""

    label: str
    mean: float
    lo: float
    hi: float


@dataclass
class ChartSpec:
    """What to draw: ``kind`` ``"lines"`` (history + forecast band) or ``"bars"`` (a ranking)."""

    kind: str
    title: str
    ylabel: str = "reported incidents per month"
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    note: str = ""


@dataclass
class Answer:
    """A reply to one question (or a help reply when ``ok`` is False)."""

    intent: str
    title: str
    lines: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    caveat: str | None = None
    footer: str = ""
    data: dict = field(default_factory=dict)
    chart: ChartSpec | None = None
    ok: bool = True
    suggestions: list[str] = field(default_factory=list)
    what: str | None = None  # the resolved question's *what* when one was evaluated

    def to_dict(self) -> dict:
        """The structured answer (``crimecast ask --json``)."""
        out = {"ok": self.ok, "intent": self.what or self.intent, "title": self.title}
        out.update(self.data)
        out["warnings"] = list(self.warnings)
        if self.caveat:
            out["caveat"] = self.caveat
        if not self.ok:
            out["message"] = "\n".join(self.lines)
            out["suggestions"] = list(self.suggestions)
        return out

    def summary(self, limit: int = 300) -> str:
        """One short line for the audit log."""
        text = self.title + (": " + self.lines[0] if self.lines else "")
        return text[:limit]

    def chart_dict(self) -> dict | None:
        return None if self.chart is None else asdict(self.chart)
