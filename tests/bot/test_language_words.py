"""Officers' own words (issue 16's held-out failure kinds, and CompStat shorthand): each phrasing
is read right, or asked back; never answered as a broader or different question. Pure, no Redis.

Data through December 2023 from January 2018 (``FACTS``), or through May 2023 (``MID``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.language import read
from bot.language.names import CommunityInfo, Names
from bot.language.question import MAX_RANK, Clarify, QueryError
from bot.language.resolve import Facts
from core.profile import load_profile

FACTS = Facts("2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 20), True, True)
MID = Facts("2023-05", "2018-01", "2023-05", 24, False, None, None, date(2023, 6, 10), True, True)
THEFT_FROM, ASSAULT = "Theft FROM Vehicle", "Assault (Non-domestic)"
THEFT_OF = "Theft OF Vehicle"
ROBBERY = {"Street Robbery", "Commercial Robbery"}
BE = {"Break & Enter - Dwelling", "Break & Enter - Commercial", "Break & Enter - Other Premises"}
Y22, Y23 = ("2022-01", "2022-12"), ("2023-01", "2023-12")

# (text, facts, what, periods, extra checks: by / compared / categories / ranking / where)
READS = [
    # crime words: a form of a known phrase is read as it, and the reply says so
    ("car prowls in beltline in 2023", FACTS, "count", [Y23], {"cats": {THEFT_FROM}}),
    ("smash and grabs in beltline last year", FACTS, "count", [Y22], {"cats": {THEFT_FROM}}),
    ("how many burglries in 2023", FACTS, "count", [Y23], {"cats": BE}),
    # one span of months
    ("assaults Jan-Jun 2022", FACTS, "count", [("2022-01", "2022-06")], {}),
    ("assaults January through June 2022", FACTS, "count", [("2022-01", "2022-06")], {}),
    ("break ins Q2 and Q3 together 2023", FACTS, "count", [("2023-04", "2023-09")], {}),
    ("break ins in Q2 and Q3 2023 combined", FACTS, "count", [("2023-04", "2023-09")], {}),
    ("assaults in 2021 and 2022 combined", FACTS, "count", [("2021-01", "2022-12")], {}),
    ("assaults january plus february 2023 together", FACTS, "count", [("2023-01", "2023-02")], {}),
    ("thefts in Q1 in beltline in 2023", FACTS, "count", [("2023-01", "2023-03")], {}),
    # share words
    ("what % of assaults were in beltline in 2023", FACTS, "share", [Y23], {}),
    ("percentage-wise how much of crime in 2023 was in beltline", FACTS, "share", [Y23], {}),
    ("what slice of assaults in 2023 happened downtown", FACTS, "share", [Y23], {}),
    ("what portion of break ins were in forest lawn in 2023", FACTS, "share", [Y23], {}),
    ("what fraction of assaults were in beltline in 2023", FACTS, "share", [Y23], {}),
    # accuracy words
    ("how reliable are the predictions", FACTS, "accuracy", [], {}),
    ("how good is the model", FACTS, "accuracy", [], {}),
    ("what is your track record on assaults", FACTS, "accuracy", [], {"cats": {ASSAULT}}),
    ("how far off were you last month", FACTS, "accuracy", [("2023-12", "2023-12")], {}),
    # a group's areas
    ("what makes up the northeast", FACTS, "list", [], {"where": ["NORTHEAST sector"]}),
    ("what does downtown include", FACTS, "list", [], {"where": ["Downtown"]}),
    ("which communities are in downtown", FACTS, "list", [], {"where": ["Downtown"]}),
    # two-digit years
    ("assaults in '22", FACTS, "count", [Y22], {}),
    ("assaults in 22", FACTS, "count", [Y22], {}),
    ("spring '23 assaults in beltline", FACTS, "count", [("2023-03", "2023-05")], {}),
    ("Q2 22 break ins", FACTS, "count", [("2022-04", "2022-06")], {}),
    ("assaults 2021 vs 22", FACTS, "change", [("2021-01", "2021-12"), Y22], {}),
    # CompStat shorthand
    ("assaults over the rolling 3 months", FACTS, "count", [("2023-10", "2023-12")], {}),
    ("assaults the last two quarters", FACTS, "count", [("2023-07", "2023-12")], {}),
    ("assaults the last two quarters", MID, "count", [("2022-10", "2023-03")], {}),
    ("thefts since the start of summer", FACTS, "count", [("2023-06", "2023-12")], {}),
    ("thefts since the start of summer", MID, "count", [("2022-06", "2023-05")], {}),
    ("thefts since winter 2022", FACTS, "count", [("2021-12", "2023-12")], {}),
    ("thefts since the start of Q2", FACTS, "count", [("2023-04", "2023-12")], {}),
    (
        "assaults YTD vs same time last year",
        MID,
        "change",
        [("2023-01", "2023-05")],
        {"compared": "year_before"},
    ),
    (
        "month over month change in assaults",
        FACTS,
        "change",
        [("2023-11", "2023-11"), ("2023-12", "2023-12")],
        {"compared": "period"},
    ),
    ("assaults each month of 2023", FACTS, "count", [Y23], {"by": "month"}),
    ("last 2 yrs assaults", FACTS, "count", [("2022-01", "2023-12")], {}),
    (
        "how does beltline stack up against forest lawn in 2023",
        FACTS,
        "count",
        [Y23],
        {"where": ["BELTLINE", "FOREST LAWN"]},
    ),
    ("rank the sectors by assaults in 2023", FACTS, "count", [Y23], {"rank": (8, "top")}),
    ("which sector was safest in 2023", FACTS, "count", [Y23], {"rank": (1, "bottom")}),
    ("the 3 quietest sectors for assaults in 2023", FACTS, "count", [Y23], {"rank": (3, "bottom")}),
    ("fewest assaults by sector in 2023", FACTS, "count", [Y23], {"rank": (5, "bottom")}),
    # category shorthand: initials of the city's own category names, clipped forms, car words
    ("tfv in beltline in 2023", FACTS, "count", [Y23], {"cats": {THEFT_FROM}}),
    ("how many tovs in 2023", FACTS, "count", [Y23], {"cats": {THEFT_OF}}),
    ("cars broken into in beltline in 2023", FACTS, "count", [Y23], {"cats": {THEFT_FROM}}),
    ("cars get stolen in beltline in 2023", FACTS, "count", [Y23], {"cats": {THEFT_OF}}),
    ("ped robbery in beltline in 2023", FACTS, "count", [Y23], {"cats": {"Street Robbery"}}),
    # elided second period
    ("assaults this year vs last", FACTS, "change", [Y22, Y23], {"compared": "period"}),
    (
        "thefts this quarter compared to the previous one",
        FACTS,
        "change",
        [("2023-07", "2023-09"), ("2023-10", "2023-12")],
        {"compared": "period"},
    ),
    # a ranking of categories in a place
    ("top 3 offenses in beltline in 2023", FACTS, "count", [Y23], {"by": "category"}),
    # lists of a group's or region's areas
    ("which hoods count as downtown", FACTS, "list", [], {"where": ["Downtown"]}),
    (
        "which communities fall under the northeast sector",
        FACTS,
        "list",
        [],
        {"where": ["NORTHEAST sector"]},
    ),
    # a word inside one area's name
    (
        "assaults near the airport in 2023",
        FACTS,
        "count",
        [Y23],
        {"where": ["CALGARY INTERNATIONAL AIRPORT"]},
    ),
    ("how'd the model do on assaults in beltline", FACTS, "accuracy", [], {"cats": {ASSAULT}}),
    ("how did we do on the forecast for beltline", FACTS, "accuracy", [], {"where": ["BELTLINE"]}),
    # the area word's synonyms in rankings
    ("top 5 spots for assaults in 2023", FACTS, "count", [Y23], {"by": "area", "rank": (5, "top")}),
    ("top 5 hoods for assaults in 2023", FACTS, "count", [Y23], {"by": "area", "rank": (5, "top")}),
    (
        "top 3 places for assaults in 2023",
        FACTS,
        "count",
        [Y23],
        {"by": "area", "rank": (3, "top")},
    ),
    ("armed robberies in beltline in 2023", FACTS, "count", [Y23], {"cats": ROBBERY}),
    # round three: a place preposition is no crime word
    ("stolen cars out of beltline in 2023", FACTS, "count", [Y23], {"where": ["BELTLINE"]}),
    ("robberies along 17 ave in 2023", FACTS, "count", [Y23], {"cats": ROBBERY}),
    ("crimes throughout beltline in 2023", FACTS, "count", [Y23], {"where": ["BELTLINE"]}),
    ("crimes around forest lawn in 2023", FACTS, "count", [Y23], {"where": ["FOREST LAWN"]}),
    # the quietest / busiest month of the place named, never a ranking of areas
    ("least busy month in beltline in 2023", FACTS, "trough", [Y23], {"where": ["BELTLINE"]}),
    ("least active month for assaults in beltline in 2023", FACTS, "trough", [Y23], {}),
    ("most active month in beltline in 2023", FACTS, "peak", [Y23], {"where": ["BELTLINE"]}),
    # a group's areas
    ("which communities does downtown cover", FACTS, "list", [], {"where": ["Downtown"]}),
    ("which hoods does the northeast span?", FACTS, "list", [], {"where": ["NORTHEAST sector"]}),
    # "for the year" with no year: the newest complete one
    ("assaults in beltline for the year", FACTS, "count", [Y23], {}),
    ("total assaults for the whole year", MID, "count", [Y22], {}),
    ("assaults in beltline for the year 2022", FACTS, "count", [Y22], {}),
    # "which hood" is one, "which hoods" the default ranking
    ("which hood had the most assaults in 2023", FACTS, "count", [Y23], {"rank": (1, "top")}),
    ("which hoods had the most assaults in 2023", FACTS, "count", [Y23], {"rank": (5, "top")}),
    # the mix of crimes: a breakdown by category
    ("crime mix in beltline in 2023", FACTS, "count", [Y23], {"by": "category"}),
    ("mix of crimes in beltline in 2023", FACTS, "count", [Y23], {"by": "category"}),
    ("what's the crime breakdown in beltline in 2023", FACTS, "count", [Y23], {"by": "category"}),
]


@pytest.mark.parametrize("text,facts,what,periods,extra", READS, ids=[r[0] for r in READS])
def test_officers_words_read_as_asked(names, text, facts, what, periods, extra):
    """Each phrasing resolves to the question it asks."""
    q = read(text, names, facts)
    assert q.what == what, q
    assert [(p.start, p.end) for p in q.when] == periods
    if "cats" in extra:
        assert set(q.crime.categories) == extra["cats"]
    if "by" in extra:
        assert q.by == extra["by"]
    if "compared" in extra:
        assert q.compared_with == extra["compared"]
    if "rank" in extra:
        assert (q.ranking.n, q.ranking.order) == extra["rank"]
    if "where" in extra:
        assert [w.label for w in q.where] == extra["where"]
    if text.startswith("top 3 offenses"):
        assert q.ranking.n == 3


def test_shorthand_says_how_it_was_read(names):
    """An initialism or a word inside an area's name is named in the reply's "Read as" lines."""
    q = read("tfv near the airport in 2023", names, FACTS)
    assert any("'tfv'" in a for a in q.assumptions)
    assert any("'airport'" in a and "AIRPORT" in a for a in q.assumptions)


def test_rank_the_sectors_ranks_every_one(names):
    """ "rank the ..." with no number ranks all of them; a number still counts."""
    q = read("rank the sectors by assaults in 2023", names, FACTS)
    assert q.ranking.n == len(names.sectors) and q.by == "region"
    assert read("rank the top 3 sectors by assaults in 2023", names, FACTS).ranking.n == 3
    q = read("rank communities by assaults in 2023", names, FACTS)
    assert q.ranking.n == MAX_RANK and any(str(MAX_RANK) in a for a in q.assumptions)


ATL = load_profile(Path(__file__).resolve().parents[2] / "docs" / "cities" / "atlanta.yaml")
ATL_FACTS = Facts("2019-12", "2019-01", "2019-12", today=date(2020, 1, 20), has_population=False)
Y19 = ("2019-01", "2019-12")


@pytest.fixture(scope="module")
def atl() -> Names:
    info = {h: CommunityInfo(h, sector=s) for h, s in (("DOWNTOWN", "M"), ("MIDTOWN", "E"))}
    return Names(list(info), list(ATL.category_names), info, profile=ATL)


@pytest.mark.parametrize(
    "text,cats",
    [
        ("lfv in downtown in 2019", {"LARCENY-FROM VEHICLE"}),
        ("entering autos in midtown in 2019", {"LARCENY-FROM VEHICLE"}),
        ("car prowls in midtown in 2019", {"LARCENY-FROM VEHICLE"}),
        ("aggs in downtown in 2019", {"AGG ASSAULT"}),
        ("ped robberies in downtown in 2019", {"ROBBERY-PEDESTRIAN"}),
        ("cars stolen in midtown in 2019", {"AUTO THEFT"}),
    ],
)
def test_atlanta_shorthand_names_one_category(atl, text, cats):
    """APD's own words and clipped forms name one category, not a group."""
    q = read(text, atl, ATL_FACTS)
    assert q.what == "count" and set(q.crime.categories) == cats
    assert [(p.start, p.end) for p in q.when] == [Y19]


