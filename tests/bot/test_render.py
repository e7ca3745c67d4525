"""Rendering: text, embeds within Discord's limits, charts, alerts; nothing can ping anyone."""

from __future__ import annotations

import re

from bot.answering.answer import Answer, Bar, ChartSpec, Line
from bot.rendering.render import (
    DESCRIPTION_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    TITLE_MAX,
    TOTAL_MAX,
    alert_embed,
    alert_png,
    alert_text,
    embed_size,
    no_pings,
    to_embed,
    to_png,
    to_text,
)

PNG = b"\x89PNG\r\n\x1a\n"
PING = re.compile(r"@(everyone|here)|<@[!&]?\d")


def test_huge_answer_fits_embed_limits():
    """Long titles, many fields and long values are trimmed to every Discord limit."""
    a = Answer(
        "forecast",
        "T" * 400,
        ["line " * 300] * 10,
        [(f"name{i}" * 30, "v" * 3000) for i in range(40)],
        warnings=["w" * 500],
        caveat="c" * 300,
        footer="f" * 3000,
    )
    e = to_embed(a)
    assert len(e["title"]) <= TITLE_MAX and len(e["description"]) <= DESCRIPTION_MAX
    assert len(e["fields"]) <= FIELDS_MAX
    assert all(len(f["value"]) <= FIELD_VALUE_MAX and len(f["name"]) <= 256 for f in e["fields"])
    assert embed_size(e) <= TOTAL_MAX


def test_nothing_rendered_can_ping():
    """Mentions in any part of an answer are broken before they leave."""
    a = Answer(
        "forecast",
        "@everyone title",
        ["hi @here <@123> <@!5> <@&7>"],
        [("@everyone", "<@&9>")],
        footer="@here",
    )
    e = to_embed(a)
    blob = " ".join(
        [e["title"], e["description"], e["footer"]["text"]]
        + [f["name"] + f["value"] for f in e["fields"]]
    )
    assert not PING.search(blob)
    assert not PING.search(to_text(a))
    assert no_pings("<#123>") != "" and not PING.search(no_pings("@everyone"))


def test_plain_text_has_no_markdown():
    """Console text drops the bold markers."""
    a = Answer("forecast", "T", ["**Expected: about 3**"], caveat="C", footer="F")
    assert "**" not in to_text(a, markdown=False) and "about 3" in to_text(a, markdown=False)


def test_line_chart_is_png():
    """A history + forecast chart renders as a PNG."""
    spec = ChartSpec(
        "lines",
        "t",
        lines=[Line("A", ["2023-11", "2023-12"], [3, 4], ["2024-01"], [3.5], [2], [6])],
    )
    png = to_png(Answer("forecast", "t", chart=spec))
    assert png.startswith(PNG) and len(png) > 2000


def test_bar_chart_is_png():
    """A ranking chart with interval whiskers renders as a PNG."""
    spec = ChartSpec("bars", "t", bars=[Bar("A", 3, 1, 5), Bar("B", 2, 0, 4)])
    assert to_png(Answer("top", "t", chart=spec)).startswith(PNG)


def test_answer_without_chart_has_no_png():
    assert to_png(Answer("status", "t")) is None


def test_alert_embed_within_limits_and_pings_no_one(alert_dict):
    """The weekly alert renders inside Discord's limits, says stale/synthetic, pings no one."""
    e = alert_embed(alert_dict(n_hot=5, text="y" * 400))
    assert embed_size(e) <= TOTAL_MAX and len(e["title"]) <= TITLE_MAX
    assert all(len(f["value"]) <= FIELD_VALUE_MAX for f in e["fields"])
    blob = e["title"] + e["description"] + "".join(f["name"] + f["value"] for f in e["fields"])
    assert not PING.search(blob)
    assert "Stale" in e["description"] and "Synthetic" in e["description"]
    assert "Benjamini-Hochberg" in blob and "2024-W03" in e["title"]
    assert "Reported crime" in e["footer"]["text"]


def test_alert_without_hot_series_says_so(alert_dict):
    """An alert with nothing running hot says that plainly."""
    e = alert_embed(alert_dict(n_hot=0))
    assert "Nothing ran improbably high" in e["fields"][0]["value"]


def test_alert_text_and_chart(alert_dict):
    """The console preview has every section; the chart is a PNG of the top forecasts."""
    text = alert_text(alert_dict())
    for part in ("Running hot", "Highest forecast", "Biggest changes", "Model health"):
        assert part in text
    assert alert_png(alert_dict()).startswith(PNG)
