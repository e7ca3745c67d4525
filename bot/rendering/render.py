"""Answers and alerts as text, Discord embed dicts (within Discord's limits) and PNG charts.

No discord import: embeds are plain dicts (``discord.Embed.from_dict`` takes them). Everything that
leaves here is passed through :func:`no_pings`, so even text echoed from a user cannot mention
anyone (the transports also send with ``AllowedMentions.none()``).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from core.caveats import DATA_CARD

from bot.answering.answer import Answer

# Discord embed limits
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
TOTAL_MAX = 6000
MESSAGE_MAX = 2000

COLOR_OK = 0x2B6CB0
COLOR_WARN = 0xD69E2E
COLOR_HELP = 0x718096
COLOR_ALERT = 0xC53030

_ZW = "\u200b"
_PING = re.compile(r"@(everyone|here)|<@([!&]?)(\d+)>|<#(\d+)>", re.I)


def no_pings(text: str) -> str:
    """Break every mention so that it renders as text and notifies no one.

    >>> no_pings("hi @everyone and <@123> <@&9>")
    'hi @\\u200beveryone and <@\\u200b123> <@\\u200b&9>'
    """

    def fix(m: re.Match) -> str:
        s = m.group(0)
        if s.startswith("@"):
            return "@" + _ZW + s[1:]
        return s[:1] + s[1] + _ZW + s[2:] if s[1] == "#" else "<@" + _ZW + s[2:]

    return _PING.sub(fix, text or "")


def _cut(text: str, limit: int) -> str:
    text = no_pings(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ITALIC = re.compile(r"(?<!\w)_(\S(?:.*?\S)?)_(?!\w)", re.S)


def _plain(text: str) -> str:
    """Markdown emphasis removed (console text).

    >>> _plain("**Bold** and _italic text_ but snake_case stays")
    'Bold and italic text but snake_case stays'
    """
    return _ITALIC.sub(r"\1", text.replace("**", ""))


# --- answers ---------------------------------------------------------------------------------------
def to_text(answer: Answer, *, markdown: bool = True) -> str:
    """The answer as a message (Discord markdown) or plain console text."""
    out = [f"**{answer.title}**" if markdown else answer.title]
    out += answer.warnings
    out += answer.lines
    for name, value in answer.fields:
        if "\n" in value:
            out.append(f"{name}:")
            out += ["  " + v for v in value.split("\n")]
        else:
            out.append(f"{name}: {value}")
    if answer.caveat:
        out.append(f"_{answer.caveat}_" if markdown else answer.caveat)
    if answer.footer:
        out.append(answer.footer)
    text = "\n".join(out)
    return no_pings(text if markdown else _plain(text))


def to_embed(answer: Answer) -> dict:
    """A Discord embed dict within every limit (title 256, description 4096, 25 fields, field
    value 1024, footer 2048, 6000 in all)."""
    color = COLOR_OK if answer.ok else COLOR_HELP
    if answer.ok and answer.warnings:
        color = COLOR_WARN
    desc = "\n".join(answer.warnings + answer.lines)
    if answer.caveat:
        desc += f"\n\n_{answer.caveat}_"
    embed: dict[str, Any] = {
        "type": "rich",
        "title": answer.title,
        "description": desc,
        "color": color,
        "fields": [{"name": n, "value": v, "inline": len(v) < 40} for n, v in answer.fields],
    }
    if answer.footer:
        embed["footer"] = {"text": answer.footer}
    return fit_embed(embed)


def fit_embed(embed: Mapping[str, Any]) -> dict:
    """Trim an embed dict to Discord's limits and strip pings from all its text."""
    out: dict[str, Any] = dict(embed)
    out["title"] = _cut(str(embed.get("title", "")), TITLE_MAX)
    out["description"] = _cut(str(embed.get("description", "")), DESCRIPTION_MAX)
    fields = []
    for f in list(embed.get("fields", []))[:FIELDS_MAX]:
        name = _cut(str(f.get("name", "")), FIELD_NAME_MAX) or "\u200b"
        value = _cut(str(f.get("value", "")), FIELD_VALUE_MAX) or "\u200b"
        fields.append({"name": name, "value": value, "inline": bool(f.get("inline", False))})
    out["fields"] = fields
    if "footer" in embed:
        out["footer"] = {"text": _cut(str(embed["footer"].get("text", "")), FOOTER_MAX)}
    # total budget: drop fields from the end, then shorten the description
    while embed_size(out) > TOTAL_MAX and out["fields"]:
        out["fields"].pop()
    if embed_size(out) > TOTAL_MAX:
        room = TOTAL_MAX - (embed_size(out) - len(out["description"]))
        out["description"] = out["description"][: max(room - 1, 0)] + "…"
    return out


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters Discord counts against the 6000 total."""
    n = len(embed.get("title", "")) + len(embed.get("description", ""))
    n += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    n += len(embed.get("footer", {}).get("text", ""))
    n += len(embed.get("author", {}).get("name", ""))
    return n


def to_png(answer: Answer) -> bytes | None:
    """The answer's chart as PNG bytes, or None when it has none."""
    if answer.chart is None:
        return None
    from bot.rendering.chart import render_png  # matplotlib only when a chart is drawn

    return render_png(answer.chart)


