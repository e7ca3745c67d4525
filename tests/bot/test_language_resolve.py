"""One resolve step, clarify-never-broaden, slash options, and today's phrasing tables read through
the new pipeline (bot/language/understand.py + resolve.py): pure, no Redis."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.language import read
from bot.language.options import question_from_options
from bot.language.question import Clarify, Question, QueryError
from bot.language.resolve import DataFacts, Facts, resolve
from bot.language.understand import parse_question

FACTS = Facts("2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 20), True, True)


def test_facts_satisfy_the_protocol():
    assert isinstance(FACTS, DataFacts)


def test_parse_decides_no_tense_resolve_does(names):
    """The parsed question names no months; only resolve says past or future."""
    parsed = parse_question("car thefts in beltline in March", names)
    assert not parsed.resolved and parsed.when[0].start == "" and parsed.what == "count"
    q = resolve(parsed, FACTS)
    assert q.what == "count" and q.when[0].start == "2023-03"
    assert any("most recent complete" in a for a in q.assumptions)
    q = resolve(parse_question("forecast car thefts in beltline in March", names), FACTS)
    assert q.what == "forecast" and q.when[0].start == "2024-03"
    assert resolve(q, FACTS) is q  # resolving twice changes nothing


def test_a_forecast_of_a_past_month_is_its_count_against_the_forecast(names):
    q = read("forecast for beltline in november 2023", names, FACTS)
    assert q.what == "count" and q.compared_with == "forecast"
    assert any("in the past" in a for a in q.assumptions)


@pytest.mark.parametrize(
    "text,what,start,end",
    [
        ("average car thefts per month in beltline", "average", "2023-01", "2023-12"),
        ("busiest month for assaults in forest lawn", "peak", "2023-01", "2023-12"),
        ("car theft rate in the beltline", "rate", "2023-12", "2023-12"),
        ("are break-ins down in dover", "change", "2023-01", "2023-12"),
        ("what share of assaults are in the beltline", "share", "2023-12", "2023-12"),
    ],
)
def test_defaults_are_said(names, text, what, start, end):
    """A measure with no period named gets its default, and the reply says which months."""
    q = read(text, names, FACTS)
    assert (q.what, q.when[0].start, q.when[-1].end) == (what, start, end)
    assert any(a.startswith("No period named") for a in q.assumptions)


def test_a_change_of_one_period_is_against_the_year_before(names):
    q = read("biggest increase in car thefts by community in 2023", names, FACTS)
    assert q.compared_with == "year_before" and [(p.start, p.end) for p in q.when] == [
        ("2023-01", "2023-12")
    ]
    assert (q.ranking.n, q.ranking.order, q.ranking.measure) == (5, "top", "change")
    with pytest.raises(QueryError, match="before the data"):
        read("is crime up in beltline in 2018 compared to last year", names, FACTS)


def test_rates_need_population_and_regions_need_reference(names):
    bare = Facts(
        "2023-12", "2018-01", "2023-12", 24, False, None, None, date(2024, 1, 20), False, False
    )
    with pytest.raises(QueryError, match="population"):
        read("top 5 communities by rate in 2023", names, bare)
    with pytest.raises(QueryError, match="reference"):
        read("which sector had the most assaults in 2023", names, bare)


# --- clarify, never broaden ------------------------------------------------------------------
CLARIFY = [
    ("car thefts in beltline this semester", "semester"),
    ("car thefts in beltline on weekends in 2023", "weekends"),
    ("median car thefts in beltline in 2023", "median"),
    ("car thefts in beltline 7", "7"),
    ("car thefts in beltline last fortnight", "last 2 weeks"),  # monthly counts: no weeks here
    ("car thefts in beltline over christmas 2022", "christmas"),
    ("car thefts in Beltline and Gotham in 2023", "gotham"),
    ("assaults in beltline in mid-2022", "mid"),
    ("assaults in beltline early 2023", "early"),
    ("assaults in FY23", "fiscal"),
    ("thefts in beltline compared to the 2019-2022 average", "average"),
    ("are assaults in beltline above normal", "normal"),
    ("thefts Q1 and Q3 2023 together", "not next to each other"),
    ("how many porch pirates in beltline last year", "porch pirates"),
    ("vehicle tampering in beltline in 2023", "tampering"),
    ("car thefts in forest in 2023", "forest"),  # FOREST LAWN, FOREST HEIGHTS, ...
    ("thefts q1 vs q2 vs q3 2023", "Q1"),
]


@pytest.mark.parametrize("text,word", CLARIFY, ids=[c[0] for c in CLARIFY])
def test_a_word_that_changes_the_answer_gets_a_question_back(names, text, word):
    with pytest.raises(Clarify) as err:
        read(text, names, FACTS)
    assert err.value.kind == "clarify" and word.lower() in str(err.value).lower()
    assert err.value.to_dict()["word"]


def test_harmless_words_are_ignored_and_named(names):
    q = read("car thefts in beltline in 2023 for the lieutenant's slides", names, FACTS)
    assert q.what == "count" and "slides" in q.unplaced and "lieutenant" in q.unplaced


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                "top",
                "3",
                "q2",
                "2023",
                "vs",
                "beltline",
                "car",
                "thefts",
                "by",
                "sector",
                "rate",
                "last",
                "summer",
                "winter",
                "2022",
                "which",
                "four",
                "communities",
                "average",
                "per",
                "month",
                "busiest",
                "share",
                "of",
                "in",
                "the",
                "first",
                "half",
                "since",
                "june",
                "forecast",
                "next",
                "biggest",
                "drop",
                "list",
                "northeast",
                "how",
                "accurate",
                "%",
                "B&E",
                "ytd",
                "weeks",
                "zzz",
                "compared",
                "with",
                "may",
                "fall",
                "H1",
            ]
        ),
        min_size=0,
        max_size=10,
    ).map(" ".join)
)
def test_any_words_give_a_question_or_a_reply_never_a_traceback(names, text):
    try:
        q = read(text, names, FACTS)
    except QueryError as err:
        assert err.reply()
        return
    assert isinstance(q, Question) and q.resolved and len(q.when) <= 2
    for p in q.when:
        assert p.start <= p.end and len(p.start) == 7
    if q.ranking:
        assert 1 <= q.ranking.n <= 25


# --- slash options share the value ---------------------------------------------------------------
def test_slash_options_make_the_same_question(names):
    slash = resolve(
        question_from_options("top", names, category="break-ins", n=4, period="2023"), FACTS
    )
    text = read("top 4 communities for break-ins in 2023", names, FACTS)
    assert slash.to_dict() == text.to_dict()
    q = resolve(question_from_options("forecast", names, community="beltline", horizon="3"), FACTS)
    assert q.what == "forecast" and (q.when[0].start, q.when[0].end) == ("2024-01", "2024-03")
    with pytest.raises(QueryError, match="period"):
        question_from_options("count", names, period="whenever")


# --- today's phrasing tables, read by the new pipeline ------------------------------------------
def _module():
    path = Path(__file__).with_name("test_query.py")
    spec = importlib.util.spec_from_file_location("crimecast_test_query_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tables():
    module = _module()
    return module.OK + module.PAST


#: the older intent names -> the *what* the reading may have; readings that answer another
#: (documented) question (both kept with the tables, tests/bot/test_query.py)
WHATS = _module().READS
CHANGED = _module().CHANGED
DAYS = Facts(
    "2024-01",
    "2018-01",
    "2024-01",
    24,
    True,
    date(2018, 1, 1),
    date(2024, 2, 19),
    date(2024, 2, 20),
    True,
    True,
)


@pytest.mark.parametrize("row", _tables(), ids=lambda r: r[0][:40])
def test_todays_phrasings_read_the_same(names, row):
    text, intent, places = row[0], row[1], row[2]
    facts = DAYS if any(w in text for w in ("yesterday", "week", "days")) else FACTS
    if text == "forecast Beltline and Gotham":
        with pytest.raises(Clarify, match="gotham"):  # a place-like word: asked, not dropped
            read(text, names, facts)
        return
    q = read(text, names, facts)
    assert q.what == CHANGED.get(text, q.what) and (q.what in WHATS[intent] or text in CHANGED)
    if intent == "top":
        assert q.ranking is not None
    labels = [w.label for w in q.where]
    assert labels == places or (places == ["City-wide"] and labels in ([], ["City-wide"]))
    ahead = intent == "forecast" or (
        isinstance(row[4], str) and row[4].startswith(("next", "this month"))
    )
    if ahead and text not in CHANGED:  # answers about the future are unchanged
        assert q.when and all(p.future for p in q.when), q.when


@pytest.mark.parametrize(
    "text,month",
    [
        ("beltline robberies a month ago", "2023-12"),
        ("beltline robberies last month", "2023-12"),
        ("beltline robberies two months ago", "2023-11"),
        ("beltline robberies 3 months ago", "2023-10"),
    ],
)
def test_months_ago_count_back_as_last_month_does(names, text, month):
    """'Last month' is the newest complete month, so 'two months ago' is the one before it."""
    q = read(text, names, FACTS)
    assert (q.when[0].start, q.when[0].end) == (month, month)


def test_month_over_month_compares_the_two_newest_months(names):
    q = read("beltline robberies month over month", names, FACTS)
    assert [(p.start, p.end) for p in q.when] == [("2023-11", "2023-11"), ("2023-12", "2023-12")]


@pytest.mark.parametrize(
    "text",
    [
        "will break-ins in dover go up next month",
        "are assaults going to rise in the beltline next month",
        "will car thefts increase next month citywide",
    ],
)
def test_a_change_ahead_is_the_forecast_said_so(names, text):
    """Whether a count will go up is not known: the forecast for that month, and the reply says so."""
    q = read(text, names, FACTS)
    assert q.what == "forecast" and q.when[0].start == "2024-01"
    assert any("not known yet" in a for a in q.assumptions)
