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
        "2023-06", "2023-07", "2023-08"]


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