# --- alerts ------------------------------------------------------------------------------------------
def _n(x: Any) -> str:
    try:
        return f"{float(x):,.0f}"
    except (TypeError, ValueError):
        return str(x)


def _month_label(month: Any) -> str:
    from core.months import month_name

    try:
        return month_name(str(month))
    except ValueError:
        return str(month)


def _last_month_line(last: Mapping[str, Any]) -> str:
    """``December 2023: 3,120 reported; forecast ~3,300 (80% range 3,050–3,560), inside.``"""
    text = f"{_month_label(last.get('month'))}: {last.get('observed', 0):,} reported"
    if last.get("expected") is None:
        return text + "; no forecast was made before it."
    where = (
        "inside its range"
        if last.get("inside")
        else "above its range"
        if last.get("observed", 0) > last.get("hi80", 0)
        else "below its range"
    )
    return (
        text + f"; forecast made with data through {last.get('forecast_data_through')}: about "
        f"{_n(last.get('expected'))} (80% range {last.get('lo80'):,}–{last.get('hi80'):,}), {where}."
    )


def alert_embed(alert: Mapping[str, Any]) -> dict:
    """The weekly alert (shape in docs/ARCHITECTURE.md) as an embed dict within Discord's limits.

    A monthly source's alert leads with the newest complete month; a day-level source's with the
    week and the month to date.
    """
    week = alert.get("week")
    mtd = alert.get("month_to_date")
    last = alert.get("last_month")
    title = f"Weekly crime alert · {alert.get('scope_label', '')} · {alert.get('iso_week', '')}"
    desc = []
    if week and mtd:
        desc.append(
            f"Week {week.get('start', '?')} – {week.get('end', '?')}: {week.get('observed', 0)} "
            f"reported"
            + (
                f", about {_n(week['expected'])} expected"
                if week.get("expected") is not None
                else ""
            )
            + f". Month to date {mtd.get('month', '?')} (day {mtd.get('days', '?')} of "
            f"{mtd.get('days_in_month', '?')})."
        )
    if last:
        desc.append(
            ("Newest complete month, " if not week else "Last month, ") + _last_month_line(last)
        )
    desc.append(f"Forecasts rest on data through {alert.get('data_through') or 'n/a'}.")
    if alert.get("stale"):
        desc.insert(
            0, "⚠ Stale data: the newest counts are old; figures may not reflect this week."
        )
    if alert.get("synthetic"):
        desc.insert(0, "⚠ Synthetic demo data: not real crime counts.")
    for note in alert.get("notes") or []:
        desc.append(f"ℹ {note}")
    fields = []
    fdr = alert.get("fdr") or {}
    hot = alert.get("hot") or []
    whole = bool(fdr.get("whole_month"))
    tested_month = _month_label(fdr.get("month")) if fdr.get("month") else None
    if tested_month and fdr.get("whole_month") is False:
        tested_month += " to date"
    if hot:
        value = "\n".join(
            f"**{h.get('community')}** · {' '.join(str(h.get('category', '')).split())}: "
            f"{h.get('observed')} {'in the month' if whole else 'so far'} vs "
            f"~{_n(h.get('expected'))} expected (q={float(h.get('q_value', 1)):.3f})"
            for h in hot[:5]
        )
    elif fdr.get("tested"):
        value = (
            f"Nothing ran improbably high in {tested_month}."
            if tested_month
            else "Nothing ran improbably high."
        )
    else:
        value = "Nothing could be tested (see the notes above)."
    name = "Running hot" + (f", {tested_month}" if tested_month else "")
    fields.append(
        {
            "name": f"{name} ({fdr.get('flagged', len(hot))} of {fdr.get('tested', '?')} "
            f"series; {fdr.get('method', 'FDR')} at {fdr.get('level', '?')})",
            "value": value,
        }
    )
    top = alert.get("top_next_month") or []
    if top:
        fields.append(
            {
                "name": f"Highest forecast, {_month_label(top[0].get('month', 'next month'))}",
                "value": "\n".join(
                    f"{i}. **{t.get('community')}** — about {_n(t.get('mean'))}"
                    f" (80% range {t.get('lo80')}–{t.get('hi80')})"
                    for i, t in enumerate(top[:5], 1)
                ),
            }
        )
    changes = alert.get("changes") or []
    if changes:
        fields.append(
            {
                "name": "Biggest changes against the last forecast",
                "value": "\n".join(
                    f"**{c.get('community')}** · {' '.join(str(c.get('category', '')).split())}: "
                    f"{_n(c.get('previous_mean'))} → {_n(c.get('mean'))}"
                    for c in changes[:5]
                ),
            }
        )
    health = alert.get("health") or {}
    if health:
        mae = health.get("mae") or {}
        mae_text = (
            ", ".join(f"{k} {float(v):.2f}" for k, v in mae.items() if isinstance(v, (int, float)))
            or "n/a"
        )
        fields.append(
            {
                "name": "Model health",
                "value": f"{health.get('model', '?')}; MAE {mae_text} over "
                f"{health.get('months', '?')} months; data "
                f"{health.get('data_age_days', '?')} days old",
            }
        )
    caveat = alert.get("caveat") or ""
    card = f"What the counts are: {DATA_CARD}"
    footer = (
        f"{caveat} {card} · crimecast, as of {alert.get('as_of', '')}"
        if caveat
        else f"{card} · crimecast, as of {alert.get('as_of', '')}"
    )
    embed = {
        "type": "rich",
        "title": title,
        "description": "\n".join(desc),
        "fields": fields,
        "color": COLOR_ALERT if hot else COLOR_OK,
        "footer": {"text": footer},
    }
    return fit_embed(embed)


