"""Each evaluator against an independent computation (plain pandas over the real slice), through
the engine over a real Redis seeded with the real counts, forecasts and archive."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bot.answering.engine import Engine
from bot.language.question import Crime, Period, Question, Ranking, Where


BELTLINE = Where("area", "BELTLINE", ("BELTLINE",))
FOREST = Where("area", "FOREST LAWN", ("FOREST LAWN",))
Y2023 = Period("2023-01", "2023-12", "2023")
Y2021 = Period("2021-01", "2021-12", "2021")
BNE = "Break & Enter - Dwelling"


def q(what, **kw) -> Question:
    return Question(what, resolved=True, chart=False, **kw)


@pytest.fixture
def long(slice_frame, seeder) -> pd.DataFrame:
    df = seeder.long_counts(slice_frame)
    return df[df["month"] <= "2023-12"]


@pytest.fixture
def ref(reference_files) -> pd.DataFrame:
    com, pop = (pd.read_csv(f) for f in reference_files)
    out = com.merge(pop, left_on="COMM_CODE", right_on="COMMUNITY_CODE", how="left")
    return out.set_index("NAME")[["SECTOR", "POPULATION_2021"]]


@pytest.fixture
def archived(r, keys, slice_frame, reference_files, seeder, today):
    """The slice with forecasts archived as if trained month by month (through 2023-09..11)."""
    seeder.fill(
        r,
        keys,
        slice_frame,
        data_through="2023-12",
        horizon=3,
        archive=("2023-09", "2023-10", "2023-11"),
    )
    seeder.load_reference(r, keys, *reference_files)
    return Engine(r, keys, today=today)


def total(long, areas=None, months=None, cats=None) -> int:
    d = long
    if areas is not None:
        d = d[d["community"].isin(areas)]
    if months is not None:
        d = d[d["month"].isin(months)]
    if cats:
        d = d[d["category"].isin(cats)]
    return int(d["count"].sum())


def rows(answer) -> list[dict]:
    assert answer.ok, answer.lines
    return answer.to_dict()["result"]["rows"]


def test_count_of_an_area_in_a_year(engine, long):
    """A count is the sum of the reported incidents of the area over the year."""
    got = rows(engine.evaluate(q("count", where=(BELTLINE,), when=(Y2023,))))
    assert len(got) == 1 and got[0]["area"] == "BELTLINE"
    assert got[0]["value"] == total(long, ["BELTLINE"], Y2023.months)


def test_count_by_category_and_by_region(engine, long, ref):
    """A breakdown gives one row per key, each its own sum."""
    got = rows(
        engine.evaluate(
            q(
                "count",
                where=(BELTLINE,),
                by="category",
                when=(Period("2023-04", "2023-06", "Q2 2023"),),
            )
        )
    )
    want = long[(long["community"] == "BELTLINE") & long["month"].between("2023-04", "2023-06")]
    want = want.groupby("category")["count"].sum()
    assert {r["category"]: r["value"] for r in got} == {k: float(v) for k, v in want.items()}
    got = rows(engine.evaluate(q("count", by="region", when=(Y2023,))))
    d = long[long["month"].isin(Y2023.months)].assign(
        sector=lambda x: x["community"].map(ref["SECTOR"])
    )
    want = d.dropna(subset=["sector"]).groupby("sector")["count"].sum()
    assert {r["region"]: r["value"] for r in got} == {k: float(v) for k, v in want.items()}


def test_rate_ranking_exactly_n_by_rate(engine, long, ref):
    """Top 3 by rate: count / population * 1000, areas without population left out, 3 rows."""
    got = rows(
        engine.evaluate(
            q("rate", by="area", when=(Y2023,), ranking=Ranking(3, "top", "rate", True))
        )
    )
    counts = long[long["month"].isin(Y2023.months)].groupby("community")["count"].sum()
    pops = ref["POPULATION_2021"].reindex(counts.index)
    rate = (counts / pops * 1000).replace([np.inf], np.nan).dropna()
    rate = rate[pops.reindex(rate.index) > 0]
    want = sorted(rate.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [r["area"] for r in got] == [k for k, _ in want]
    for r, (_, v) in zip(got, want):
        assert r["value"] == pytest.approx(v, rel=1e-3)


def test_average_and_share(engine, long):
    """Average = count / months; share = 100 * count / the city's count (same crime, period)."""
    got = rows(engine.evaluate(q("average", where=(FOREST,), when=(Y2021,))))
    assert got[0]["value"] == pytest.approx(
        total(long, ["FOREST LAWN"], Y2021.months) / 12, rel=1e-3
    )
    crime = Crime((BNE,), "residential break-ins")
    got = rows(engine.evaluate(q("share", where=(BELTLINE,), crime=crime, when=(Y2023,))))
    want = (
        100
        * total(long, ["BELTLINE"], Y2023.months, [BNE])
        / total(long, None, Y2023.months, [BNE])
    )
    assert got[0]["value"] == pytest.approx(want, rel=1e-3)


