"""The chat side of the accountability report: accuracy and pointing figures for the asker's scope,
read from the saved report (issue 12 part 2), never invented."""

from __future__ import annotations

import pytest

from bot.answering.engine import Engine
from workers.report import accountability_report, save_report


@pytest.fixture
def reported(r, keys, slice_frame, reference_files, seeder, today):
    """The slice counted through 2023-12 with forecasts archived month by month, the reference
    data loaded, and a 3-month accountability report saved, as `crimecast report accountability`
    leaves it."""
    seeder.fill(
        r, keys, slice_frame, data_through="2023-12", archive=("2023-09", "2023-10", "2023-11")
    )
    seeder.load_reference(r, keys, *reference_files)
    report = accountability_report(r, keys, months=3, end="2023-12")
    save_report(r, keys, report)
    return Engine(r, keys, today=today), report


def _region_of(r, keys, community: str) -> str:
    """The community's region as the reference data (not the bot) give it."""
    import json

    return json.loads(r.hget(keys.communities, community))["sector"].strip().upper()


def test_without_a_report_the_answer_names_the_command(engine):
    """Before any report is saved: no figures, and the command that makes one."""
    a = engine.ask("how accurate are you in Forest Lawn?")
    assert a.intent == "accuracy" and a.data["report"] is None
    assert "`crimecast report accountability`" in "\n".join(a.lines)
    assert "%" not in "\n".join(a.lines)
    assert "docs/data.md" in a.caveat


def test_a_community_is_answered_by_its_region_named_as_such(reported, r, keys):
    """ "How accurate are you in Forest Lawn?": the region's figures from the report, region named."""
    engine, report = reported
    a = engine.ask("how accurate are you in Forest Lawn?")
    region = _region_of(r, keys, "FOREST LAWN")
    assert a.data["scope"] == region and a.data["community"] == "FOREST LAWN"
    assert a.data["accuracy"] == report["accuracy"]["by_region"][region]
    assert a.data["pointed"] == report["pointed"][region]
    text = "\n".join(a.lines)
    assert f"answered by its sector, {region}" in text
    acc = report["accuracy"]["by_region"][region]
    assert f"{acc['coverage80'] * 100:.0f}% of the time" in text
    assert (
        f"{abs(acc['bias_pct']):.1f}%" in text and f"{acc['series_months']:,} series-months" in text
    )


def test_city_wide_accuracy_is_the_reports_overall_figure(reported):
    """ "How accurate are your forecasts": the report's overall accuracy and its period."""
    engine, report = reported
    a = engine.ask("how accurate are your forecasts")
    assert a.intent == "accuracy" and a.data["scope"] == "city"
    assert a.data["accuracy"] == report["accuracy"]["overall"]
    assert a.data["report"]["period"] == report["period"]
    assert f"{report['period']['start']} to {report['period']['end']}" in a.lines[0]


def test_where_alerts_point_gives_each_regions_shares(reported):
    """ "Where do your alerts point?": the concentration and every region's shares, as reported."""
    engine, report = reported
    a = engine.ask("where do your alerts point?")
    text = "\n".join(a.lines)
    conc = report["concentration"]
    assert f"{conc['flags']} running-hot flag(s) on {conc['areas_flagged']} area(s)" in text
    for name, p in report["pointed"].items():
        share = "n/a" if p["flag_share"] is None else f"{p['flag_share'] * 100:.0f}%"
        assert f"• {name}: flags {share}" in text


def test_bias_against_a_region_reads_that_regions_bias(reported):
    """ "Are you biased against the southeast": its bias from the report, over or under said."""
    engine, report = reported
    a = engine.ask("are you biased against the southeast")
    acc = report["accuracy"]["by_region"]["SOUTHEAST"]
    assert a.data["scope"] == "SOUTHEAST" and a.data["accuracy"] == acc
    lean = "over-forecast" if acc["bias_pct"] > 0 else "under-forecast"
    assert (
        f"{abs(acc['bias_pct']):.1f}% {'above' if acc['bias_pct'] > 0 else 'below'} the "
        f"counts: {lean}" in "\n".join(a.lines)
    )


def test_a_region_without_figures_is_said_to_have_none(reported):
    """A region the report holds nothing for gets "no figures", not someone else's."""
    engine, _ = reported
    a = engine.ask("are you biased against the northeast")
    assert a.data["scope"] == "NORTHEAST" and a.data["accuracy"] is None
    assert "no archived forecast for NORTHEAST" in "\n".join(a.lines)


def test_accuracy_answer_carries_the_caveats_and_the_data_card(reported):
    """Every accuracy answer shows the report's caveats and links docs/data.md."""
    engine, report = reported
    a = engine.ask("how accurate are you in Forest Lawn?")
    assert all(c in a.caveat for c in report["caveats"])
    assert "docs/data.md" in a.caveat and a.data["data_card"] == "docs/data.md"


def test_a_newer_saved_report_is_answered_at_once(reported, r, keys):
    """Saving a new report changes the next answer (no stale copy is kept)."""
    engine, report = reported
    engine.ask("how accurate are your forecasts")
    newer = accountability_report(r, keys, months=2, end="2023-12")
    save_report(r, keys, newer)
    a = engine.ask("how accurate are your forecasts")
    assert a.data["report"]["period"]["months"] == 2
    assert a.data["accuracy"] == newer["accuracy"]["overall"]


def test_a_category_asked_about_gets_its_figures(reported):
    """ "How accurate have you been for car theft": the category's figures from the report."""
    engine, report = reported
    a = engine.ask("how accurate have you been for car theft")
    acc = report["accuracy"]["by_category"]["Theft OF Vehicle"]
    assert a.data["by_category"] == {"Theft OF Vehicle": acc}
    assert f"• Theft OF Vehicle: 80% ranges held {acc['coverage80'] * 100:.0f}%" in "\n".join(
        a.lines
    )


def test_a_period_the_report_does_not_cover_is_said(reported):
    """A period named in the question is not silently replaced by the report's."""
    engine, report = reported
    a = engine.ask("how accurate were you in forest lawn in 2022")
    assert a.intent == "accuracy"
    assert "I can't cut it to 2022" in "\n".join(a.lines)


def test_help_says_accuracy_can_be_asked(engine):
    """The help reply shows how to ask about accuracy and where the alerts point."""
    text = "\n".join(engine.ask("help").lines)
    assert "how accurate are you in <community>?" in text and "where do your alerts point?" in text
