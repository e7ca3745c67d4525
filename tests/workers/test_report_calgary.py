"""The accountability report on the real Calgary data, 2018-2023, its 2023 figures recounted.

Forecasts: the worker tests' plain mean-of-six-months rule (NB dispersion per category), made
month by month (data through 2022-09 .. 2023-11) and written through ForecastArchive, as the model
jobs archive every served set. Each figure checked is recomputed here from the CSV, the reference
CSV and the sets written, with pandas and scipy, not with crimecast's code.
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from redis_prefix import delete_prefix  # tests/ is on sys.path (tests/conftest.py)
from stream.reference import load_reference
from stream.connection import connect
from stream.consumer import Consumer
from stream.forecast_archive import ForecastArchive
from stream.keys import Keys
from stream.producer import Producer
from core.text import area_name
from stream.sources.calgary import read_calgary
from workers.report import accountability_report, report_for_scope, report_text

pytestmark = pytest.mark.slow  # the whole real file, counted and archived (about 40 s unloaded)

# the shared data folder, as tests/conftest.py finds it (it was a fixed /work/shared/data)
DATA = Path(
    os.environ.get("CRIMECAST_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data")
)
MONTHS_2023 = [f"2023-{m:02d}" for m in range(1, 13)]


@pytest.fixture(scope="module")
def built(redis_url, calgary_csv, calgary_panel, tools):
    """Everything counted and archived once for the module; the report for 2023."""
    keys = Keys(f"cctest-{uuid.uuid4().hex[:12]}")
    client = connect(redis_url)
    try:
        Producer(client, keys).send(read_calgary(calgary_csv, today=date(2024, 1, 31)))
        consumer = Consumer(client, keys, batch_size=2000)
        consumer.run(burst=True)
        consumer.close()
        load_reference(
            client, keys, f"{DATA}/calgary_communities.csv", f"{DATA}/calgary_population_2021.csv"
        )
        sets = {}
        for through in (
            tools.month_add("2022-09", 0),
            *[tools.month_add("2022-09", k) for k in range(1, 15)],
        ):
            sets[through] = {e.series: e for e in tools.mean_forecasts(calgary_panel, through)}
            ForecastArchive(client, keys).write(through, sets[through].values())
        report = accountability_report(client, keys, months=12, end="2023-12")
        yield {"report": report, "sets": sets, "client": client, "keys": keys}
    finally:
        client.close()
        delete_prefix(redis_url, keys.prefix)


@pytest.fixture(scope="module")
def sectors():
    ref = pd.read_csv(f"{DATA}/calgary_communities.csv", dtype=str)
    return dict(zip(ref["NAME"].map(area_name), ref["SECTOR"].str.strip().str.upper()))


@pytest.fixture(scope="module")
def rows(built, calgary_panel, sectors):
    """Independent series-month table: each 2023 month's forecast from the set made the month
    before, the count from the CSV panel."""
    out = []
    for m in MONTHS_2023:
        through = (pd.Period(m, "M") - 1).strftime("%Y-%m")
        for (c, k), f in built["sets"][through].items():
            y = calgary_panel.loc[(c, k), m] if (c, k) in calgary_panel.index else 0
            out.append(
                (
                    m,
                    c,
                    k,
                    sectors.get(c, "(no region)"),
                    f.mean[0],
                    f.dispersion[0],
                    f.lo80[0],
                    f.hi80[0],
                    float(y),
                )
            )
    return pd.DataFrame(
        out, columns=["month", "community", "category", "region", "mean", "alpha", "lo", "hi", "y"]
    )


def _bh(p, level=0.1):
    p = np.asarray(p)
    order = np.argsort(p)
    m = len(p)
    passed = np.flatnonzero(p[order] <= level * np.arange(1, m + 1) / m)
    flagged = np.zeros(m, bool)
    if len(passed):
        flagged[order[: passed.max() + 1]] = True
    return flagged


@pytest.fixture(scope="module")
def flags(rows):
    """Independent monthly running-hot flags: NB upper tail, Benjamini-Hochberg at 0.1 per month."""
    out = {}
    for m, g in rows.groupby("month"):
        n = 1 / np.maximum(g["alpha"].to_numpy(), 1e-8)
        p = np.where(
            g["y"] > 0, stats.nbinom.sf(g["y"] - 1, n, n / (n + g["mean"].to_numpy())), 1.0
        )
        out[m] = list(g["community"].to_numpy()[_bh(p)])
    return out


def test_report_covers_2023_of_a_monthly_source(built):
    """Twelve months, twelve monthly running-hot tests, forecasts for every month."""
    r = built["report"]
    assert r["period"] == {"start": "2023-01", "end": "2023-12", "months": 12}
    assert r["resolution"] == "month" and r["tests"] == 12
    assert r["forecast_months"] == MONTHS_2023


def test_coverage_and_bias_by_region_match_an_independent_count(built, rows):
    """Per region: 80% coverage and mean forecast minus actual, as pandas computes them."""
    by = built["report"]["accuracy"]["by_region"]
    for region, g in rows.groupby("region"):
        inside = ((g["lo"] <= g["y"]) & (g["y"] <= g["hi"])).mean()
        assert by[region]["series_months"] == len(g)
        assert by[region]["coverage80"] == pytest.approx(inside, abs=1e-3)
        assert by[region]["bias"] == pytest.approx((g["mean"] - g["y"]).mean(), abs=1e-3)


def test_bias_by_category_matches_an_independent_count(built, rows):
    """Per category: mean forecast minus actual."""
    by = built["report"]["accuracy"]["by_category"]
    for category, g in rows.groupby("category"):
        assert by[category]["bias"] == pytest.approx((g["mean"] - g["y"]).mean(), abs=1e-3)


def test_deviance_against_ses_matches_an_independent_smoother(built, rows, calgary_panel):
    """The overall Poisson deviance ratio against SES (alpha 0.2, started at a series' first count)."""
    panel = calgary_panel.loc[:, calgary_panel.columns <= "2023-12"]
    level = np.full(len(panel), np.nan)
    ses = {}
    values = panel.to_numpy()
    for j, m in enumerate(panel.columns):
        if m in MONTHS_2023:
            ses[m] = dict(zip(panel.index, level.copy()))
        y = values[:, j]
        started = ~np.isnan(level)
        level = np.where(
            started, level + 0.2 * (y - np.nan_to_num(level)), np.where(y > 0, y, np.nan)
        )
    s = np.array(
        [
            ses[m].get((c, k), np.nan)
            for m, c, k in rows[["month", "community", "category"]].to_numpy()
        ]
    )
    keep = ~np.isnan(s)
    y, mu = rows["y"].to_numpy()[keep], rows["mean"].to_numpy()[keep]

    def dev(y, mu):
        mu = np.maximum(mu, 1e-6)
        return 2 * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / mu), 0) - (y - mu))

    ratio = dev(y, mu).mean() / dev(y, s[keep]).mean()
    assert built["report"]["accuracy"]["overall"]["deviance_ratio"] == pytest.approx(
        ratio, abs=2e-3
    )


