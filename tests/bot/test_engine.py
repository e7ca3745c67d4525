"""The engine against a real Redis filled from the real data and a real simple model."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bot.answering.engine import Engine
from core.negbin import NegBin
from core.negbin import total_interval as nb_total
from stream.forecast_cache import ForecastCache
from stream.keys import series_field


def _month_total(r, keys, month, communities, categories=None):
    raw = r.hgetall(keys.month_counts(month))
    total = 0
    for field, v in raw.items():
        c, cat = field.split("|", 1)
        if c in communities and (categories is None or cat in categories):
            total += int(v)
    return total


def test_single_series_uses_served_interval(engine, with_reference):
    """One series, one month: the answer is the cached mean and 80% interval, named by month."""
    r, keys = with_reference
    f = ForecastCache(r, keys).read("BELTLINE", "Theft OF Vehicle")
    a = engine.ask("car theft beltline next month")
    assert a.ok and a.data["months"] == [f.months[0]] == ["2024-01"]
    assert a.data["mean"] == pytest.approx(f.mean[0], abs=0.01)
    assert (a.data["lo80"], a.data["hi80"]) == (f.lo80[0], f.hi80[0])
    assert a.data["data_through"] == "2023-12" and "January 2024" in a.title
    assert "2023-12" in a.footer and "meanlast6-nb" in a.footer


def test_totals_are_coherent(engine, with_reference):
    """A community's total is the sum of its series' means with a moment-matched NB interval."""
    r, keys = with_reference
    fc = {k: v for k, v in ForecastCache(r, keys).read_all().items() if k[0] == "BELTLINE"}
    a = engine.ask("forecast Beltline next month")
    means = [f.mean[0] for f in fc.values()]
    alphas = [f.dispersion[0] for f in fc.values()]
    mu = sum(means)
    var = sum(m + al * m * m for m, al in zip(means, alphas))
    lo, hi = NegBin([mu], [max((var - mu) / mu**2, 0)]).interval(0.8)
    assert a.data["mean"] == pytest.approx(mu, abs=0.01)
    assert (a.data["lo80"], a.data["hi80"]) == (int(lo[0]), int(hi[0]))
    assert a.data["lo80"] <= a.data["mean"] <= a.data["hi80"]


def test_interval_widens_with_more_months(engine):
    """Three months have a larger total and a wider interval than one."""
    one = engine.ask("forest lawn car theft next month").data
    three = engine.ask("forest lawn car theft next 3 months").data
    assert three["mean"] == pytest.approx(3 * one["mean"], rel=0.01)
    assert three["hi80"] - three["lo80"] > one["hi80"] - one["lo80"]
    assert three["months"] == ["2024-01", "2024-02", "2024-03"]


def test_same_month_last_year_and_trend_come_from_counts(engine, with_reference):
    """Same month last year and the recent trend are the real counts."""
    r, keys = with_reference
    a = engine.ask("forecast Beltline next month")
    assert a.data["last_year"] == _month_total(r, keys, "2023-01", {"BELTLINE"})
    last3 = sum(_month_total(r, keys, m, {"BELTLINE"}) for m in ("2023-10", "2023-11", "2023-12"))
    assert a.data["trend"]["last3"] == last3
    assert any(name == "Same period last year" for name, _ in a.fields)


def test_every_answer_says_counts_not_fractions(engine):
    """Means are shown as whole counts with an 80% range, never as a bare fraction."""
    import re

    for text in ("forecast 01B", "ambleton", "beltline next 3 months"):
        a = engine.ask(text)
        assert re.search(r"(about [\d,]+|under 1) \(80% range [\d,]+–[\d,]+\)", a.lines[0]), a.lines
        assert not re.search(r"\d\.\d", a.lines[0])


def test_group_answer_says_so(engine, with_reference):
    """'downtown' answers for its communities and lists them."""
    r, keys = with_reference
    a = engine.ask("downtown next month")
    assert a.data["place"]["kind"] == "group"
    assert any("answering for the group" in ln for ln in a.lines)
    single = engine.ask("downtown commercial core next month").data["mean"]
    assert a.data["mean"] >= single  # the slice holds only part of the group


def test_stale_warning(with_reference, today):
    """An answer names the data month and warns when it is old against today."""
    r, keys = with_reference
    a = Engine(r, keys, today=date(2026, 11, 28)).ask("forecast beltline")
    assert any("Stale" in w and "December 2023" in w for w in a.warnings)
    fresh = Engine(r, keys, today=today).ask("forecast beltline")
    assert not any("Stale" in w for w in fresh.warnings)


def test_no_forecasts_says_how_to_get_them(r, keys, slice_frame, seeder, today):
    """Without forecasts the bot says so and names the commands that make them."""
    seeder.fill(r, keys, slice_frame, forecasts=False)
    a = Engine(r, keys, today=today).ask("forecast beltline")
    assert (
        not a.ok
        and "crimecast demo" in " ".join(a.lines)
        and "crimecast train" in " ".join(a.lines)
    )
    trend = Engine(r, keys, today=today).ask("trend beltline")
    assert trend.ok  # history needs no forecasts


def test_empty_redis_is_not_an_error(r, keys, today):
    """A brand-new deployment answers help and status without a traceback."""
    e = Engine(r, keys, today=today)
    assert e.ask("status").ok
    assert not e.ask("forecast beltline").ok


def test_top_is_ranked_by_forecast(engine, with_reference):
    """Top N lists communities by the sum of their forecast means, with intervals."""
    r, keys = with_reference
    fc = ForecastCache(r, keys).read_all()
    totals = {}
    for (c, cat), f in fc.items():
        if cat.startswith("Break & Enter"):
            totals[c] = totals.get(c, 0) + f.mean[0]
    expected = sorted(totals, key=totals.get, reverse=True)[:3]
    a = engine.ask("top 3 communities for break-ins next month")
    assert [t["community"] for t in a.data["top"]] == expected
    assert all(t["lo80"] <= t["mean"] <= t["hi80"] for t in a.data["top"])
    assert a.chart is not None and len(a.chart.bars) == 3


def test_top_in_sector_uses_reference(engine):
    """A sector top list only holds that sector's communities."""
    a = engine.ask("top 5 in the northeast")
    assert (
        a.ok
        and {t["community"] for t in a.data["top"]}
        <= {"AMBLETON", "BRIDGELAND/RIVERSIDE", "CRANSTON"} | set()
    )
    centre = engine.ask("top 5 in the centre")
    assert "BELTLINE" in {t["community"] for t in centre.data["top"]}
    assert "CRANSTON" not in {t["community"] for t in centre.data["top"]}


