"""The backtest's contract: its columns, and no peeking at data after month m - H."""

from __future__ import annotations

import numpy as np
import pytest

from online_model.backtest import COLUMNS, BacktestError, run_backtest, write_preds


def _run(long, horizon=2):
    return run_backtest(long, "2023-03", "2023-08", horizon, lstm_epochs=1, seed=5)


@pytest.fixture(scope="module")
def base(small_long):
    """The backtest of the five communities, run once for the module (it is the tests' cost)."""
    return _run(small_long)


def test_rows_and_columns_follow_the_contract(base, small_long, small_panel, tmp_path):
    """One row per series seen before start, target month and model; nll of the actual count."""
    preds = base.copy()
    assert list(preds.columns) == COLUMNS
    assert set(preds["model"]) == {"online", "lstm", "ensemble", "ses", "snaive"}
    seen = small_long[small_long["month"] < "2023-03"].groupby(["community", "category"]).ngroups
    assert seen < len(small_panel)  # some series start later: they are not scored
    assert len(preds) == seen * 6 * 5
    assert (preds["lo80"] <= preds["hi80"]).all() and (preds["mean"] >= 0).all()
    assert preds["nll"].notna().all() and (preds["nll"] >= 0).all()
    out = tmp_path / "PREDS.csv"
    write_preds(preds, out)
    assert out.read_text().splitlines()[0] == ",".join(COLUMNS)


def test_no_peeking(base, small_long):
    """Changing counts after month m - H cannot change any forecast for m (but does change later ones)."""
    h = 2
    changed = small_long.copy()
    after = changed["month"] > "2023-04"  # origin 2023-04 -> targets through 2023-06 unaffected
    changed.loc[after, "count"] = changed.loc[after, "count"] * 3 + 1
    other = _run(changed, h)
    key = ["model", "community", "category", "month"]
    a = base.sort_values(key).reset_index(drop=True)
    b = other.sort_values(key).reset_index(drop=True)
    early = a["month"] <= "2023-06"
    np.testing.assert_array_equal(a.loc[early, "mean"], b.loc[early, "mean"])
    np.testing.assert_array_equal(a.loc[early, "hi80"], b.loc[early, "hi80"])
    assert not np.allclose(a.loc[~early, "mean"], b.loc[~early, "mean"])


def test_impossible_ranges_are_clear_errors(small_long):
    """Forecasting beyond what the data can support says what is missing."""
    with pytest.raises(BacktestError, match="data end"):
        run_backtest(small_long, "2024-03", "2024-06", 1)
    with pytest.raises(BacktestError, match="horizon"):
        run_backtest(small_long, "2023-03", "2023-06", 9)