def test_change_between_two_periods_and_ranked_by_pct(engine, long):
    """Two periods: value = the later, previous = the earlier; ranked by percent change."""
    got = rows(engine.evaluate(q("change", where=(BELTLINE,), when=(Y2021, Y2023))))
    now, before = total(long, ["BELTLINE"], Y2023.months), total(long, ["BELTLINE"], Y2021.months)
    assert (got[0]["value"], got[0]["previous"], got[0]["change"]) == (now, before, now - before)
    assert got[0]["pct"] == pytest.approx(100 * (now - before) / before, rel=1e-3)
    got = rows(
        engine.evaluate(
            q(
                "change",
                by="area",
                when=(Y2023,),
                compared_with="year_before",
                ranking=Ranking(2, "bottom", "pct", True),
            )
        )
    )
    y22 = Period("2022-01", "2022-12").months
    pct = {}
    for c in long["community"].unique():
        a, b = total(long, [c], Y2023.months), total(long, [c], y22)
        if b:
            pct[c] = 100 * (a - b) / b
    want = sorted(pct.items(), key=lambda kv: (kv[1], kv[0]))[:2]
    assert [r["area"] for r in got] == [k for k, _ in want]


def test_peak_and_trough_months(engine, long):
    """The busiest 3 months and the quietest month of 2023, ties by the earlier month."""
    got = rows(
        engine.evaluate(
            q("peak", where=(BELTLINE,), when=(Y2023,), ranking=Ranking(3, "top", "count", True))
        )
    )
    per = long[(long["community"] == "BELTLINE") & long["month"].isin(Y2023.months)]
    per = per.groupby("month")["count"].sum()
    want = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [(r["month"], r["value"]) for r in got] == [(m, float(v)) for m, v in want]
    got = rows(engine.evaluate(q("trough", where=(BELTLINE,), when=(Y2023,))))
    low = sorted(per.items(), key=lambda kv: (kv[1], kv[0]))[0]
    assert [(r["month"], r["value"]) for r in got] == [(low[0], float(low[1]))]


def test_forecast_rows_are_the_served_mean_and_range(engine, long):
    """A forecast: per month, the served mean (the model's: mean of the last six months) and 80% range."""
    a = engine.evaluate(
        q(
            "forecast",
            where=(BELTLINE,),
            crime=Crime((BNE,), "b&e"),
            when=(Period("2024-01", "2024-02", "next 2 months"),),
        )
    )
    got = rows(a)
    last6 = total(long, ["BELTLINE"], Period("2023-07", "2023-12").months, [BNE]) / 6
    assert [r["month"] for r in got] == ["2024-01", "2024-02"]
    assert got[0]["value"] == pytest.approx(max(last6, 0.02), rel=1e-3)
    assert got[0]["lo"] <= got[0]["value"] <= got[0]["hi"]
    assert a.to_dict()["data_through"] == "2023-12"


def test_accuracy_on_demand_from_the_archive(archived, long):
    """How the forecasts did, with no report run: counted vs the forecast made before each month."""
    a = archived.evaluate(
        q("accuracy", where=(FOREST,), when=(Period("2023-10", "2023-12", "Q4"),))
    )
    got = rows(a)
    assert [r["month"] for r in got] == ["2023-10", "2023-11", "2023-12"]
    d = long[long["community"] == "FOREST LAWN"]
    for r in got:
        m = r["month"]
        window = Period(*_six_before(m)).months
        per_series = d[d["month"].isin(window)].groupby("category")["count"].sum() / 6
        assert r["value"] == total(long, ["FOREST LAWN"], [m])
        assert r["previous"] == pytest.approx(np.maximum(per_series, 0.02).sum(), rel=1e-3)
        assert r["change"] == pytest.approx(r["value"] - r["previous"], abs=1e-3)
    assert a.to_dict()["result"]["judged"] == 3


def _six_before(m: str) -> tuple[str, str]:
    from core.months import add_months

    return add_months(m, -6), add_months(m, -1)


def test_list_of_a_region(engine):
    """A list names the areas of the place that have counts, no numbers."""
    w = Where(
        "region",
        "CENTRE sector",
        ("BELTLINE", "DOWNTOWN COMMERCIAL CORE", "BRIDGELAND/RIVERSIDE", "CHINATOWN"),
        "CENTRE",
    )
    got = rows(engine.evaluate(q("list", where=(w,))))  # Chinatown is not in the test's slice
    assert [r["area"] for r in got] == sorted(w.names[:3]) and all(r["value"] is None for r in got)


