"""Questions about the past and the present, end to end against a real Redis holding the real counts
(and forecasts archived month by month from a real simple model): the kind of answer, and its
numbers checked against :class:`stream.store.CountStore` and :class:`ForecastArchive`."""

from __future__ import annotations

import importlib
import inspect
from datetime import date

import numpy as np
import pytest

import bot.answering.measures
from bot.answering.asked import OWN, REPORTED
from bot.answering.commands import commands
from bot.answering.engine import CONTEXTS, Engine
from bot.answering.measures import EVALUATORS
from bot.rendering.reports import REPORTS
from bot.language.question import WHATS
from core.negbin import total_interval
from online_model.surveillance import flag_hot
from stream.forecast_archive import ForecastArchive
from stream.keys import series_field
from stream.store import CountStore

COMMUNITIES = (
    "BELTLINE",
    "FOREST LAWN",
    "DOVER",
    "MARLBOROUGH",
    "MARLBOROUGH PARK",
    "CRANSTON",
    "BRIDGELAND/RIVERSIDE",
    "DOWNTOWN COMMERCIAL CORE",
    "AMBLETON",
)
BE = ("Break & Enter - Commercial", "Break & Enter - Dwelling", "Break & Enter - Other Premises")
CAR = "Theft OF Vehicle"


@pytest.fixture
def past(r, keys, calgary_frame, seeder, reference_files, today):
    """Counts through 2023-12 and forecasts archived with data through 2023-10, -11 and -12."""
    frame = calgary_frame[calgary_frame["Community"].isin(COMMUNITIES)]
    seeder.fill(r, keys, frame, data_through="2023-12", horizon=3, archive=("2023-10", "2023-11"))
    seeder.load_reference(r, keys, *reference_files)
    return Engine(r, keys, today=today), CountStore(r, keys), ForecastArchive(r, keys)


def _sum(store, communities, categories, months):
    total = 0
    for m in months:
        for (c, k), v in store.month_counts(m).items():
            if c in communities and (not categories or k in categories):
                total += v
    return total


def _months(start, end):
    from core.months import month_range

    return month_range(start, end)


def test_every_what_is_answered_once():
    """Each what of the one list is answered by its evaluator or by a command of its own, never
    both; each evaluator is its measure module's pure ``(question, state)`` function, each
    command its module's ``answer``, and every shape with fuller words has a renderer."""
    assert set(EVALUATORS) | set(OWN) == set(WHATS) and not set(EVALUATORS) & set(OWN)
    table = commands()
    assert (
        set(OWN) <= set(table) and set(REPORTED) <= set(REPORTS) and set(CONTEXTS) <= set(REPORTS)
    )
    for evaluate in EVALUATORS.values():
        assert evaluate.__module__.startswith(bot.answering.measures.__name__ + ".")
        assert list(inspect.signature(evaluate).parameters) == ["q", "state"]
    for intent, command in table.items():
        assert importlib.import_module(command.__module__).answer is command, intent
    for intent, render in REPORTS.items():
        assert importlib.import_module(render.__module__).render is render, intent


@pytest.mark.parametrize(
    "text,intent",
    [
        ("forecast beltline", "forecast"),
        ("top 3", "top"),
        ("trend beltline", "trend"),
        ("compare beltline and dover", "compare"),
        ("why is beltline up", "explain"),
        ("beltline last month", "count"),
        ("is crime up in dover", "change"),
        ("which communities are running hot", "hot"),
        ("how did last month's forecast do", "review"),
        ("what data do you have", "coverage"),
        ("status", "status"),
        ("help", "help"),
    ],
)
def test_every_handler_answers_its_intent(past, text, intent):
    """Walking the table: each intent's question gets an answer of that intent."""
    engine, _, _ = past
    a = engine.ask(text)
    assert a.ok and a.intent == intent, (a.title, a.lines)


def test_last_month_is_decembers_count_not_a_forecast(past):
    """'how many car thefts were there in beltline last month' is December 2023's count."""
    engine, store, archive = past
    a = engine.ask("how many car thefts were there in beltline last month")
    assert a.intent == "count" and a.data["months"] == ["2023-12"]
    assert a.data["observed"] == store.month_counts("2023-12").get(("BELTLINE", CAR), 0)
    assert a.data["previous"] == store.month_counts("2022-12").get(("BELTLINE", CAR), 0)
    assert "December 2023" in a.title and "not a forecast" in a.lines[0]