def test_flags_and_their_concentration_match_an_independent_test(built, flags):
    """Total flags and the share that went to the ten most-flagged areas."""
    counts = pd.Series([c for m in flags for c in flags[m]]).value_counts()
    conc = built["report"]["concentration"]
    assert conc["flags"] == int(counts.sum()) and conc["areas_flagged"] == len(counts)
    top10 = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert conc["top_share"] == pytest.approx(sum(n for _, n in top10) / counts.sum(), abs=1e-4)
    assert [t["community"] for t in conc["top_areas"]] == [c for c, _ in top10]


def test_feedback_watch_lists_areas_flagged_in_three_of_the_last_eight_months(
    built, flags, calgary_panel
):
    """Areas flagged in 3+ of May-December, with the mean count before and after the first flag."""
    last8 = MONTHS_2023[-8:]
    times = pd.Series([c for m in last8 for c in set(flags[m])]).value_counts()
    expected = set(times[times >= 3].index)
    areas = built["report"]["feedback_watch"]["areas"]
    assert {a["community"] for a in areas} == expected
    by_comm = calgary_panel.groupby(level=0).sum()
    for a in areas[:5]:
        first = next(m for m in MONTHS_2023 if a["community"] in flags[m])
        assert a["first_flag_month"] == first
        before = [(pd.Period(first, "M") - k).strftime("%Y-%m") for k in (3, 2, 1)]
        assert a["mean_before"] == pytest.approx(
            by_comm.loc[a["community"], before].mean(), abs=0.01
        )
        assert a["note"] == "may reflect enforcement as well as crime"


def test_shares_of_reported_crime_and_population_by_region(built, calgary_frame, sectors):
    """Each region's share of 2023's reported crime (CSV) and of the 2021 census population."""
    f = calgary_frame[calgary_frame["Year"] == 2023]
    region = f["Community"].map(area_name).map(sectors).fillna("(no region)")
    share = f.groupby(region)["Crime Count"].sum() / f["Crime Count"].sum()
    pop = pd.read_csv(f"{DATA}/calgary_population_2021.csv", dtype={"COMMUNITY_CODE": str})
    ref = pd.read_csv(f"{DATA}/calgary_communities.csv", dtype=str)
    pop = pop.merge(ref, left_on="COMMUNITY_CODE", right_on="COMM_CODE")
    pop_share = pop.groupby(pop["SECTOR"].str.upper())["POPULATION_2021"].sum()
    pop_share = pop_share / pop_share.sum()
    pointed = built["report"]["pointed"]
    for r, s in share.items():
        assert pointed[r]["crime_share"] == pytest.approx(s, abs=1e-3)
    for r, s in pop_share.items():
        assert pointed[r]["population_share"] == pytest.approx(s, abs=1e-3)


def test_text_leads_with_the_headline_and_links_the_data_card(built):
    """The text starts with the period and the concentration and ends with the data card link."""
    text = report_text(built["report"])
    lines = text.splitlines()
    assert lines[0].startswith("crimecast accountability report, 2023-01 to 2023-12")
    paras = "\n".join(lines).replace("\n  ", " ").splitlines()  # continuations are indented
    assert "most-flagged areas got" in paras[1]
    assert max(len(ln) for ln in lines) <= 80  # a plain terminal: nothing wraps, tables stay whole
    table = lines[lines.index(next(ln for ln in lines if ln.startswith("region "))) :]
    assert all(len(ln.split()) >= 9 for ln in table[:9])  # every row keeps its nine columns
    assert "Most over-forecast region:" in text and text.rstrip().endswith("docs/data.md")


def test_report_for_scope_answers_for_a_community_by_its_region(built, sectors):
    """ "How accurate are you in Forest Lawn?": Forest Lawn's region's figures, named as such."""
    part = report_for_scope(built["report"], community="forest lawn", regions=sectors)
    assert part["scope"] == sectors["FOREST LAWN"]
    assert part["accuracy"] == built["report"]["accuracy"]["by_region"][sectors["FOREST LAWN"]]
    assert all(a["region"] == part["scope"] for a in part["feedback_watch"])
