"""The accountability report as plain text: a few headline lines, then the tables, every line
within :data:`WIDTH` columns (a plain terminal; longer prose lines wrap with a two-space indent).
"""

from __future__ import annotations

import textwrap
from typing import Any, Mapping

__all__ = ["WIDTH", "headline", "report_text"]

WIDTH = 80


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.0f}%"


def _signed(x: float | None, unit: str = "") -> str:
    return "n/a" if x is None else f"{x:+.1f}{unit}" if unit == "%" else f"{x:+.3f}{unit}"


def headline(report: Mapping[str, Any]) -> list[str]:
    """The first lines: the period, the concentration of flags, accuracy, the watch, who asked."""
    p, conc, acc = report["period"], report["concentration"], report["accuracy"]
    overall = acc["overall"] or {}
    unit = report["test_unit"]
    lines = [
        f"crimecast accountability report, {p['start']} to {p['end']} ({p['months']} months; "
        f"{'monthly' if unit == 'month' else 'day-level'} source, {report['tests']} {unit}ly "
        f"running-hot tests)."
    ]
    if conc["areas_flagged"] > conc["top_n"]:
        spread = f"the {conc['top_n']} most-flagged areas got {_pct(conc['top_share'])} of them"
    else:
        spread = f"too few areas for a top-{conc['top_n']} concentration (all flags are theirs)"
    lines.append(
        f"Where it pointed: {conc['flags']} running-hot flags on {conc['areas_flagged']} "
        f"areas; {spread}."
    )
    if overall:
        ratio = overall.get("deviance_ratio")
        lines.append(
            f"How well it did: {overall['series_months']:,} series-months; 80% ranges held the count "
            f"{_pct(overall['coverage80'])} of the time; bias {_signed(overall['bias'])} a "
            f"series-month (forecast {_signed(overall['bias_pct'], '%')} against the count); "
            f"deviance {'n/a' if ratio is None else f'{ratio:.2f}'} of simple smoothing's."
        )
    else:
        lines.append("How well it did: no archived forecast covers this period yet.")
    hi, lo = acc.get("most_over_forecast"), acc.get("least_over_forecast")
    if hi and lo:
        by = acc["by_region"]
        lines.append(
            f"Most over-forecast region: {hi} ({_signed(by[hi]['bias_pct'], '%')}); least: "
            f"{lo} ({_signed(by[lo]['bias_pct'], '%')})."
        )
    watch = report["feedback_watch"]
    lines.append(
        f"Feedback-loop watch: {len(watch['areas'])} area(s) flagged in "
        f"{watch['min_flags']}+ of the last {watch['window_tests']} {unit}ly tests "
        f"(may reflect enforcement as well as crime)."
    )
    a = report["asked"]
    lines.append(
        f"Who asked (last {a['days']} days): {a['questions']} questions, {a['refused']} "
        f"refused, {a['rate_limited']} rate-limited."
    )
    return lines


def _table(rows: list[list[str]], width: int = WIDTH) -> list[str]:
    """Columns right-aligned after a left-aligned first one; first-column entries too long for
    ``width`` are cut with an ellipsis.

    >>> _table([["region", "bias"], ["A VERY LONG REGION NAME", "+0.1"]], width=16)
    ['region      bias', 'A VERY LO…  +0.1']
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    room = width - sum(widths[1:]) - 2 * (len(widths) - 1)
    if widths[0] > room:
        widths[0] = max(room, len(rows[0][0]))
        rows = [
            [r[0] if len(r[0]) <= widths[0] else r[0][: widths[0] - 1] + "…", *r[1:]] for r in rows
        ]
    return [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in rows
    ]


def _wrap(lines: list[str], width: int = WIDTH) -> list[str]:
    """Prose lines folded at ``width`` (words and paths kept whole); blank lines kept."""
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(
            line, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
        ) or [""]
    return out


def report_text(report: Mapping[str, Any]) -> str:
    """Headline, then where it pointed and how well it did by region, by category, the watch."""
    out = _wrap(headline(report)) + [""]
    acc = report["accuracy"]
    rows = [["region", "flags", "top-k", "crime", "pop.", "cov80", "bias", "bias%", "dev/SES"]]
    for region, p in report["pointed"].items():
        a = acc["by_region"].get(region) or {}
        rows.append(
            [
                region,
                _pct(p["flag_share"]),
                _pct(p["top_k_share"]),
                _pct(p["crime_share"]),
                _pct(p["population_share"]),
                _pct(a.get("coverage80")),
                _signed(a.get("bias")),
                _signed(a.get("bias_pct"), "%"),
                "n/a" if a.get("deviance_ratio") is None else f"{a['deviance_ratio']:.2f}",
            ]
        )
    out += _wrap(
        [
            "By region (shares of flags, of top-k slots, of reported crime, of population; "
            "cov80: how often the 80% range held the count; dev/SES: deviance against simple "
            "smoothing's):"
        ]
    )
    out += _table(rows) + [""]
    rows = [["category", "cov80", "bias", "bias%", "dev/SES"]]
    for cat, a in acc["by_category"].items():
        rows.append(
            [
                " ".join(cat.split()),
                _pct(a["coverage80"]),
                _signed(a["bias"]),
                _signed(a["bias_pct"], "%"),
                "n/a" if a["deviance_ratio"] is None else f"{a['deviance_ratio']:.2f}",
            ]
        )
    out += ["By category:"] + _table(rows) + [""]
    tail: list[str] = []
    conc = report["concentration"]
    if conc["top_areas"]:
        tail.append(
            "Most-flagged areas: "
            + ", ".join(f"{t['community']} ({t['flags']})" for t in conc["top_areas"])
        )
    for w in report["feedback_watch"]["areas"]:
        tail.append(
            f"Watch: {w['community']} ({w['region']}) flagged in {w['flagged_in_last']} of "
            f"the last {w['of_tests']} tests, first {w['first_flag']}; mean monthly count "
            f"{w['mean_before']} before, {w['mean_after']} from then: {w['note']}."
        )
    a = report["asked"]
    if a["questions"]:
        tail.append(
            "Questions by region: "
            + ", ".join(f"{k} {v}" for k, v in sorted(a["by_region"].items()))
        )
        tail.append(
            "Questions by category: "
            + ", ".join(f"{' '.join(k.split())} {v}" for k, v in sorted(a["by_category"].items()))
        )
    tail += (
        [""] + list(report["caveats"]) + [f"What the counts are and are not: {report['data_card']}"]
    )
    out += _wrap(tail)
    return "\n".join(out)
