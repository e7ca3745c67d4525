"""City profiles: Calgary's ships as the default, others load from YAML, and a bad one is told
what is wrong line by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.profile import ProfileError, active_profile, check_file, load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[2]
ATLANTA = ROOT / "docs" / "cities" / "atlanta.yaml"
MINIMAL = """\
name: Springfield
timezone: America/Chicago
area: {singular: district, plural: districts}
categories:
  - name: Theft of Bicycle
  - name: Burglary
source: {kind: mapped, mapping: {columns: {community: D, category: T, datetime: W}}}
"""


def test_calgary_is_the_default():
    """Without a file, the profile is Calgary's: its nine categories, sectors and words."""
    p = load_profile(None)
    assert p.name == "Calgary" and p.area.plural == "communities"
    assert len(p.category_names) == 9 and "Violence  'Other' (Non-domestic)" in p.category_names
    assert p.region_label("NORTHEAST") == "NORTHEAST sector"


def test_atlanta_example_loads():
    """The documented Atlanta profile is valid: NPUs, neighborhoods, its eleven categories."""
    p = load_profile(ATLANTA)
    assert (p.name, p.area.singular, p.regions.word.singular) == ("Atlanta", "neighborhood", "NPU")
    assert len(p.categories) == 11 and p.region_label("M") == "NPU M"
    assert p.region_of_label("npu  m") == "M"
    assert p.fallback_area("M") == "NPU M (NO NEIGHBORHOOD)"
    assert p.is_fallback_area("NPU M (NO NEIGHBORHOOD)") and not p.is_fallback_area("MIDTOWN")


def test_a_minimal_profile_is_enough():
    """Name, time zone, area words, categories and a source make a usable profile."""
    p = parse_profile(MINIMAL)
    assert p.category_names == ("Theft of Bicycle", "Burglary") and p.regions is None
    assert p.region_label("X") == "X"


def test_active_profile_follows_the_environment(monkeypatch):
    """CRIMECAST_CITY_FILE selects the deployment's profile."""
    monkeypatch.setenv("CRIMECAST_CITY_FILE", str(ATLANTA))
    assert active_profile().name == "Atlanta"
    monkeypatch.delenv("CRIMECAST_CITY_FILE")
    assert active_profile().name == "Calgary"


@pytest.mark.parametrize(
    "change,line,words",
    [
        (("timezone: America/Chicago", "timezone: Mars/Olympus"), 2, "unknown time zone"),
        (
            ("area: {singular: district, plural: districts}", "area: {singular: district}"),
            3,
            "area.plural: required field is missing",
        ),
        (("  - name: Burglary", "  - {name: Burglary, colour: red}"), 6, "unknown field"),
        (("name: Springfield\n", ""), None, "name: required field is missing"),
        (("source: {kind: mapped, mapping", "source: {kind: scraped, mapping"), 7, "source.kind"),
    ],
)
def test_problems_are_told_line_by_line(tmp_path, change, line, words):
    """Each problem names its line (when it has one) and what is wrong."""
    path = tmp_path / "city.yaml"
    path.write_text(MINIMAL.replace(*change))
    problems = check_file(path)
    assert any(words in msg and (line is None or ln == line) for ln, msg in problems), problems


def test_group_members_must_be_categories():
    """A group naming a category the profile lacks is refused, naming it."""
    text = MINIMAL + "groups:\n  - {label: violent crime, members: [Assault]}\n"
    with pytest.raises(ProfileError, match="'Assault', not a category"):
        parse_profile(text)


def test_not_yaml_is_told_with_its_line(tmp_path):
    """Broken YAML is reported with the line it breaks on."""
    path = tmp_path / "city.yaml"
    path.write_text("name: x\ncategories: [a, b\narea: {}\n")
    ((line, msg),) = check_file(path)
    assert "not valid YAML" in msg and line is not None


def test_profile_check_command(tmp_path):
    """`crimecast profile check` prints one line per problem and exits 1; OK files exit 0."""
    from bot.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["profile", "check", str(ATLANTA)])
    assert ok.exit_code == 0 and "OK: Atlanta" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINIMAL.replace("America/Chicago", "Mars/Olympus").replace(
            "{singular: district, plural: districts}", "{singular: district}"
        )
    )
    out = runner.invoke(app, ["profile", "check", str(bad)])
    assert out.exit_code == 1
    assert f"{bad}:2: timezone" in out.output and f"{bad}:3: area.plural" in out.output
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MINIMAL.replace("datetime: W", "day: W"))
    out = runner.invoke(app, ["profile", "check", str(mapping)])
    assert out.exit_code == 1 and "source.mapping" in out.output


def test_profile_show_names_the_deployment_s_city(monkeypatch):
    """`crimecast profile show` shows the profile in use (CRIMECAST_CITY_FILE, else Calgary)."""
    from bot.cli import app

    runner = CliRunner()
    monkeypatch.delenv("CRIMECAST_CITY_FILE", raising=False)
    assert "Calgary" in runner.invoke(app, ["profile", "show"]).output
    monkeypatch.setenv("CRIMECAST_CITY_FILE", str(ATLANTA))
    out = runner.invoke(app, ["profile", "show"]).output
    assert "Atlanta" in out and "AGG ASSAULT" in out and "neighborhoods" in out


def test_a_bad_city_file_stops_the_settings(tmp_path, monkeypatch):
    """CRIMECAST_CITY_FILE naming an unusable profile is a configuration error, line by line."""
    from pydantic import ValidationError

    from workers.settings import Settings

    bad = tmp_path / "city.yaml"
    bad.write_text(MINIMAL.replace("timezone: America/Chicago\n", ""))
    monkeypatch.setenv("CRIMECAST_CITY_FILE", str(bad))
    with pytest.raises(ValidationError, match=r"city.yaml:1: timezone: required field is missing"):
        Settings()
