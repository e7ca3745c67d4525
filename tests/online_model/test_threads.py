"""Threads change the speed, never the forecasts: an audit reproduces a month bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from online_model.backtest import run_backtest, write_preds
from online_model.threads import map_shards, reproducible_torch, shard_bounds


@pytest.mark.slow
def test_a_backtest_writes_identical_files_on_one_and_two_threads(
    calgary_long, tmp_path, monkeypatch
):
    """Backtest one month (60 real communities, 2020-2023) with a pool of 1 and of 2 threads:
    the two files are byte-identical (before, torch's intra-op count followed the load and the
    LSTM's means differed in the third decimal)."""
    comms = sorted(calgary_long["community"].unique())[:60]
    long = calgary_long[
        calgary_long["community"].isin(comms) & (calgary_long["month"] >= "2020-01")
    ]
    files = []
    for threads in ("1", "2"):
        monkeypatch.setenv("CRIMECAST_TORCH_THREADS", threads)
        preds = run_backtest(long, "2023-12", "2023-12", 1, lstm_epochs=2, seed=5)
        assert torch.get_num_threads() == 1
        files.append(tmp_path / f"preds-{threads}.csv")
        write_preds(preds, files[-1])
    assert len(preds) > 1000 and set(preds["model"]) >= {"lstm", "ensemble"}
    assert files[0].read_bytes() == files[1].read_bytes()


def test_shards_are_fixed_by_the_data_not_the_pool():
    """The same rows give the same slices, in the same order, on any pool size."""
    rows = np.arange(1030)
    one = map_shards(lambda r: (int(r[0]), len(r)), rows, threads=1)
    three = map_shards(lambda r: (int(r[0]), len(r)), rows, threads=3)
    assert one == three == [(a, b - a) for a, b in shard_bounds(1030)]
    assert sum(n for _, n in one) == 1030


def test_torch_runs_one_intra_op_thread(monkeypatch):
    """The pool follows CRIMECAST_TORCH_THREADS; torch's own team stays at one thread."""
    monkeypatch.setenv("CRIMECAST_TORCH_THREADS", "3")
    assert reproducible_torch() == 3 and torch.get_num_threads() == 1
    assert reproducible_torch(2) == 2