def test_one_area_reads_only_its_rows(engine, today):
    """A question about one area reads that area's series, not the panel: a second process (a
    new engine, as a one-shot `crimecast ask`) finds the names' busiest areas kept per version."""
    engine.refresh()  # the first one derives the busiest areas once for this version of the data
    fresh = Engine(engine.client, engine.keys, today=today)
    a = fresh.evaluate(q("count", where=(BELTLINE,), when=(Y2023,)))
    assert a.ok and fresh.names.busiest == engine.names.busiest
    state = fresh.state()
    loaded = int(state.counts._loaded.sum())
    assert loaded == len(state.rows(["BELTLINE"])) < len(state.catalog)
    assert not state.forecasts._loaded.any()  # a count reads no forecast


def test_text_to_json_rows_for_a_new_shape(engine, long):
    """'which 2 communities had the most break-ins in Q2 2023' -> exactly 2 rows, by count, in
    the JSON result; the reply carries the ranking caveat (a rank is not danger)."""
    a = engine.ask("which 2 communities had the most break-ins in Q2 2023")
    d = a.to_dict()
    assert d["ok"] and d["intent"] == "count" and d["question"]["ranking"]["n"] == 2
    q2 = Period("2023-04", "2023-06").months
    per = long[long["month"].isin(q2) & long["category"].str.startswith("Break & Enter")]
    want = per.groupby("community")["count"].sum().sort_values(ascending=False)
    assert [r["value"] for r in d["result"]["rows"]] == [float(v) for v in want.iloc[:2]]
    assert "busy places" in a.caveat or "reporting" in a.caveat


def test_accuracy_asked_in_words_needs_no_report(archived, long):
    """'how accurate are you in forest lawn last quarter': from the archive and the counts, now."""
    a = archived.ask("how accurate are you in forest lawn last quarter")
    d = a.to_dict()
    assert d["ok"] and d["intent"] == "accuracy"
    months = [r["month"] for r in d["result"]["rows"]]
    assert months == ["2023-10", "2023-11", "2023-12"]
    assert all(
        r["value"] == total(long, ["FOREST LAWN"], [r["month"]]) for r in d["result"]["rows"]
    )
    assert "From the forecast archive and the counts, now" in "\n".join(a.lines)


def test_assumed_readings_are_said(engine):
    """A reading the resolver assumed is in the reply and in 'assumed'."""
    a = engine.ask("average break-ins per month in beltline")
    assert a.ok and a.to_dict()["assumed"]
    assert any(line.startswith("ℹ Read as:") for line in a.lines)


def test_a_state_per_data_version(engine, r, keys, slice_frame, seeder):
    """The state is reused while the data do not change and replaced when the forecasts do."""
    first = engine.state()
    assert engine.state() is first
    seeder.fill(r, keys, slice_frame, data_through="2023-12", horizon=2)  # a new forecast set
    second = engine.state()
    assert second is not first and second.version == first.version + 1
    assert len(second.forecasts.months) == 2


def test_count_against_the_forecast_made_before(archived, long):
    """compared_with='forecast': previous = the forecast made before the month (from the archive)."""
    a = archived.evaluate(
        q(
            "count",
            where=(FOREST,),
            when=(Period("2023-12", "2023-12", "Dec"),),
            compared_with="forecast",
        )
    )
    got = rows(a)[0]
    fl = long[(long["community"] == "FOREST LAWN") & (long["month"] <= "2023-11")]
    window = fl[fl["month"].isin(Period("2023-06", "2023-11").months)]
    per = window.groupby("category")["count"].sum().reindex(fl["category"].unique(), fill_value=0)
    want = np.maximum(per / 6, 0.02).sum()  # the simple model: mean of the six months before
    assert got["value"] == total(long, ["FOREST LAWN"], ["2023-12"])
    assert (
        got["previous"] == pytest.approx(want, rel=1e-3)
        and got["lo"] <= got["previous"] <= got["hi"]
    )


def test_a_warm_engine_reads_each_version_whole(engine, today):
    """The Discord bot's engine (warm) reads a new version at once; no question pays for it."""
    warm = Engine(engine.client, engine.keys, today=today, warm=True)
    state = warm.state()
    assert state.counts._loaded.all() and state.forecasts._loaded.all()


def test_accuracy_in_words_says_each_reading_once_and_leads_with_the_figures(archived):
    """With no saved report, the figures asked for come first; an assumed reading is said once."""
    a = archived.ask("how accurate are you in forest lawn last quarter")
    lines = [str(ln) for ln in a.lines]
    assert lines[0].startswith("**From the forecast archive and the counts, now")
    read_as = [ln for ln in lines if ln.startswith("ℹ Read as:")]
    assert read_as and len(read_as) == len(set(read_as))
