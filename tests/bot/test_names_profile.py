"""The vocabulary follows the city profile: its words, its regions, its categories, derived words
for what the profile does not list, and never another category for a word that names none."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.engine import help_answer
from bot.language.names import CommunityInfo, Names
from bot.language.options import question_from_options
from bot.language.question import QueryError
from bot.language.understand import parse_question as parse
from bot.rendering.render import to_text
from core.profile import load_profile, parse_profile

ROOT = Path(__file__).resolve().parents[2]
ATLANTA = load_profile(ROOT / "docs" / "cities" / "atlanta.yaml")
BIKES = parse_profile("""
name: Springfield
timezone: America/Chicago
area: {singular: district, plural: districts}
categories:
  - name: Theft of Bicycle
  - name: Theft from Vehicle
  - name: Theft of Vehicle
  - name: Assault
source: {kind: mapped, mapping: {columns: {community: D, category: T, datetime: W}}}
""")
HOODS = ["DOWNTOWN", "MIDTOWN", "WEST END", "HOME PARK", "NPU M (NO NEIGHBORHOOD)"]
ATL_CATS = list(ATLANTA.category_names)


@pytest.fixture(scope="module")
def atl() -> Names:
    info = {
        "DOWNTOWN": CommunityInfo("DOWNTOWN", sector="M"),
        "MIDTOWN": CommunityInfo("MIDTOWN", sector="E"),
        "WEST END": CommunityInfo("WEST END", sector="T"),
        "HOME PARK": CommunityInfo("HOME PARK", sector="E"),
        "NPU M (NO NEIGHBORHOOD)": CommunityInfo("NPU M (NO NEIGHBORHOOD)", sector="M"),
    }
    return Names(HOODS, ATL_CATS, info, profile=ATLANTA, busiest=("DOWNTOWN", "MIDTOWN"))


@pytest.fixture(scope="module")
def bikes() -> Names:
    return Names(["NORTH SIDE", "SOUTH SIDE"], list(BIKES.category_names), profile=BIKES)


@pytest.mark.parametrize(
    "text,cats",
    [
        ("bike theft on the north side", {"Theft of Bicycle"}),
        ("bicycle north side next month", {"Theft of Bicycle"}),
        ("bikes stolen north side", {"Theft of Bicycle"}),
        ("car theft north side", {"Theft of Vehicle"}),
        ("thefts from cars north side", {"Theft from Vehicle"}),
    ],
)
def test_words_the_profile_does_not_list_are_derived(bikes, text, cats):
    """'Theft of Bicycle' answers 'bike theft', 'bicycle', 'bikes stolen' without any synonym."""
    assert set(parse(text, bikes).crime.categories) == cats


@pytest.mark.parametrize(
    "text,word",
    [
        ("bike thefts in the west end next month", "bike"),
        ("bicycles stolen in midtown", "bicycles"),
        ("arson downtown", "arson"),
        ("residential thefts in midtown", "residential"),
    ],
)
def test_a_word_naming_no_category_lists_those_that_exist(atl, text, word):
    """Never vehicle crime for bikes: the reply says which categories the city has."""
    with pytest.raises(QueryError) as info:
        parse(text, atl)
    assert info.value.kind == "unknown_category" and f"'{word}'" in str(info.value)
    assert "AUTO THEFT" in str(info.value) and "violent crime" in str(info.value)


def test_slash_category_option_never_lands_on_a_neighbour(atl):
    """A category option naming no category is refused, not fuzzily matched to another."""
    with pytest.raises(QueryError, match="Categories here"):
        question_from_options("forecast", atl, community="midtown", category="bike theft")
    assert question_from_options(
        "forecast", atl, category="aggravated assault"
    ).crime.categories == ("AGG ASSAULT",)


@pytest.mark.parametrize(
    "text,label,n",
    [
        ("top 5 in npu m", "NPU M", 2),
        ("robberies in NPU-E", "NPU E", 2),
        ("top 3 in npu e next month", "NPU E", 2),
    ],
)
def test_regions_are_the_profile_s(atl, text, label, n):
    """Atlanta's NPUs are regions: 'NPU M' scopes to its neighborhoods."""
    q = parse(text, atl)
    assert q.place.label == label and q.place.kind == "region" and len(q.place.names) == n


def test_calgary_sectors_mean_nothing_in_atlanta(atl):
    """'the northeast' is not a region of Atlanta (no Calgary sector leaks in)."""
    assert atl.sector("northeast") is None and atl.sector("npu m").region == "M"
    with pytest.raises(QueryError):
        parse("forecast the northeast", atl)


def test_area_words_follow_the_profile(atl):
    """Unknown places and groups speak of neighborhoods, not communities."""
    with pytest.raises(QueryError, match="couldn't find a neighborhood"):
        parse("forecast gotham", atl)
    with pytest.raises(QueryError, match="Atlanta neighborhoods"):
        parse("?!", atl)
    assert parse("which neighborhoods will have the most auto theft", atl).ranking is not None


def test_a_neighborhood_named_like_a_crime_word_is_a_place(atl):
    """'Home Park' is a neighborhood; 'home burglaries' is a category."""
    q = parse("home burglaries in home park", atl)
    assert q.place.label == "HOME PARK" and q.crime.categories == ("BURGLARY-RESIDENCE",)


def test_help_speaks_the_city(atl):
    """Help examples use the city's busiest areas, its groups and its regions."""
    text = to_text(help_answer(None, atl), markdown=False)
    assert "Atlanta neighborhoods" in text and "forecast Downtown next month" in text
    assert 'an NPU ("NPU E")' in text and "violent crime" in text
    assert "Beltline" not in text and "sector" not in text


def test_fallback_area_is_said(atl):
    """A place holding rows counted by NPU (no neighborhood) says so."""
    note = atl.fallback_note(atl.sector("npu m"))
    assert "no neighborhood recorded" in note and "NPU M (NO NEIGHBORHOOD)" in note
    assert atl.fallback_note(atl.community("midtown")) is None


def test_region_choices_for_slash_commands(atl):
    """Slash-command region choices are the city's regions, labelled as the profile says."""
    assert atl.region_choices() == [("NPU E", "E"), ("NPU M", "M"), ("NPU T", "T")]


def test_a_category_file_city_without_a_profile_still_gets_its_words():
    """With only its own categories (Calgary's profile still active), derived words answer:
    'bike thefts' is the bicycle category and 'violent crime' the offences against a person."""
    cats = [
        "Theft of Bicycle",
        "Theft from Motor Vehicle",
        "Theft of Motor Vehicle",
        "Offences Against a Person",
        "Break and Enter - Residential",
        "Robbery",
    ]
    names = Names(["WEST END", "EAST END"], cats)
    q = parse("bike thefts in the west end next month", names)
    assert q.crime.categories == ("Theft of Bicycle",) and q.place.label == "WEST END"
    q = parse("violent crime in the east end next month", names)
    assert set(q.crime.categories) == {"Offences Against a Person", "Robbery"} and not q.unplaced
