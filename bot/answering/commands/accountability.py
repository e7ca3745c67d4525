"""Accuracy: how well the forecasts did and where the alerts pointed, for the asker's scope.

(Accuracy on demand, from the forecast archive and the counts at question time, is the
:mod:`bot.answering.measures.accuracy` evaluator; the engine puts it beside this report's figures.)

"How accurate are you in Forest Lawn?", "where do your alerts point?", "are you biased against
the northeast?" are answered from the saved accountability report (issue 12;
:func:`workers.report.latest_report`, cut to a scope by :func:`workers.report.report_for_scope`),
never recomputed here, so chat and report cannot disagree. The report groups figures by region: a
community is answered by its region, and the answer says so. Before the first report is saved the
answer says that and names the command that makes one, rather than inventing figures.
"""

from __future__ import annotations

from core.caveats import DATA_CARD, REPORTED

from bot.answering.answer import Answer
from bot.answering.asked import place_of
from bot.language.names import Place
from bot.language.question import Question
from bot.rendering.header import for_question

COMMAND = "crimecast report accountability"
CARD = f"What the counts are and are not: {DATA_CARD}"


def _norm(name: str) -> str:
    """A name as the report spells its regions (``workers.alerts.subscriptions.norm_name``).

    >>> _norm("  forest   lawn ")
    'FOREST LAWN'
    """
    return " ".join(str(name).split()).upper()


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.0f}%"


def _signed_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f}%"


def answer(engine, question: Question, context=None) -> Answer:
    """The scope's accuracy and pointing figures from the newest saved report (read as asked:
    an admin may save a new one at any time)."""
    report = None
    if engine.client.exists(engine.keys.accountability_report):  # pandas only when there is one
        from workers.report import latest_report

        report = latest_report(engine.client, engine.keys)
    state, names = engine.state(), engine.names
    title = "How accurate, and where the alerts point"
    a = for_question(state, engine.today(), names, question, "accuracy", title)
    if report is None:
        a.lines.append(
            f"No accountability report has been saved yet, so I have no pointing or "
            f"bias figures to give (an admin makes one with `{COMMAND}`; I answer "
            "from the newest one); how the forecasts did is below."
        )
        a.data.update({"report": None, "command": COMMAND, "data_card": DATA_CARD})
        a.caveat = f"{REPORTED} {CARD}"
        return a
    regions = {_norm(n): _norm(i.sector) for n, i in state.reference.items() if i.sector}
    place = place_of(question.place)
    scope, note = _scope(place, regions, names.region_word or "region")
    from workers.report import report_for_scope

    part = report_for_scope(report, regions=regions, **scope)
    region = None if part["scope"] == "city" else part["scope"]
    where = f"{region} ({names.region_word or 'region'})" if region else "city-wide"
    a.title = f"How accurate, and where the alerts point: {where}"
    if note:
        a.lines.append(f"ℹ {note}")
    p = part["period"]
    a.lines.append(
        f"From the accountability report for {p['start']} to {p['end']} ({p['months']} "
        f"months), made {report.get('generated_at', '?')}."
    )
    period = question.period if question.period and not question.period.future else None
    if period is not None:
        a.lines.append(
            f"ℹ The report covers {p['start']} to {p['end']}; I can't cut it to "
            f"{period.label} (an admin can run `{COMMAND} --months N`)."
        )
    a.lines.extend(_accuracy_lines(part["accuracy"], report, region))
    by_category = {c: report["accuracy"]["by_category"].get(c) for c in question.crime.categories}
    if by_category:
        if region:
            a.lines.append(
                f"ℹ The report splits by {names.region_word or 'region'} or by "
                "category, not both: the category figures below are city-wide."
            )
        for cat, acc in by_category.items():
            a.lines.append(
                f"• {' '.join(cat.split())}: "
                + (
                    "no archived forecast in this period."
                    if not acc
                    else f"80% ranges held {_pct(acc['coverage80'])}, bias {acc['bias']:+.3f} a "
                    f"series-month ({_signed_pct(acc['bias_pct'])} against the count), "
                    f"over {acc['series_months']:,} series-months."
                )
            )
    a.lines.extend(_pointing_lines(part, report, region))
    a.data.update(
        {
            "report": {"period": p, "generated_at": report.get("generated_at")},
            "scope": part["scope"],
            "community": part["community"],
            "accuracy": part["accuracy"],
            "pointed": part["pointed"],
            "feedback_watch": part.get("feedback_watch"),
            "by_category": by_category,
            "data_card": DATA_CARD,
        }
    )
    a.caveat = " ".join(part["caveats"]) + f" {CARD}"
    return a