def test_count_judges_the_forecast_made_before_it(past):
    """The forecast shown for a past month is the archived one made before it, with its range."""
    engine, store, archive = past
    a = engine.ask("how many car thefts were there in beltline last month")
    f, step = archive.forecasts_for("2023-12")[("BELTLINE", CAR)]
    got = a.data["forecast"]
    assert step == 1 and got["made_with_data_through"] == ["2023-11"]
    assert got["mean"] == pytest.approx(f.mean[0], abs=0.01)
    assert (got["lo80"], got["hi80"]) == (f.lo80[0], f.hi80[0])
    assert got["inside"] == (f.lo80[0] <= a.data["observed"] <= f.hi80[0])


def test_a_year_is_counted_with_the_year_before(past):
    """'how many break-ins in Dover in 2022' sums 2022 from the counts, against 2021."""
    engine, store, _ = past
    a = engine.ask("how many break-ins in Dover in 2022")
    assert a.intent == "count" and a.data["months"] == _months("2022-01", "2022-12")
    assert a.data["observed"] == _sum(store, {"DOVER"}, BE, _months("2022-01", "2022-12"))
    assert a.data["previous"] == _sum(store, {"DOVER"}, BE, _months("2021-01", "2021-12"))
    assert a.data["forecast"] is None
    assert any("No forecast was archived before January 2022" in ln for ln in a.lines)


def test_a_multi_month_total_sums_each_months_archived_forecast(past):
    """Over several months the expectation is the NB total of each month's forecast made before it."""
    engine, store, archive = past
    a = engine.ask("car theft in beltline over the last 2 months")
    assert a.data["months"] == ["2023-11", "2023-12"]
    means, alphas = [], []
    for m in ("2023-11", "2023-12"):
        f, step = archive.forecasts_for(m)[("BELTLINE", CAR)]
        means.append(f.mean[step - 1])
        alphas.append(f.dispersion[step - 1])
    mean, lo, hi = total_interval(means, alphas)
    assert a.data["forecast"]["mean"] == pytest.approx(mean, abs=0.01)
    assert (a.data["forecast"]["lo80"], a.data["forecast"]["hi80"]) == (lo, hi)
    assert a.data["forecast"]["made_with_data_through"] == ["2023-10", "2023-11"]


def test_is_crime_up_compares_year_over_year(past):
    """'is crime up in marlborough compared to last year' is the newest year against the one before."""
    engine, store, _ = past
    a = engine.ask("is crime up in marlborough compared to last year")
    comms = set(a.data["place"]["communities"])
    assert a.intent == "change" and "MARLBOROUGH" in comms
    now = _sum(store, comms, (), _months("2023-01", "2023-12"))
    before = _sum(store, comms, (), _months("2022-01", "2022-12"))
    assert (a.data["observed"], a.data["previous"]) == (now, before)
    assert a.data["direction"] == ("up" if now > before else "down" if now < before else "level")
    assert any("No month of 2024 is complete" in ln for ln in a.lines)


def test_running_hot_is_the_alerts_test_on_the_newest_month(past):
    """The flags are flag_hot over every archived series for 2023-12 (FDR across all of them)."""
    engine, store, archive = past
    a = engine.ask("which communities are running hot")
    family = sorted(archive.forecasts_for("2023-12").items())
    counts = store.month_counts("2023-12")
    observed = np.array([counts.get(s, 0) for s, _ in family], dtype=float)
    mean = np.array([f.mean[k - 1] for _, (f, k) in family])
    alpha = np.array([f.dispersion[k - 1] for _, (f, k) in family])
    res = flag_hot(observed, mean, alpha, 31, 31, level=0.1, method="bh")
    expected = {family[i][0] for i in np.flatnonzero(res.flagged)}
    assert a.intent == "hot" and a.data["month"] == "2023-12"
    assert a.data["fdr"]["tested"] == len(family) and a.data["fdr"]["flagged"] == len(expected)
    assert {(h["community"], h["category"]) for h in a.data["hot"]} == expected
    for h in a.data["hot"]:
        assert h["observed"] == counts[(h["community"], h["category"])]