def alert_text(alert: Mapping[str, Any]) -> str:
    """The alert as plain text (console preview)."""
    e = alert_embed(alert)
    out = [e["title"], e["description"]]
    for f in e["fields"]:
        out.append(f"{f['name']}:")
        out += ["  " + v for v in f["value"].split("\n")]
    out.append(e["footer"]["text"])
    return _plain("\n".join(out))


def alert_png(alert: Mapping[str, Any]) -> bytes | None:
    """A ranking chart of the alert's top forecast communities (None when there are none)."""
    from bot.answering.answer import Bar, ChartSpec
    from bot.rendering.chart import render_png

    top = alert.get("top_next_month") or []
    if not top:
        return None
    spec = ChartSpec(
        "bars",
        f"Highest forecast, {top[0].get('month', '')} · {alert.get('scope_label', '')}",
        ylabel="expected reported incidents",
        bars=[
            Bar(
                str(t.get("community")),
                float(t.get("mean", 0)),
                float(t.get("lo80", 0)),
                float(t.get("hi80", 0)),
            )
            for t in top[:5]
        ],
        note=f"Data through {alert.get('data_through')} · whiskers: 80% range",
    )
    return render_png(spec)


# --- the accountability report -----------------------------------------------------------------------
def report_embed(post: Mapping[str, Any]) -> dict:
    """The monthly accountability post (``workers.report.post``) as an embed within Discord's limits:
    the report's headline lines, the regions most and least over-forecast, and the data card."""
    from workers.report.text import headline

    report = post.get("report") or {}
    lines = headline(report)
    p = report.get("period") or {}
    conc = report.get("concentration") or {}
    fields = []
    if conc.get("top_areas"):
        fields.append(
            {
                "name": "Most-flagged areas",
                "value": ", ".join(f"{t['community']} ({t['flags']})" for t in conc["top_areas"]),
            }
        )
    watch = (report.get("feedback_watch") or {}).get("areas") or []
    if watch:
        fields.append(
            {
                "name": "Feedback-loop watch (may reflect enforcement as well as crime)",
                "value": "\n".join(
                    f"{w['community']}: flagged {w['flagged_in_last']} of "
                    f"{w['of_tests']}; {w['mean_before']} → {w['mean_after']} "
                    f"a month"
                    for w in watch[:10]
                ),
            }
        )
    footer = " ".join(report.get("caveats") or []) + f" · Data card: {report.get('data_card', '')}"
    embed = {
        "type": "rich",
        "title": f"Accountability report · {p.get('start', '')} to {p.get('end', '')}",
        "description": "\n".join(lines[1:]),
        "fields": fields,
        "color": COLOR_OK,
        "footer": {"text": footer},
    }
    return fit_embed(embed)


def report_png(post: Mapping[str, Any]) -> bytes | None:
    """The report's chart (None when the post holds no report)."""
    from workers.report.chart import report_png as draw

    return draw(post["report"]) if post.get("report") else None