def _scope(place: Place, regions: dict[str, str], word: str) -> tuple[dict, str | None]:
    """``report_for_scope`` arguments for the place asked about, and a note when the answer is
    for a wider area than the one named."""
    if place.kind == "sector":
        return {"region": place.region or place.label}, None
    if place.kind == "community":
        community = place.communities[0] if place.communities else place.label
        region = regions.get(_norm(community))
        if region is None:
            return {}, (
                f"I have no {word} for {place.label} (the reference data name none), so "
                "this is the city-wide figure."
            )
        return {"community": community}, (
            f"The report groups figures by {word}: {place.label} is "
            f"answered by its {word}, {region}."
        )
    if place.kind == "group":
        found = {regions.get(_norm(c)) for c in place.communities}
        if len(found) == 1 and None not in found:
            region = found.pop()
            return {"region": region}, (f"{place.label} is answered by its {word}, {region}.")
        return {}, f"{place.label} spans several {word}s: this is the city-wide figure."
    return {}, None


def _accuracy_lines(acc: dict | None, report: dict, region: str | None) -> list[str]:
    """Coverage, bias and deviance of the scope, set beside the city's when it is a region."""
    if not acc:
        return [
            f"How well it did: the report has no archived forecast for "
            f"{region or 'the city'} in this period."
        ]
    bias_pct = acc.get("bias_pct")
    lean = (
        "n/a"
        if bias_pct is None
        else f"forecasts {abs(bias_pct):.1f}% above the counts: over-forecast"
        if bias_pct > 0
        else f"forecasts {abs(bias_pct):.1f}% below the counts: under-forecast"
        if bias_pct < 0
        else "forecasts matched the counts in total"
    )
    ratio = acc.get("deviance_ratio")
    lines = [
        f"**How well it did**: over {acc['series_months']:,} series-months the 80% ranges held "
        f"the count {_pct(acc['coverage80'])} of the time; bias {acc['bias']:+.3f} a "
        f"series-month ({lean}); deviance {'n/a' if ratio is None else f'{ratio:.2f}'} of "
        "simple smoothing's (below 1 is better)."
    ]
    overall = report["accuracy"].get("overall") or {}
    if region and overall.get("bias_pct") is not None:
        lines.append(
            f"City-wide: coverage {_pct(overall['coverage80'])}, bias {overall['bias_pct']:+.1f}%."
        )
    hi, lo = (
        report["accuracy"].get("most_over_forecast"),
        report["accuracy"].get("least_over_forecast"),
    )
    if hi and lo:
        lines.append(f"Most over-forecast region: {hi}; least: {lo}.")
    return lines


def _pointing_lines(part: dict, report: dict, region: str | None) -> list[str]:
    """Where the flags and rankings went: the region's shares, or the city's concentration."""
    conc = part["concentration"]
    lines = []
    if region:
        pt = part["pointed"]
        if pt is None:
            lines.append(f"**Where the alerts point**: the report has no figures for {region}.")
        else:
            share = (
                f"{_pct(pt['flag_share'])} of all"
                if conc["flags"]
                else "none anywhere in the period"
            )
            lines.append(
                f"**Where the alerts point**: {pt['flags']} running-hot flag(s) in "
                f"{region}, {share}; {_pct(pt['top_k_share'])} of "
                f"top-{report['top_k']} slots; against {_pct(pt['crime_share'])} of "
                f"reported crime and {_pct(pt['population_share'])} of population."
            )
        for w in part.get("feedback_watch") or []:
            lines.append(
                f"⚠ {w['community']} flagged in {w['flagged_in_last']} of the last "
                f"{w['of_tests']} tests: {w['note']}."
            )
    else:
        spread = (
            f"the {conc['top_n']} most-flagged got {_pct(conc['top_share'])} of them"
            if conc["flags"]
            else "no series ran improbably high in the period"
        )
        lines.append(
            f"**Where the alerts point**: {conc['flags']} running-hot flag(s) on "
            f"{conc['areas_flagged']} area(s); {spread}."
        )
        by_flags = sorted(report["pointed"].items(), key=lambda kv: (-kv[1]["flags"], kv[0]))
        for name, pt in by_flags[:8]:
            lines.append(
                f"• {name}: flags {_pct(pt['flag_share'])}, top-{report['top_k']} "
                f"{_pct(pt['top_k_share'])}, reported crime {_pct(pt['crime_share'])}, "
                f"population {_pct(pt['population_share'])}"
            )
    return lines
