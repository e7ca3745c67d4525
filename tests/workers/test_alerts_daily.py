"""The weekly alert of a day-level source: Atlanta's real 2019 incidents, dated by occurrence.

Forecasts are the plain mean-of-months rule of the worker tests, made month by month into the
archive; every figure checked here is recounted from the CSV by pandas, not by crimecast.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import ForecastCache
from stream.store import CountStore
from workers.alerts import Subscription, build_alert

AS_OF = date(2019, 6, 17)  # Monday: week 10..16 June, June to date = 16 days


@pytest.fixture
def atlanta(r, keys, atlanta_frame, tools):
    """All of 2019 counted; sets through 2019-04 and 2019-05 archived, the 2019-05 set served."""
    tools.ingest_atlanta(r, keys, atlanta_frame)
    panel = tools.atlanta_panel(atlanta_frame)
    sets = {}
    for through in ("2019-04", "2019-05"):
        sets[through] = {e.series: e for e in tools.mean_forecasts(panel, through, window=4)}
        ForecastArchive(r, keys).write(through, sets[through].values())
    ForecastCache(r, keys).write(
        sets["2019-05"].values(), {"data_through": "2019-05", "model": "m"}
    )
    return sets


def _count(frame, first, last, **where):
    sel = (frame["day"] >= first) & (frame["day"] <= last)
    for column, value in where.items():
        sel &= frame[column] == value
    return int(sel.sum())


def test_store_tells_a_day_level_source_from_its_records(r, keys, atlanta):
    """Incidents fall on many days of each month: the store calls the source day-level."""
    assert CountStore(r, keys).resolution(AS_OF) == "day"


def test_day_level_alert_keeps_the_week_and_month_to_date(r, keys, atlanta, atlanta_frame):
    """Week and month to date are counted from the days before as-of, as pandas counts them."""
    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    assert alert.resolution == "day"
    assert (alert.week["start"], alert.week["end"]) == ("2019-06-10", "2019-06-16")
    assert alert.week["observed"] == _count(atlanta_frame, date(2019, 6, 10), date(2019, 6, 16))
    june = atlanta["2019-05"]
    assert alert.week["expected"] == pytest.approx(
        sum(f.mean[0] for f in june.values()) * 7 / 30, abs=0.1
    )
    assert alert.month_to_date == {"month": "2019-06", "days": 16, "days_in_month": 30}
    assert alert.fdr["tested"] == len(june) and not alert.fdr["whole_month"]
    for h in alert.hot:
        assert h["observed"] == _count(
            atlanta_frame,
            date(2019, 6, 1),
            date(2019, 6, 16),
            community=h["community"],
            category=h["category"],
        )


def test_day_level_last_month_uses_the_forecast_made_before_it(r, keys, atlanta, atlanta_frame):
    """Last month (May) is set against the archived set made with data through April."""
    last = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys).last_month
    assert last["month"] == "2019-05" and last["forecast_data_through"] == "2019-04"
    assert last["observed"] == _count(atlanta_frame, date(2019, 5, 1), date(2019, 5, 31))
    may = atlanta["2019-04"]
    assert last["expected"] == pytest.approx(
        sum(f.mean[f.months.index("2019-05")] for f in may.values()), abs=0.1
    )


def test_day_level_data_age_is_measured_from_days_on_or_before_as_of(
    r, keys, atlanta, atlanta_frame
):
    """Incidents dated after as-of (the rest of 2019) never move the watermark of a preview."""
    alert = build_alert(r, Subscription("1", "city"), AS_OF, keys=keys)
    newest = max(d for d in atlanta_frame["day"] if d <= AS_OF)
    assert alert.health["data_age_days"] == (AS_OF - newest).days >= 0
    assert not alert.stale and alert.week["end"] == (AS_OF - timedelta(days=1)).isoformat()


def test_bot_running_hot_flags_exactly_the_alerts_series_for_a_month(r, keys, atlanta):
    """ "What ran hot in May 2019" flags the series the alert's flag_month flags for May."""
    from bot.answering.engine import Engine
    from workers.alerts import flag_month

    counts = CountStore(r, keys).day_counts(date(2019, 5, 1), date(2019, 5, 31))
    test = flag_month(counts, atlanta["2019-04"], "2019-05")
    answer = Engine(r, keys, today=AS_OF).ask("what ran hot in may 2019")
    assert answer.data["month"] == "2019-05" and answer.data["fdr"]["tested"] == test.tested
    assert test.n_flagged > 0
    assert {(h["community"], h["category"]) for h in answer.data["hot"]} == {
        (h["community"], h["category"]) for h in test.flags()
    }
    assert [h["q_value"] for h in answer.data["hot"]] == [h["q_value"] for h in test.flags()]


def test_bot_running_hot_flags_the_alerts_series_for_the_month_to_date(
    r, keys, atlanta_frame, tools
):
    """Data through 20 May: the bot's month-to-date flags are the alert's (as of the 21st)."""
    from bot.answering.engine import Engine
    from workers.alerts import running_hot

    as_of = date(2019, 5, 21)
    tools.ingest_atlanta(r, keys, atlanta_frame[atlanta_frame["day"] < as_of])
    panel = tools.atlanta_panel(atlanta_frame)
    for through in ("2019-03", "2019-04"):
        ForecastArchive(r, keys).write(through, tools.mean_forecasts(panel, through, window=3))
    ForecastCache(r, keys).write(
        tools.mean_forecasts(panel, "2019-04", window=3), {"data_through": "2019-04", "model": "m"}
    )
    test = running_hot(r, keys, as_of)
    answer = Engine(r, keys, today=as_of).ask("which communities are running hot")
    assert (test.month, test.days) == ("2019-05", 20) and test.n_flagged > 0
    assert answer.data["month"] == "2019-05" and answer.data["fdr"]["tested"] == test.tested
    assert {(h["community"], h["category"]) for h in answer.data["hot"]} == {
        (h["community"], h["category"]) for h in test.flags()
    }
    assert [h["q_value"] for h in answer.data["hot"]] == [h["q_value"] for h in test.flags()]