def test_rates_per_1000_use_census(engine, reference_files):
    """A rate is the forecast over the census population, saying so."""
    import pandas as pd

    pop = pd.read_csv(reference_files[1])
    beltline = int(pop.loc[pop["COMMUNITY_NAME"] == "BELTLINE", "POPULATION_2021"].iloc[0])
    a = engine.ask("beltline per 1000 residents")
    assert a.data["rate_per_1000"] == pytest.approx(a.data["mean"] / beltline * 1000, rel=1e-3)
    assert any("per 1,000 residents" in v for _, v in a.fields)


def test_rates_without_reference_say_why(filled, today):
    """Without reference data, a rate request is refused, saying why (never answered as a
    forecast or a count: docs/questions.md)."""
    r, keys = filled
    a = Engine(r, keys, today=today).ask("beltline per 1000 residents")
    assert not a.ok and "rate_per_1000" not in a.data
    assert a.data["error"] == "no_population"
    assert any("no population figures" in ln for ln in a.lines)
    assert not Engine(r, keys, today=today).ask("top 5 in the northeast").ok


def test_compare_two_places(engine):
    """Compare gives each place its own forecast and history."""
    a = engine.ask("compare Beltline and Forest Lawn")
    labels = [i["label"] for i in a.data["items"]]
    assert labels == ["BELTLINE", "FOREST LAWN"]
    b = engine.ask("forecast beltline").data["mean"]
    assert a.data["items"][0]["mean"] == pytest.approx(b, abs=0.01)
    assert a.chart is not None and len(a.chart.lines) == 2