def test_a_place_word_no_area_holds_is_asked_back(atl):
    with pytest.raises(Clarify) as err:
        read("assaults near the airport in 2019", atl, ATL_FACTS)
    assert "airport" in str(err.value)


def test_a_form_of_a_crime_phrase_says_how_it_was_read(names):
    q = read("smash and grabs in beltline in 2023", names, FACTS)
    assert any("smash and grabs" in a and "smash and grab'" in a for a in q.assumptions)


# (text, a word the question back names)
ASKED_BACK = [
    ("how many porch pirates in beltline last year", "porch pirates"),
    ("vehicle tampering in beltline in 2023", "tampering"),
    ("assaults FY23", "FY23"),
    ("assaults in fiscal 2022", "FISCAL 2022"),
    ("assaults in mid-2022", "mid"),
    ("thefts at the end of 2022", "end"),
    ("compared to the 2019-2022 average", "average"),
    ("are assaults in beltline above normal", "above normal"),
    ("are thefts higher than usual", "than usual"),
    ("compared to 2019 how are assaults doing", "2019"),
    ("thefts Q1 and Q3 2023 together", "not next to each other"),
    ("assaults in the park in 2023", "park"),  # a word of several areas' names
    ("thefts this summer vs last", "last"),  # "last summer" may be this one: asked
    ("which district had the most assaults in 2023", "district"),  # no districts: never areas
    ("top 3 zones for assaults in 2023", "zones"),
    ("aggs in beltline in 2023", "aggs"),  # no aggravated assaults apart: assault (all)?
    ("top 3 precincts for assaults in 2023", "precincts"),
    # norm words: a question back, never a change against a year earlier
    ("abnormal assaults in beltline in 2023", "abnormal"),
    ("more assaults than usual in beltline", "than usual"),
    ("assaults above average in beltline in 2023", "above average"),
    # holidays and events on monthly counts: the month it would use, named
    ("assaults over thanksgiving 2023", "October 2023"),
    ("assaults christmas week 2023", "December 2023"),
    ("assaults on new year's eve 2022", "December 2022"),
    ("assaults during stampede 2023", "July 2023"),
    ("assaults labour day weekend 2023", "September 2023"),
    ("crimes in beltline over the holidays in 2023", "holidays"),
]