def test_running_hot_without_an_archived_forecast_says_so(r, keys, slice_frame, seeder, today):
    """With no forecast made before the newest month, nothing is called hot and the reply says why."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    a = Engine(r, keys, today=today).ask("which communities are running hot")
    assert a.ok and a.data["hot"] == []
    assert "no forecast was archived before it" in " ".join(a.lines)


def test_review_last_months_forecast(past):
    """'how did last month's forecast do?' sets December's counts against the November forecast."""
    engine, store, archive = past
    a = engine.ask("how did last month's forecast do?")
    (item,) = a.data["review"]
    assert a.intent == "review" and item["month"] == "2023-12"
    assert item["observed"] == store.total("2023-12")
    family = archive.forecasts_for("2023-12")
    assert item["forecast"]["mean"] == pytest.approx(
        sum(f.mean[k - 1] for f, k in family.values()), abs=0.05
    )
    assert item["series"] == len(family)
    inside = np.mean(
        [
            f.lo80[k - 1] <= store.month_counts("2023-12").get(s, 0) <= f.hi80[k - 1]
            for s, (f, k) in family.items()
        ]
    )
    assert item["inside_share"] == pytest.approx(inside, abs=0.001)


def test_coverage_describes_the_counts(past, r, keys):
    """'what data do you have' gives the counts' span, series, areas, categories and source kind."""
    engine, store, _ = past
    a = engine.ask("what data do you have")
    months = store.months()
    assert a.intent == "coverage"
    assert (a.data["first_month"], a.data["last_month"]) == (months[0], months[-1])
    assert a.data["series"] == len(store.series())
    assert a.data["communities"] == len(store.communities())
    assert a.data["day_level"] is False and "whole months" in " ".join(v for _, v in a.fields)
    assert a.data["archive"] == ["2023-10", "2023-11", "2023-12"]


@pytest.mark.parametrize(
    "text,words",
    [
        (
            "how many car thefts in beltline in 2016",
            "before the data: the counts run January 2018 – December 2023",
        ),
        ("how many car thefts in beltline in 2025", "not in the data yet"),
        ("beltline from march 2015 to may 2016", "before the data"),
    ],
)
def test_a_period_outside_the_data_names_its_span(past, text, words):
    """A period the counts do not cover gets a clear reply naming the data's span."""
    a = past[0].ask(text)
    assert not a.ok and words in " ".join(a.lines)


def test_a_future_year_points_to_the_forecasts(past):
    """A year beyond the counts says how far the forecasts reach."""
    a = past[0].ask("how many car thefts in beltline in 2025")
    assert "forecasts reach March 2024" in " ".join(a.lines)


def test_days_on_a_monthly_source_say_it_publishes_months(past):
    """'last week' on a month-only source says the counts are by month and asks back (issue 16:
    clarify, never broaden), offering the nearest readings it has."""
    for text in ("break-ins in beltline last week", "car theft in dover yesterday"):
        a = past[0].ask(text)
        said = " ".join(a.lines)
        assert not a.ok and ("publishes whole months" in said or "by month" in said)
        assert a.intent in ("clarify", "help") and "last month" in said


def test_days_on_a_day_level_source_are_counted(r, keys, slice_frame, seeder):
    """Where records carry days, 'last week' is the previous Monday to Sunday from the day counts."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    field = series_field("BELTLINE", CAR)
    for day in ("2023-12-04", "2023-12-18", "2024-01-08", "2024-01-10", "2024-01-14", "2024-01-15"):
        r.hincrby(keys.day_counts(day), field, 2)
    r.set(keys.watermark, "2024-01-16")
    a = Engine(r, keys, today=date(2024, 1, 17)).ask("car theft in beltline last week")
    assert a.ok and a.intent == "count" and a.data["days"] == ["2024-01-08", "2024-01-14"]
    assert a.data["observed"] == 6 and a.data["previous"] == 0


def test_this_year_before_any_month_of_it_says_which_year(past):
    """'this year' with no complete month of the new year answers the newest year, saying so."""
    a = past[0].ask("beltline crime this year")
    assert a.data["months"] == _months("2023-01", "2023-12")
    assert any("No month of 2024 is complete" in ln for ln in a.lines)


def test_last_month_on_stale_data_says_what_it_read(r, keys, slice_frame, seeder):
    """When the data are old, 'last month' is the newest complete month and the reply says so."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    a = Engine(r, keys, today=date(2026, 11, 28)).ask("beltline last month")
    assert a.data["months"] == ["2023-12"]
    assert any("read as the newest complete month" in ln and "2026-11-28" in ln for ln in a.lines)


def test_past_tense_without_a_period_says_which_month(past):
    """'how many were there' with no period answers the newest complete month and says so."""
    a = past[0].ask("how many car thefts were there in beltline")
    assert a.intent == "count" and a.data["months"] == ["2023-12"]
    assert any("No period named" in ln for ln in a.lines)


