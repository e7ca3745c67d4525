"""The accountability report's edges: no forecasts archived yet, no counts, the chart."""

from __future__ import annotations

from datetime import date

import pytest

from stream.consumer import Consumer
from stream.producer import Producer
from stream.records import Incident
from workers.report import accountability_report, report_text
from workers.report.chart import report_png


def _count(r, keys, n_months=3):
    Producer(r, keys).send(
        Incident(f"i{m}-{d}-{c}", c, "Street Robbery", date(2023, m, d), 1, "t")
        for m in range(12 - n_months + 1, 13)
        for d in (2, 9, 20)
        for c in ("ALPHA", "BETA")
    )
    consumer = Consumer(r, keys)
    consumer.run(burst=True)
    consumer.close()


def test_report_without_archived_forecasts_says_so(r, keys):
    """Counts but no archived forecast: the report still shows where crime was reported, and says
    that nothing can be judged yet."""
    _count(r, keys)
    report = accountability_report(r, keys, months=3, end="2023-12")
    assert report["accuracy"]["overall"] is None and report["tests"] == 0
    assert report["pointed"]["(no region)"]["crime_share"] == 1.0
    assert "no archived forecast covers this period yet" in report_text(report)
    assert report_png(report)[:4] == b"\x89PNG"


def test_report_without_counts_is_a_clear_error(r, keys):
    """Before any count there is nothing to report on: a ValueError that says so."""
    with pytest.raises(ValueError, match="no counts yet"):
        accountability_report(r, keys)


def test_default_period_ends_with_the_newest_complete_month(r, keys):
    """Without --end the period ends with the newest month the counts reach to its last day."""
    _count(r, keys)  # the last incident is dated 20 December: December is not complete
    report = accountability_report(r, keys, months=2)
    assert report["period"] == {"start": "2023-10", "end": "2023-11", "months": 2}