def test_trend_matches_counts(engine, with_reference):
    """Year to date and the 12-month comparison are the counts in Redis."""
    r, keys = with_reference
    a = engine.ask("trend forest lawn")
    ytd = sum(_month_total(r, keys, f"2023-{m:02d}", {"FOREST LAWN"}) for m in range(1, 13))
    prev = sum(_month_total(r, keys, f"2022-{m:02d}", {"FOREST LAWN"}) for m in range(1, 13))
    assert a.data["ytd"] == {"year": "2023", "count": ytd, "previous": prev}
    assert len(a.data["history"]) == 24


def test_named_past_month_is_observed(engine, with_reference):
    """A month inside the data is answered with its count, not a forecast."""
    r, keys = with_reference
    a = engine.ask("beltline 2023-05")
    assert a.data["observed"] == _month_total(r, keys, "2023-05", {"BELTLINE"})
    assert a.intent == "count" and "reported count" in a.title and "not a forecast" in a.lines[0]


def test_month_beyond_horizon_is_explained(engine):
    """A month past the forecasts gets a plain explanation."""
    a = engine.ask("beltline 2025-06")
    assert not a.ok and "beyond the forecasts" in " ".join(a.lines)


def test_this_month_adds_month_to_date(r, keys, slice_frame, seeder, today):
    """'This month' = the days counted so far plus the forecast pro-rated over the rest."""
    seeder.fill(r, keys, slice_frame, data_through="2023-12")
    # ten days of January 2024 arrive for Beltline car theft
    field = series_field("BELTLINE", "Theft OF Vehicle")
    for day in range(1, 11):
        r.hincrby(keys.day_counts(f"2024-01-{day:02d}"), field, 1)
    r.set(keys.watermark, "2024-01-10")
    a = Engine(r, keys, today=date(2024, 1, 11)).ask("beltline car theft this month")
    assert a.data["month_to_date"] == 10 and a.data["days"] == 10
    assert "so far: 10" in a.lines[0]


def test_explain_names_drivers(engine):
    """Explain reports level, trend, season and hot months, and says when it is not up."""
    a = engine.ask("why is Beltline up?")
    names = [n for n, _ in a.fields]
    for driver in ("Recent level", "Trend", "Season", "Ran hot"):
        assert driver in names
    if a.data["direction"] != "up":
        assert any("not forecast up" in ln for ln in a.lines)


def test_status_reports_versions_and_accuracy(engine):
    """Status names the data month, the model and its accuracy figures."""
    a = engine.ask("status")
    text = " ".join(v for _, v in a.fields)
    assert "2023-12" in text and "meanlast6-nb" in text
    assert a.data["meta"]["mae"]["model"] < 10
    assert any(n == "Recent accuracy" and "seasonal naive" in v for n, v in a.fields)


def test_cache_reloads_when_version_changes(engine, with_reference, slice_frame, seeder):
    """New forecasts are served as soon as the cache version changes."""
    r, keys = with_reference
    first = engine.ask("forecast beltline")
    long = seeder.long_counts(slice_frame)
    entries = seeder.simple_forecasts(long[long["month"] <= "2023-11"], "2023-11", 3)
    ForecastCache(r, keys).write(entries, {"data_through": "2023-11", "model": "other"})
    second = engine.ask("forecast beltline")
    assert first.data["model_version"] + 1 == second.data["model_version"]
    assert second.data["data_through"] == "2023-11" and second.data["model"] == "other"
    assert second.data["months"] == ["2024-01"]  # still the month after the newest complete one


