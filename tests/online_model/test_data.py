"""Reading the portal's file: its quirks are fixed, bad input is a clear error."""

from __future__ import annotations

import pytest

from online_model.data import DataError, read_calgary_csv, read_many, to_panel


def test_duplicates_add_up_and_names_are_canonical(tmp_path):
    """Repeated keys are summed; community names are upper case with single spaces."""
    p = tmp_path / "d.csv"
    p.write_text(
        "Community,Category,Crime Count,Year,Month\n"
        "Forest  lawn,Street Robbery,2,2023,1\nFOREST LAWN,Street Robbery,3,2023,1\n"
        "BELTLINE,Violence  'Other' (Non-domestic),1,2023,3\n"
    )
    long = read_calgary_csv(p)
    assert long.to_dict("records")[1] == {
        "community": "FOREST LAWN",
        "category": "Street Robbery",
        "month": "2023-01",
        "count": 5,
    }
    assert "Violence  'Other' (Non-domestic)" in set(long["category"])


def test_panel_fills_missing_months_with_zeros(calgary_long):
    """The real file has no row for a zero month; the panel has every month for every series."""
    panel = to_panel(calgary_long)
    assert panel.shape == (2296, 72) and list(panel.columns[:2]) == ["2018-01", "2018-02"]
    assert (panel.to_numpy() == 0).mean() > 0.3 and str(panel.dtypes.iloc[0]) == "int64"
    assert int(panel.to_numpy().max()) >= 111


def test_bad_files_are_clear_errors(tmp_path):
    """Missing columns, bad months and absent files raise DataError naming the problem."""
    bad = tmp_path / "bad.csv"
    bad.write_text("Community,Category,Count\nA,B,1\n")
    with pytest.raises(DataError, match="missing column"):
        read_calgary_csv(bad)
    bad.write_text("Community,Category,Crime Count,Year,Month\nA,B,1,2023,13\n")
    with pytest.raises(DataError, match="line 2"):
        read_calgary_csv(bad)
    with pytest.raises(DataError, match="no such file"):
        read_calgary_csv(tmp_path / "none.csv")


def test_a_later_file_replaces_the_months_it_holds(tmp_path):
    """Later exports revise recent months: their counts replace, not add to, the earlier ones."""
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    head = "Community,Category,Crime Count,Year,Month\n"
    a.write_text(head + "A,x,1,2023,1\nA,x,2,2023,2\n")
    b.write_text(head + "A,x,5,2023,2\n")
    assert read_many([a, b])["count"].tolist() == [1, 5]
