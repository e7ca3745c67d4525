"""The count store's read API: panels, series, days, export — zeros filled, nothing invented."""

from __future__ import annotations

import csv
from datetime import date

import pandas as pd

from stream.categories import CategorySet
from stream.consumer import Consumer
from stream.producer import Producer
from stream.records import Incident
from stream.sources.calgary import read_calgary
from stream.store import CountStore


def _load(r, keys, incidents):
    Producer(r, keys).send(incidents)
    Consumer(r, keys, block_ms=0).run(burst=True)
    return CountStore(r, keys)


def _inc(i, c, k, d, n=1):
    return Incident(f"s:{i}", c, k, d, n, "test")


def test_panel_is_wide_zero_filled_int64(r, keys):
    """panel(): MultiIndex rows, ascending month columns with gaps filled by zeros, int64."""
    store = _load(
        r,
        keys,
        [
            _inc(1, "A", "Street Robbery", date(2023, 1, 5), 2),
            _inc(2, "B", "Theft OF Vehicle", date(2023, 3, 9)),
        ],
    )
    p = store.panel()
    assert list(p.columns) == ["2023-01", "2023-02", "2023-03"]
    assert p.index.names == ["community", "category"]
    assert (p.dtypes == "int64").all()
    assert p.loc[("A", "Street Robbery")].tolist() == [2, 0, 0]
    assert p.loc[("B", "Theft OF Vehicle")].tolist() == [0, 0, 1]
    assert list(store.panel("2022-12", "2023-01").columns) == ["2022-12", "2023-01"]


def test_empty_store_reads_as_empty(r, keys):
    """Before any count: no months, an empty panel, no watermark, no closed month."""
    store = CountStore(r, keys)
    assert store.months() == [] and store.series() == []
    assert store.panel().empty
    assert store.watermark() is None and store.last_closed_month() is None


def test_series_counts_zero_filled_between_bounds(r, keys):
    """series_counts() with both bounds lists every month, zeros included."""
    store = _load(
        r,
        keys,
        [
            _inc(1, "A", "Street Robbery", date(2023, 1, 5), 2),
            _inc(2, "A", "Street Robbery", date(2023, 3, 5), 1),
        ],
    )
    assert store.series_counts("A", "Street Robbery") == {"2023-01": 2, "2023-03": 1}
    assert store.series_counts("A", "Street Robbery", "2022-12", "2023-03") == {
        "2022-12": 0,
        "2023-01": 2,
        "2023-02": 0,
        "2023-03": 1,
    }
    assert store.series_counts("A", "Street Robbery", start="2023-02") == {"2023-03": 1}


def test_day_counts_sum_inclusive_range(r, keys):
    """day_counts() sums the days from start to end inclusive."""
    store = _load(
        r,
        keys,
        [
            _inc(1, "A", "Street Robbery", date(2023, 1, 5)),
            _inc(2, "A", "Street Robbery", date(2023, 1, 7)),
            _inc(3, "A", "Street Robbery", date(2023, 1, 8)),
        ],
    )
    assert store.day_counts(date(2023, 1, 5), date(2023, 1, 7)) == {("A", "Street Robbery"): 2}
    assert store.day_counts(date(2023, 1, 9), date(2023, 1, 1)) == {}


def _portal_counts(frame: pd.DataFrame) -> pd.Series:
    """The file's counts by key, categories in canonical spelling (the portal writes U+00A0 in
    "Violence\u00a0 'Other'"), duplicate keys summed."""
    cats = CategorySet.calgary()
    frame = frame.assign(Category=frame["Category"].map(cats.resolve))
    return frame.groupby(["Community", "Category", "Year", "Month"])["Crime Count"].sum()


def test_export_of_a_slice_equals_its_counts(r, keys, calgary_slice, tmp_path):
    """Ingest then export of real rows gives the file's counts (duplicate keys summed)."""
    store = _load(r, keys, read_calgary(calgary_slice))
    out = tmp_path / "export.csv"
    rows = store.export_calgary_csv(out)
    src = _portal_counts(pd.read_csv(calgary_slice))
    got = pd.read_csv(out).set_index(["Community", "Category", "Year", "Month"])["Crime Count"]
    assert rows == len(got)
    pd.testing.assert_series_equal(got.sort_index(), src.sort_index(), check_names=False)
    with open(out, newline="") as fh:
        assert next(csv.reader(fh)) == ["Community", "Category", "Crime Count", "Year", "Month"]