def test_since_and_ranges_sum_the_right_months(past):
    """'since June' runs to the newest month; 'from March to May 2023' is those three months."""
    engine, store, _ = past
    a = engine.ask("street robbery in beltline since june")
    assert a.data["months"] == _months("2023-06", "2023-12")
    assert a.data["observed"] == _sum(store, {"BELTLINE"}, ("Street Robbery",), a.data["months"])
    b = engine.ask("how many break-ins in bridgeland from March to May 2023")
    assert b.data["months"] == ["2023-03", "2023-04", "2023-05"]
    assert b.data["observed"] == _sum(store, {"BRIDGELAND/RIVERSIDE"}, BE, b.data["months"])


def test_top_over_a_past_period_ranks_counts(past):
    """'which communities had the most break-ins last month' ranks December's counts."""
    engine, store, _ = past
    a = engine.ask("which communities had the most break-ins last month")
    totals = {}
    for (c, k), v in store.month_counts("2023-12").items():
        if k in BE:
            totals[c] = totals.get(c, 0) + v
    ranked = sorted(totals, key=lambda c: (-totals[c], c))[:5]
    assert a.intent == "top" and [t["community"] for t in a.data["top"]] == ranked
    assert [t["observed"] for t in a.data["top"]] == [totals[c] for c in ranked]
    assert "reported counts" in a.title


def test_compare_over_a_past_period_counts_each_place(past):
    """'compare beltline and forest lawn last year' gives each place's count of the calendar year
    before the newest complete month's (2022 with data through 2023-12: docs/questions.md)."""
    engine, store, _ = past
    a = engine.ask("compare beltline and forest lawn last year")
    year = _months("2022-01", "2022-12")
    rows = a.to_dict()["result"]["rows"]
    assert [(r["area"], r["value"]) for r in rows] == [
        ("BELTLINE", _sum(store, {"BELTLINE"}, (), year)),
        ("FOREST LAWN", _sum(store, {"FOREST LAWN"}, (), year)),
    ]


def test_named_past_month_with_a_year_is_counted(past):
    """'total crime city-wide in November 2023' is the month's count, judged by its forecast."""
    engine, store, _ = past
    a = engine.ask("total crime city-wide in November 2023")
    assert a.intent == "count" and a.data["observed"] == store.total("2023-11")
    assert a.data["forecast"]["made_with_data_through"] == ["2023-10"]


def test_words_that_could_change_the_meaning_are_named(past):
    """A 'last' the parser could not use in a period is named in a question back (issue 16:
    clarify, never broaden), with the periods it can read."""
    a = past[0].ask("top 5 last")
    assert not a.ok and a.intent == "clarify" and any("'last'" in ln for ln in a.lines)
    assert "last month" in a.suggestions


def test_past_tense_with_a_future_period_says_it_is_a_forecast(past):
    """'were' with 'next month' answers the forecast and says so."""
    a = past[0].ask("how many were there in beltline next month")
    assert a.intent == "forecast" and any("past tense" in ln for ln in a.lines)


def test_many_past_and_present_questions_never_raise(past):
    """Hundreds of mixed past/present questions all get an Answer, never an exception."""
    import random

    rng = random.Random(5)
    words = [
        "how many",
        "were there",
        "was",
        "last month",
        "last week",
        "yesterday",
        "in 2022",
        "2016",
        "2031",
        "since june",
        "from march to may 2023",
        "this year",
        "ytd",
        "compared to last year",
        "is",
        "up",
        "down",
        "running hot",
        "unusual",
        "how did the forecast do",
        "what data do you have",
        "how fresh",
        "beltline",
        "dover",
        "northeast",
        "car theft",
        "break-ins",
        "top 5",
        "compare",
        "and",
        "forest lawn",
        "last 3 months",
        "two months ago",
        "per 1000",
        "next month",
        "in march",
    ]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        a = past[0].ask(text)
        assert a.title and (a.ok or a.lines), text


