"""The weekly alert of a source that publishes whole months (Calgary's portal rows, one per month).

The real 2023 rows are counted as the portal gives them (each dated on its month's last day);
forecasts made month by month are archived, the newest is served, as the model jobs do.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from core.negbin import NegBin
from stream.consumer import Consumer
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import ForecastCache
from stream.producer import Producer
from stream.sources.calgary import read_calgary
from stream.store import CountStore
from workers.alerts import Subscription, build_alert, running_hot

AS_OF = date(2024, 1, 22)  # the preview day: December 2023 is the newest month


@pytest.fixture
def monthly(r, keys, calgary_frame, calgary_panel, tools, tmp_path):
    """2023 counted from the portal rows (not expanded); sets through 2023-10..12 archived, the
    2023-12 set served. Returns the sets by data-through month."""
    frame = calgary_frame[calgary_frame["Year"] == 2023]
    path = tmp_path / "y2023.csv"
    frame.to_csv(path, index=False)
    Producer(r, keys).send(read_calgary(path, today=date(2024, 1, 31)))
    consumer = Consumer(r, keys, batch_size=2000)
    consumer.run(burst=True)
    consumer.close()
    sets = {}
    for through in ("2023-10", "2023-11", "2023-12"):
        sets[through] = {e.series: e for e in tools.mean_forecasts(calgary_panel, through)}
        ForecastArchive(r, keys).write(through, sets[through].values())
    ForecastCache(r, keys).write(
        sets["2023-12"].values(), {"data_through": "2023-12", "model": "mean6@1"}
    )
    return sets


def _december(calgary_panel):
    return {s: int(v) for s, v in calgary_panel["2023-12"].items() if v}


def test_store_tells_a_monthly_source_from_its_records(r, keys, monthly):
    """Every month's rows sit on one day: the store calls the source monthly."""
    assert CountStore(r, keys).resolution(AS_OF) == "month"


def test_monthly_alert_leads_with_the_newest_complete_month(r, keys, monthly, calgary_panel):
    """As of 22 January: December against the forecast made before it; no week, no month to date."""
    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    assert alert.resolution == "month"
    assert alert.week is None and alert.month_to_date is None
    last = alert.last_month
    assert last["month"] == "2023-12" and last["forecast_data_through"] == "2023-11"
    assert last["observed"] == sum(_december(calgary_panel).values())
    made_before = monthly["2023-11"]
    assert last["expected"] == pytest.approx(
        sum(f.mean[f.months.index("2023-12")] for f in made_before.values()), abs=0.1
    )
    assert any("January 2024 has no data yet" in n for n in alert.notes)


def test_monthly_hot_test_covers_the_whole_month_against_the_earlier_forecast(
    r, keys, monthly, calgary_panel
):
    """The running-hot family is every series of the 2023-11 set, tested on all of December."""
    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    assert alert.fdr["month"] == "2023-12" and alert.fdr["whole_month"]
    assert alert.fdr["tested"] == len(monthly["2023-11"])
    december = _december(calgary_panel)
    for h in alert.hot:  # each flag's p-value recomputed from the NB forecast
        f = monthly["2023-11"][(h["community"], h["category"])]
        i = f.months.index("2023-12")
        assert h["observed"] == december[(h["community"], h["category"])]
        n = 1 / max(f.dispersion[i], 1e-8)
        p = stats.nbinom.sf(h["observed"] - 1, n, n / (n + f.mean[i]))
        assert h["p_value"] == pytest.approx(p, rel=1e-2)


def test_monthly_alert_never_says_nothing_ran_hot_for_a_month_without_data(r, keys, monthly):
    """The rendered alert names December for the test and January as having no data."""
    from bot.rendering.render import alert_text

    text = alert_text(build_alert(r, Subscription("1", "city"), AS_OF, keys=keys).to_dict())
    assert "Running hot, December 2023" in text
    assert "January 2024 has no data yet" in text
    assert "Week 20" not in text and "Month to date" not in text