def test_forecasts_lagging_counts_are_flagged(with_reference, today):
    """If counts have closed a newer month than the forecasts rest on, the answer says so."""
    r, keys = with_reference
    r.zadd(keys.closed_months, {"2024-01": 202401})
    a = Engine(r, keys, today=today).ask("forecast beltline")
    assert any("still rest on 2023-12" in w for w in a.warnings)
    assert a.data["months"] == ["2024-02"]  # next month after the newest complete month


def test_nb_total_matches_distribution():
    """The moment-matched total of Poisson parts is the Poisson of the sum."""
    m, lo, hi = nb_total(np.array([2.0, 3.0]), np.zeros(2))
    plo, phi = NegBin([5.0], [0.0]).interval(0.8)
    assert (m, lo, hi) == (5.0, int(plo[0]), int(phi[0]))


def test_top_within_a_community_ranks_categories(engine):
    """'top 3 in Beltline' ranks that community's categories by forecast."""
    a = engine.ask("top 3 in beltline")
    means = [t["mean"] for t in a.data["top"]]
    assert len(means) == 3 and means == sorted(means, reverse=True)
    assert all("category" in t for t in a.data["top"])


def test_help_lists_what_can_be_asked(engine):
    """Help shows examples and the slash commands."""
    a = engine.ask("help")
    assert (
        a.ok
        and "/forecast" in " ".join(a.lines)
        and "forecast Beltline next month" in " ".join(a.lines)
    )


def test_many_mixed_questions_never_raise(engine):
    """Hundreds of mixed and odd questions all get an Answer (never an exception)."""
    import random

    rng = random.Random(3)
    words = [
        "forecast",
        "top",
        "trend",
        "compare",
        "why",
        "status",
        "beltline",
        "forest lawn",
        "cranston",
        "01b",
        "ambleton",
        "downtown",
        "northeast",
        "centre",
        "car theft",
        "break-ins",
        "robbery",
        "next 3 months",
        "this month",
        "in march",
        "2023-05",
        "2030-01",
        "per 1000",
        "vs",
        "and",
        "top 25",
        "calgary",
        "gotham",
        "bridgeland",
    ]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        a = engine.ask(text)
        assert a.title and (a.ok or a.lines), text


def test_new_counts_are_seen_without_restart(engine, with_reference):
    """When a month closes, the next question sees it (history reloads on change)."""
    r, keys = with_reference
    before = engine.ask("trend beltline")
    assert before.data["history_months"][-1] == "2023-12"
    field = series_field("BELTLINE", "Theft OF Vehicle")
    r.hincrby(keys.month_counts("2024-01"), field, 500)
    r.hincrby(keys.series_counts("BELTLINE", "Theft OF Vehicle"), "2024-01", 500)
    r.zadd(keys.months, {"2024-01": 202401})
    r.zadd(keys.closed_months, {"2024-01": 202401})
    after = engine.ask("trend beltline")
    assert after.data["history_months"][-1] == "2024-01" and after.data["history"][-1] >= 500


def test_engine_imports_no_discord_and_no_torch():
    """The query engine, parser and renderer load without discord or torch."""
    import subprocess
    import sys

    code = (
        "import sys, bot, bot.answering.engine, bot.language.parse, bot.rendering.render\n"
        "from core.negbin import total_interval; total_interval([1.0], [0.1])\n"
        "print('discord' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    "text",
    ["top 5 next month", "top 5 communities last month", "top categories in beltline next month"],
)
def test_rankings_link_the_data_card_beside_their_caveat(engine, text):
    """Every ranking answer's caveat says what a rank reflects and links docs/data.md."""
    a = engine.ask(text)
    assert a.intent == "top" and a.data["top"]
    assert "docs/data.md" in a.caveat and a.data["data_card"] == "docs/data.md"
    assert "reported" in a.caveat.lower()