def test_last_year_on_stale_data_says_what_it_read(r, keys, slice_frame, seeder):
    """On old data 'last year' is read relative to the data, and the reply says which year."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    a = Engine(r, keys, today=date(2026, 11, 28)).ask("beltline crime last year")
    assert a.data["result"]["rows"][0]["period"] == "2022"  # the year before the data's newest
    assert a.data["question"]["when"][0]["start"] == "2022-01"
    assert any("'last year' as 2022" in ln for ln in a.lines)


def test_running_hot_in_a_named_month_tests_that_month(past):
    """'what ran hot in November 2023' tests November against the forecast made before it."""
    engine, store, archive = past
    a = engine.ask("what ran unusually high in november 2023")
    family = sorted(archive.forecasts_for("2023-11").items())
    assert a.intent == "hot" and a.data["month"] == "2023-11"
    assert a.data["fdr"]["tested"] == len(family)
    assert a.data["made_with_data_through"] == "2023-10"


def test_is_it_up_for_two_places_answers_each(past):
    """'is crime up in beltline and dover this year' gives each place its own year over year."""
    engine, store, _ = past
    a = engine.ask("is crime up in beltline and dover this year")
    year, before = _months("2023-01", "2023-12"), _months("2022-01", "2022-12")
    assert a.intent == "change" and [i["label"] for i in a.data["items"]] == ["BELTLINE", "DOVER"]
    for item in a.data["items"]:
        assert item["observed"] == _sum(store, {item["label"]}, (), year)
        assert item["previous"] == _sum(store, {item["label"]}, (), before)


def test_a_named_period_inside_the_forecasts_is_forecast(past):
    """'from January to March 2024' lies after the counts, inside the forecasts: its forecast."""
    engine, _, _ = past
    a = engine.ask("how many car thefts in beltline from january to march 2024")
    b = engine.ask("car thefts in beltline next 3 months")
    assert a.intent == "forecast" and a.data["months"] == ["2024-01", "2024-02", "2024-03"]
    assert (a.data["mean"], a.data["lo80"], a.data["hi80"]) == (
        b.data["mean"],
        b.data["lo80"],
        b.data["hi80"],
    )
    c = engine.ask("is car theft up in beltline from january to march 2024")
    assert not c.ok and "not in the data yet" in " ".join(c.lines)


def test_running_hot_on_a_day_level_source_tests_the_month_to_date(r, keys, slice_frame, seeder):
    """Where records carry days, a week into the month the month to date is tested."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    field = series_field("BELTLINE", CAR)
    for day in ("2023-12-03", "2023-12-17"):
        r.hincrby(keys.day_counts(day), field, 1)
    for day in range(1, 11):
        r.hincrby(keys.day_counts(f"2024-01-{day:02d}"), field, 9)
    r.set(keys.watermark, "2024-01-10")
    a = Engine(r, keys, today=date(2024, 1, 11)).ask("which communities are running hot")
    assert a.data["month"] == "2024-01" and "days 1–10 of January 2024" in " ".join(a.lines)
    assert ("BELTLINE", CAR) in {(h["community"], h["category"]) for h in a.data["hot"]}
    assert next(h for h in a.data["hot"] if h["community"] == "BELTLINE")["observed"] == 90


@pytest.mark.parametrize(
    "text,what",
    [
        ("trend beltline", "trend"),
        ("which communities are running hot", "hot"),
        ("what data do you have", "coverage"),
        ("why is beltline up", "explain"),
        ("how did last month's forecast do", "accuracy"),
    ],
)
def test_the_reports_are_evaluators_over_the_frozen_state(past, text, what):
    """Trend, hot, coverage, explain and the review are evaluators like the measures: pure over
    the frozen state, so once its version is read (``warm``) they answer with no Redis client at
    all, and their figures are those of the counts."""
    from bot.language.understand import parse_question

    engine, store, _ = past
    question = engine.resolve(parse_question(text, engine.names))
    assert question.what == what
    state = engine.state()
    state.warm()
    client, state.client = state.client, None  # any read of Redis now fails
    try:
        result = EVALUATORS[what](question, state)
    finally:
        state.client = client
    if what == "trend":
        months = [r.month for r in result.rows]
        want = [_sum(store, ("BELTLINE",), (), [m]) for m in months]
        assert months[-1] == "2023-12" and [r.value for r in result.rows] == want
    elif what == "hot":
        assert result.extra["month"] == "2023-12" and result.extra["fdr"]["tested"] > 0
    elif what == "coverage":
        assert result.extra["months"][-1] == "2023-12" and result.extra["series"] > 0
    elif what == "explain":
        assert result.extra["target"] == "2024-01" and result.extra["avg12"] == pytest.approx(
            _sum(store, ("BELTLINE",), (), _months("2023-01", "2023-12")) / 12
        )
    else:
        (row,) = result.rows
        assert row.month == "2023-12" and row.value == _sum(store, COMMUNITIES, (), ["2023-12"])
