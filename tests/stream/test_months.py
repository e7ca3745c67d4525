"""Month closing: due when the watermark passes month end plus grace; closing is idempotent."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from stream.months import close_month, due_months, month_range
from stream.store import CountStore


def test_month_is_due_only_after_grace_period():
    """A month is due once the watermark is past its last day plus grace_days."""
    assert due_months(date(2023, 6, 14), 14, [], ["2023-05"]) == []
    assert due_months(date(2023, 6, 15), 14, [], ["2023-05"]) == ["2023-05"]
    assert due_months(date(2023, 6, 1), 0, [], ["2023-05", "2023-06"]) == ["2023-05"]


def test_closed_months_are_not_due_and_gaps_are():
    """Closed months are skipped; a month with no counts between known months is due (a zero)."""
    assert due_months(date(2023, 9, 30), 0, ["2023-05"], ["2023-05", "2023-08"]) == [
        "2023-06",
        "2023-07",
        "2023-08",
    ]


def test_close_month_first_closer_only(r, keys):
    """Only the first close returns True and emits one month_closed event."""
    assert close_month(r, keys, "2023-05", "watermark") is True
    assert close_month(r, keys, "2023-05", "manual") is False
    events = r.xrange(keys.events)
    assert len(events) == 1
    assert events[0][1]["type"] == "month_closed" and events[0][1]["month"] == "2023-05"
    assert CountStore(r, keys).closed_months() == ["2023-05"]


def test_concurrent_closers_emit_one_event(r, keys):
    """Eight threads closing the same months at once produce one event per month."""
    months = month_range("2023-01", "2023-06")
    wins = []

    def closer():
        wins.extend(m for m in months if close_month(r, keys, m))

    threads = [threading.Thread(target=closer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == months
    assert len(r.xrange(keys.events)) == len(months)
    assert CountStore(r, keys).last_closed_month() == "2023-06"


def test_close_month_refuses_a_bad_month(r, keys):
    """A malformed month is a ValueError, and nothing is written."""
    with pytest.raises(ValueError, match="YYYY-MM"):
        close_month(r, keys, "2023-5")
    assert r.exists(keys.closed_months) == 0


def test_series_start_skips_leading_stragglers():
    """A few incidents dated years before the data's span do not start the series."""
    from stream.months import series_start

    totals = {
        "2010-09": 1,
        "2016-08": 1,
        "2018-11": 10,
        "2018-12": 102,
        "2019-01": 2012,
        "2019-02": 1644,
        "2019-03": 1611,
    }
    assert series_start(totals) == "2019-01"
    assert series_start({"2023-01": 0, "2023-02": 1, "2023-03": 2}) == "2023-02"


def test_stragglers_neither_invent_years_nor_reopen_closed_months():
    """Before any close the series begin at their start; after, only later months become due."""
    from datetime import date

    from stream.months import due_months

    known = ["2010-09", "2018-12", "2019-01", "2019-02", "2019-03"]
    assert due_months(date(2019, 4, 30), 14, [], known, start="2019-01") == [
        "2019-01",
        "2019-02",
        "2019-03",
    ]
    # a straggler from 2012 arrives after 2019-01..03 closed: nothing before them reopens
    assert due_months(
        date(2019, 5, 31), 14, ["2019-01", "2019-02", "2019-03"], known + ["2012-04", "2019-04"]
    ) == ["2019-04"]


def test_panel_starts_at_the_first_closed_month(r, keys):
    """The panel the models learn from begins where the series do, not at a straggler."""
    from datetime import date

    from stream.consumer import Consumer
    from stream.months import close_month
    from stream.producer import Producer
    from stream.records import Incident
    from stream.store import CountStore

    recs = [
        Incident(f"x:{i}", "A", "Street Robbery", d)
        for i, d in enumerate(
            [date(2012, 4, 2), date(2019, 1, 5), date(2019, 2, 6), date(2019, 3, 7)]
        )
    ]
    Producer(r, keys).send(recs)
    Consumer(r, keys, name="c").run(burst=True)
    store = CountStore(r, keys)
    assert store.panel().columns[0] == "2012-04"  # nothing closed yet: every month
    for m in ("2019-01", "2019-02"):
        close_month(r, keys, m)
    panel = store.panel()
    assert list(panel.columns) == ["2019-01", "2019-02", "2019-03"]
    assert store.series_counts("A", "Street Robbery")["2012-04"] == 1  # still counted