@pytest.mark.parametrize("text,word", ASKED_BACK, ids=[a[0] for a in ASKED_BACK])
def test_words_that_cannot_be_placed_are_asked_back(names, text, word):
    """A question back (``clarify``), naming the word, never a broader answer."""
    with pytest.raises(Clarify) as err:
        read(text, names, FACTS)
    assert err.value.kind == "clarify" and word.lower() in str(err.value).lower()


def test_an_unknown_crime_word_names_the_nearest_categories(names):
    with pytest.raises(Clarify) as err:
        read("car wraps in beltline in 2023", names, FACTS)
    assert err.value.suggestions and "Categories here" in str(err.value)


def test_a_number_that_starts_a_place_is_no_year(names):
    """ "in 17 ave" is Calgary's 17th Avenue, not 2017 (the profile's own alias)."""
    try:
        q = read("assaults in 17 ave in 2023", names, FACTS)
    except QueryError as err:  # a profile without the alias: never read as 2017
        assert "2017" not in str(err)
    else:
        assert [(p.start, p.end) for p in q.when] == [Y23]


def test_a_holiday_month_is_the_citys_own(atl):
    """Thanksgiving is October in Calgary's profile, November in Atlanta's; an event a city does
    not name (Stampede in Atlanta) is never given a month."""
    with pytest.raises(Clarify) as err:
        read("burglaries over thanksgiving 2019", atl, ATL_FACTS)
    assert err.value.reading == "November 2019"
    q = read("larceny in midtown during stampede 2019", atl, ATL_FACTS)
    assert "stampede" in q.unplaced


def test_a_year_the_data_lack_is_refused_by_name(atl):
    """ "2019 vs 2018" with no 2018: a refusal naming the year, never 2019 alone."""
    for text in ("burglaries in 2019 vs 2018", "burglaries in 2018 vs 2019"):
        with pytest.raises(QueryError) as err:
            read(text, atl, ATL_FACTS)
        assert "2018" in str(err.value) and not isinstance(err.value, Clarify)


def test_for_the_year_says_which_year(names):
    q = read("assaults in beltline for the whole year", names, MID)
    assert any("2022" in a and "complete" in a for a in q.assumptions)