def test_preview_counts_nothing_dated_after_its_day(r, keys, monthly, calgary_panel):
    """As of 20 December: November is the newest month, December's rows and set are not used."""
    alert = build_alert(r, Subscription("1", "city"), date(2023, 12, 20), keys=keys)
    assert alert.health["data_age_days"] == (date(2023, 12, 20) - date(2023, 11, 30)).days
    assert alert.last_month["month"] == "2023-11"
    assert alert.last_month["observed"] == int(calgary_panel["2023-11"].sum())
    assert alert.last_month["forecast_data_through"] == "2023-10"
    assert alert.data_through == "2023-11"  # the set in effect that day, from the archive
    assert {t["month"] for t in alert.top_next_month} == {"2023-12"}


def test_data_age_is_never_negative(r, keys, monthly):
    """Whatever the day, the age of the data is zero or more."""
    for day in (date(2023, 6, 29), date(2023, 6, 30), date(2023, 7, 1), date(2024, 1, 1)):
        age = build_alert(r, Subscription("1", "city"), day, keys=keys).health["data_age_days"]
        assert age is not None and age >= 0


def test_alert_and_bot_give_one_range_for_one_total(r, keys, monthly):
    """The alert's highest-forecast ranges are the bot's top-5 ranges: one shortest interval."""
    from bot.answering.engine import Engine

    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    top = Engine(r, keys).ask("top 5 communities next month").data["top"]
    assert len(alert.top_next_month) == 5
    assert [(t["community"], t["lo80"], t["hi80"]) for t in alert.top_next_month] == [
        (t["community"], t["lo80"], t["hi80"]) for t in top
    ]
    f = monthly["2023-12"]
    community = alert.top_next_month[0]["community"]
    parts = [v for s, v in f.items() if s[0] == community]
    total = NegBin.total([p.mean[0] for p in parts], [p.dispersion[0] for p in parts])
    lo, hi = total.interval(0.8)
    assert (alert.top_next_month[0]["lo80"], alert.top_next_month[0]["hi80"]) == (lo, hi)


def test_running_hot_is_the_alerts_family(r, keys, monthly):
    """running_hot (the bot's entry point) returns the alert's test and flags."""
    test = running_hot(r, keys, AS_OF)
    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    assert test.month == alert.fdr["month"] and test.n_flagged == alert.fdr["flagged"]
    assert [(h["community"], h["category"]) for h in test.flags(limit=5)] == [
        (h["community"], h["category"]) for h in alert.hot
    ]
    assert bool(np.all(test.q_value[test.flagged] <= 0.1))
    assert {c["community"] for c in test.communities()} == {h["community"] for h in test.flags()}


def test_preview_command_shows_the_monthly_alert(settings_env, r, keys, monthly):
    """`crimecast alerts preview --as-of 2024-01-22` prints December's alert and no week."""
    from bot.cli import app

    res = CliRunner().invoke(app, ["alerts", "preview", "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 0, res.output
    assert "Newest complete month, December 2023" in res.output
    assert "data -" not in res.output and "Week 2024" not in res.output


def test_bot_running_hot_flags_exactly_the_alerts_series(r, keys, monthly):
    """The bot's "which communities are running hot" flags the alert's series, no more, no fewer."""
    from bot.answering.engine import Engine

    test = running_hot(r, keys, AS_OF)
    answer = Engine(r, keys, today=AS_OF).ask("which communities are running hot")
    assert answer.data["month"] == test.month == "2023-12"
    assert answer.data["fdr"]["tested"] == test.tested and test.n_flagged > 0
    assert {(h["community"], h["category"]) for h in answer.data["hot"]} == {
        (h["community"], h["category"]) for h in test.flags()
    }
    assert [h["q_value"] for h in answer.data["hot"]] == [h["q_value"] for h in test.flags()]
