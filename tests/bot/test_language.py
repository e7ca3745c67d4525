"""Officers' own words -> one resolved question (issue 16): a table of phrasings, pure (no Redis).

Each row reads a question the way a CompStat meeting phrases it and checks every part of the
resolved :class:`~bot.language.question.Question`: what, where, by, crime, the months of each
period, compared with, ranking. The data run through December 2023 (Calgary, from January 2018).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.language import read
from bot.language.question import Question
from bot.language.resolve import Facts

THEFT_OF, THEFT_FROM = "Theft OF Vehicle", "Theft FROM Vehicle"
BE = {"Break & Enter - Dwelling", "Break & Enter - Commercial", "Break & Enter - Other Premises"}
BE_DWELL = "Break & Enter - Dwelling"
ASSAULT, VIOLENCE = "Assault (Non-domestic)", "Violence  'Other' (Non-domestic)"
STREET_ROB, COMM_ROB = "Street Robbery", "Commercial Robbery"
ROB = {STREET_ROB, COMM_ROB}
VIOLENT = {ASSAULT, VIOLENCE, STREET_ROB}
FACTS = Facts("2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 20), True, True)
Y23, Y22 = ("2023-01", "2023-12"), ("2022-01", "2022-12")


def ask(text: str, names, facts=FACTS) -> Question:
    return read(text, names, facts)


# (text, what, where labels, by, categories (None = not checked), periods, compared_with, ranking)
ROWS = [
    # --- issue 16's "Why": each answered a different question before -----------------------------
    ("which four communities had the most break-ins in 2023", "count", [], "area", BE, [Y23],
     None, (4, "top", "count")),
    ("the 3 busiest communities for car theft last year", "count", [], "area", {THEFT_OF}, [Y22],
     None, (3, "top", "count")),
    ("which 3 communities saw the most assaults in Q2 2023?", "count", [], "area", {ASSAULT},
     [("2023-04", "2023-06")], None, (3, "top", "count")),
    ("what was the busiest month for assaults in the Beltline in 2023?", "peak", ["BELTLINE"],
     None, {ASSAULT}, [Y23], None, None),
    ("worst month for car thefts in forest lawn in 2023", "peak", ["FOREST LAWN"], None,
     {THEFT_OF}, [Y23], None, None),
    ("quietest month for break-ins in cranston last year", "trough", ["CRANSTON"], None, BE, [Y22],
     None, None),
    ("car thefts in Beltline in Q2 2023", "count", ["BELTLINE"], None, {THEFT_OF},
     [("2023-04", "2023-06")], None, None),
    ("how many assaults in the first quarter", "count", [], None, {ASSAULT},
     [("2023-01", "2023-03")], None, None),
    ("break-ins in Dover in the second half of 2022", "count", ["DOVER"], None, BE,
     [("2022-07", "2022-12")], None, None),
    ("how many car thefts in forest lawn last summer", "count", ["FOREST LAWN"], None, {THEFT_OF},
     [("2023-06", "2023-08")], None, None),
    ("street robberies downtown in winter 2022", "count", ["Downtown"], None, {STREET_ROB},
     [("2021-12", "2022-02")], None, None),
    ("car thefts in beltline 2021 vs 2023", "change", ["BELTLINE"], None, {THEFT_OF},
     [("2021-01", "2021-12"), Y23], "period", None),
    ("assaults Q1 this year against Q1 last year", "change", [], None, {ASSAULT},
     [("2022-01", "2022-03"), ("2023-01", "2023-03")], "period", None),
    ("break-ins in cranston: March compared with February", "change", ["CRANSTON"], None, BE,
     [("2023-02", "2023-02"), ("2023-03", "2023-03")], "period", None),
    ("top 5 communities for break-ins in 2023 by rate", "rate", [], "area", BE, [Y23], None,
     (5, "top", "rate")),
    ("which 3 communities had the highest car theft per capita last year", "rate", [], "area",
     {THEFT_OF}, [Y22], None, (3, "top", "rate")),
    ("top 10 communities per 1,000 residents for assaults in 2023", "rate", [], "area", {ASSAULT},
     [Y23], None, (10, "top", "rate")),
    ("which sector had the most break-ins last year", "count", [], "region", BE, [Y22], None,
     (1, "top", "count")),
    ("which sectors had the fewest robberies in 2023", "count", [], "region", ROB, [Y23], None,
     (5, "bottom", "count")),
    ("average car thefts per month in Beltline in 2023", "average", ["BELTLINE"], None,
     {THEFT_OF}, [Y23], None, None),
    ("which community had the biggest increase in assaults, 2022 vs 2023", "change", [], "area",
     {ASSAULT}, [Y22, Y23], "period", (1, "top", "change")),
    ("largest drop in break-ins by sector, 2022 vs 2023", "change", [], "region", BE, [Y22, Y23],
     "period", (5, "bottom", "change")),
    ("list the communities in the northeast", "list", ["NORTHEAST sector"], None, None, [], None,
     None),
    ("how accurate are you", "accuracy", [], None, None, [], None, None),
    # --- phrasings not from any template: word orders, abbreviations, typos ----------------------
    ("B&E in Beltline YTD", "count", ["BELTLINE"], None, BE, [Y23], None, None),
    ("YTD b&e downtown", "count", ["Downtown"], None, BE, [Y23], None, None),
    ("B&Es per cap by sector, Q3 2023", "rate", [], "region", BE, [("2023-07", "2023-09")], None,
     None),
    ("assualts in forest lawn during fall 2022", "count", ["FOREST LAWN"], None, {ASSAULT},
     [("2022-09", "2022-11")], None, None),
    ("car prowling in the beltline over the past 6 months", "count", ["BELTLINE"], None,
     {THEFT_FROM}, [("2023-07", "2023-12")], None, None),
    ("street robberies since the start of the year", "count", [], None, {STREET_ROB}, [Y23], None,
     None),
    ("YoY change in assaults in the beltline for Q4", "change", ["BELTLINE"], None, {ASSAULT},
     [("2023-10", "2023-12")], "year_before", None),
    ("how did Q3 compare to Q2 for robberies in the beltline", "change", ["BELTLINE"], None, ROB,
     [("2023-04", "2023-06"), ("2023-07", "2023-09")], "period", None),
    ("what % of car thefts last year were in the beltline", "share", ["BELTLINE"], None,
     {THEFT_OF}, [Y22], None, None),
    ("beltline's share of assaults in 2023", "share", ["BELTLINE"], None, {ASSAULT}, [Y23], None,
     None),
    ("monthly avg of break ins in Bridgeland in 2022", "average", ["BRIDGELAND/RIVERSIDE"], None,
     BE, [Y22], None, None),
    ("safest 3 communities for robbery in 2023", "count", [], "area", ROB, [Y23], None,
     (3, "bottom", "count")),
    ("rank the sectors by violent crime rate for 2023", "rate", [], "region", VIOLENT, [Y23], None,
     (5, "top", "rate")),
    ("which NE communities had the most car thefts in Q4", "count", ["NORTHEAST sector"], "area",
     {THEFT_OF}, [("2023-10", "2023-12")], None, (5, "top", "count")),
    ("top three months for car theft in the beltline in 2022", "count", ["BELTLINE"], "month",
     {THEFT_OF}, [Y22], None, (3, "top", "count")),
    ("car thefts in beltline by month in 2023", "count", ["BELTLINE"], "month", {THEFT_OF}, [Y23],
     None, None),
    ("break down crime in forest lawn last year by category", "count", ["FOREST LAWN"],
     "category", set(), [Y22], None, None),
    ("what was the most common crime in the beltline in 2023", "count", ["BELTLINE"], "category",
     set(), [Y23], None, (1, "top", "count")),
    ("H1 2023 vs H2 2023 street robbery city-wide", "change", ["City-wide"], None, {STREET_ROB},
     [("2023-01", "2023-06"), ("2023-07", "2023-12")], "period", None),
    ("the first half of 2022 vs the second half for assaults", "change", [], None, {ASSAULT},
     [("2022-01", "2022-06"), ("2022-07", "2022-12")], "period", None),
    ("winter 2022-23 vs winter 2021-22 car thefts in cranston", "change", ["CRANSTON"], None,
     {THEFT_OF}, [("2021-12", "2022-02"), ("2022-12", "2023-02")], "period", None),
    ("home break ins in cranston from jan to mar 2023", "count", ["CRANSTON"], None, {BE_DWELL},
     [("2023-01", "2023-03")], None, None),
    ("beltline assaults between 2020 and 2022", "count", ["BELTLINE"], None, {ASSAULT},
     [("2020-01", "2022-12")], None, None),
    ("did assaults go up in the beltline between 2020 and 2022", "change", ["BELTLINE"], None,
     {ASSAULT}, [("2020-01", "2020-12"), Y22], "period", None),
    ("is crime up in marlborough compared to last year", "change", ["MARLBOROUGH"], None, set(),
     [Y23], "year_before", None),
    ("biggest percentage increase in car theft by community 2022 vs 2023", "change", [], "area",
     {THEFT_OF}, [Y22, Y23], "period", (5, "top", "pct")),
    ("how many car thefts were there in the beltline in the last 2 years", "count", ["BELTLINE"],
     None, {THEFT_OF}, [("2022-01", "2023-12")], None, None),
    ("thefts in beltline and forest lawn in 2023", "count", ["BELTLINE", "FOREST LAWN"], None,
     None, [Y23], None, None),
    ("what communities make up the south sector", "list", ["SOUTH sector"], None, None, [], None,
     None),
    ("communities in the northwest", "list", ["NORTHWEST sector"], None, None, [], None, None),
    ("hey can you pull car thefts in beltline for 2023 for the compstat meeting thanks", "count",
     ["BELTLINE"], None, {THEFT_OF}, [Y23], None, None),
    ("In which month of 2022 did Beltline record the most assaults?", "peak", ["BELTLINE"], None,
     {ASSAULT}, [Y22], None, None),
    ("crimes in the beltline, 2019-2021", "count", ["BELTLINE"], None, set(),
     [("2019-01", "2021-12")], None, None),
    ("Number of assaults city-wide per month in 2023", "count", ["City-wide"], "month", {ASSAULT},
     [Y23], None, None),
    ("Percent change in assaults city-wide 2022 to 2023", "change", ["City-wide"], None, {ASSAULT},
     [Y22, Y23], "period", None),
    ("Need the monthly trend of break-ins for Forest Lawn over the last 12 months", "count",
     ["FOREST LAWN"], "month", BE, [Y23], None, None),
    ("how many assaults in beltline per 1000 residents over the past year", "rate", ["BELTLINE"],
     None, {ASSAULT}, [Y23], None, None),
    ("Which sector saw the biggest percentage drop in robberies from 2021 to 2022?", "change", [],
     "region", ROB, [("2021-01", "2021-12"), Y22], "period", (1, "bottom", "pct")),
    ("How many crimes were reported downtown in the last 6 months compared to the same period "
     "last year?", "change", ["Downtown"], None, set(), [("2023-07", "2023-12")], "year_before",
     None),
    # --- the future: forecasts, unchanged ------------------------------------------------------
    ("forecast beltline next month", "forecast", ["BELTLINE"], None, set(),
     [("2024-01", "2024-01")], None, None),
    ("car thefts in beltline", "forecast", ["BELTLINE"], None, {THEFT_OF}, [("2024-01", "2024-01")],
     None, None),
    ("how many car thefts in Forest Lawn in the next 3 months?", "forecast", ["FOREST LAWN"], None,
     {THEFT_OF}, [("2024-01", "2024-03")], None, None),
    ("forecast car thefts in Beltline for Q1 2024", "forecast", ["BELTLINE"], None, {THEFT_OF},
     [("2024-01", "2024-03")], None, None),
    ("what should we expect for break-ins in cranston in March", "forecast", ["CRANSTON"], None, BE,
     [("2024-03", "2024-03")], None, None),
    ("top 5 communities for break-ins next month", "forecast", [], "area", BE,
     [("2024-01", "2024-01")], None, (5, "top", "forecast")),
    ("Beltline assaults in March 2024", "forecast", ["BELTLINE"], None, {ASSAULT},
     [("2024-03", "2024-03")], None, None),
    # --- the past with no period named --------------------------------------------------------
    ("how many car thefts were there in beltline", "count", ["BELTLINE"], None, {THEFT_OF},
     [("2023-12", "2023-12")], None, None),
    ("how many car thefts were there in beltline last month", "count", ["BELTLINE"], None,
     {THEFT_OF}, [("2023-12", "2023-12")], None, None),
]


@pytest.mark.parametrize("row", ROWS, ids=[r[0][:50] for r in ROWS])
def test_phrasing_reads_as_asked(names, row):
    """Each phrasing resolves to the question it asks, part by part."""
    text, what, where, by, cats, periods, compared, ranking = row
    q = ask(text, names)
    assert q.resolved and q.what == what, (q.what, q)
    assert [w.label for w in q.where] == where
    assert q.by == by
    if cats is not None:
        assert set(q.crime.categories) == cats
    assert [(p.start, p.end) for p in q.when] == periods
    assert q.compared_with == compared
    got = (q.ranking.n, q.ranking.order, q.ranking.measure) if q.ranking else None
    assert got == ranking


def test_relative_words_say_how_they_were_read(names):
    """'last month' and a quarter without a year are read against the data, and the reply says so."""
    q = ask("car thefts in beltline last month", names)
    assert any("December 2023" in a and "newest complete month" in a for a in q.assumptions)
    q = ask("car thefts in beltline in Q2", names)
    assert [(p.start, p.end) for p in q.when] == [("2023-04", "2023-06")]
    assert any("Q2 2023" in a and "most recent complete" in a for a in q.assumptions)
    q = ask("break-ins in dover in Q2 2023", names)
    assert q.assumptions == ()  # nothing assumed: the words named the months


def test_a_ranking_states_its_cap(names):
    q = ask("top 50 communities for car theft in 2023", names)
    assert q.ranking.n == 25 and any("25" in a for a in q.assumptions)


def test_to_dict_is_the_contract(names):
    """The ``question`` key of ``--json``: the keys q-corpus reads."""
    d = ask("which four communities had the most break-ins in 2023", names).to_dict()
    assert set(d) == {"what", "where", "by", "crime", "when", "compared_with", "ranking"}
    assert d["ranking"] == {"n": 4, "order": "top", "measure": "count"}
    assert d["when"] == [{"start": "2023-01", "end": "2023-12", "label": "2023"}]
    assert set(d["crime"]["categories"]) == BE and d["by"] == "area" and d["where"] == []
