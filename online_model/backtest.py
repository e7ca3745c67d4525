"""The backtest (a fixed contract: other tools read its output).

For each target month ``m`` from ``start`` to ``end`` and each series seen before ``start`` (zeros
filled), forecast ``m`` using only data through ``m - horizon``, on the production code path: the
served ensemble (:func:`online_model.served.build_served`) learns month by month exactly as the
month-close job and its follow-up do (every member, the LSTM included, learns each month as it
arrives; the online GLM refits on all history after each close), the LSTM's
champion/challenger fine-tune runs after every month (as the fine-tune job does; the challenger is
judged on the next month), the ensemble weights adapt online. Output rows:
``community,category,month,horizon,model,mean,lo80,hi80,nll`` with ``nll`` the negative log
probability of the actual count (NaN, written empty, when the month is not in the data).
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from core.negbin import NegBin
from core.months import add_months, check_month, month_index, month_range
from .progress import report
from .served import HORIZON, build_served

log = logging.getLogger(__name__)

COLUMNS = ["community", "category", "month", "horizon", "model", "mean", "lo80", "hi80", "nll"]
MODELS = ("online", "lstm", "ensemble", "ses", "snaive")


class BacktestError(ValueError):
    """Arguments the data cannot support (the message says what to change)."""


def run_backtest(
    long: pd.DataFrame,
    start: str,
    end: str,
    horizon: int,
    models: Sequence[str] = MODELS,
    seed: int = 42,
    fine_tune: bool = True,
    include_lstm: bool = True,
    lstm_epochs: int = 3,
    progress: Callable[[str], None] | None = None,
    return_model: bool = False,
):
    """Run the backtest on a long frame (``community, category, month, count``)."""
    check_month(start)
    check_month(end)
    if not 1 <= horizon <= HORIZON:
        raise BacktestError(f"horizon must be between 1 and {HORIZON}")
    if month_index(end) < month_index(start):
        raise BacktestError("end is before start")
    first, last = long["month"].min(), long["month"].max()
    warm_end = add_months(start, -horizon)
    if month_index(warm_end) - month_index(first) < 3:
        raise BacktestError(
            f"need data from at least 3 months before {warm_end} (data start {first})"
        )
    last_origin = add_months(end, -horizon)
    if last_origin > last:
        raise BacktestError(
            f"forecasting {end} at horizon {horizon} needs data through "
            f"{last_origin}; the data end at {last}"
        )
    seen = long[(long["month"] < start) & (long["count"] > 0)]
    series = sorted(set(zip(seen["community"], seen["category"])))
    months = month_range(first, last)
    wide = long.pivot_table(
        index=["community", "category"],
        columns="month",
        values="count",
        aggfunc="sum",
        fill_value=0,
    )
    idx = pd.MultiIndex.from_tuples(series, names=["community", "category"])
    panel = wide.reindex(index=idx, columns=months, fill_value=0).fillna(0).astype("int64")
    model = build_served(seed=seed, include_lstm=include_lstm, lstm_epochs=lstm_epochs)
    wanted = [m for m in models if m == "ensemble" or m in model.members]
    unknown = [m for m in models if m not in wanted]
    if unknown:
        raise BacktestError(
            f"unknown model(s) {unknown}; choose from {['ensemble', *model.members]}"
        )
    t0 = time.perf_counter()
    model.learn_many(panel.loc[:, :warm_end])
    lstm = model.members.get("lstm")
    if lstm is not None and lstm._net is None:
        lstm.full_train()
    _say(progress, f"fitted through {warm_end} in {time.perf_counter() - t0:.0f}s")
    frames = []
    origins = month_range(warm_end, last_origin)
    for i, origin in enumerate(origins):
        report("backtest (months forecast)", i, len(origins))
        if origin != model.last_month:
            model.learn_one(origin, _counts(panel, origin))
            if fine_tune and lstm is not None:
                lstm.fine_tune()
        target = add_months(origin, horizon)
        actual = panel[target].to_numpy(float) if target in panel.columns else None
        frames.append(_rows(model, wanted, horizon, target, actual))
        _say(progress, f"forecast {target} from {origin} ({time.perf_counter() - t0:.0f}s)")
    report("backtest (months forecast)", len(origins), len(origins))
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    return (out, model) if return_model else out


def _counts(panel: pd.DataFrame, month: str) -> dict:
    col = panel[month]
    col = col[col > 0]
    return dict(zip(col.index, col.to_numpy(float)))


def _rows(model, wanted, horizon, target, actual) -> pd.DataFrame:
    out = []
    series = model.series_
    for name in wanted:
        m = model if name == "ensemble" else model.members[name]
        arr = m.forecast_arrays(horizon)
        pos = np.array([m._index[k] for k in series]) if m is not model else np.arange(len(series))
        mu = arr.mean[pos, horizon - 1]
        disp = arr.dispersion[pos, horizon - 1]
        dist = NegBin(mu, disp)
        lo, hi = dist.interval(0.8)
        nll = -dist.logpmf(actual) if actual is not None else np.full(len(mu), np.nan)
        out.append(
            pd.DataFrame(
                {
                    "community": [s[0] for s in series],
                    "category": [s[1] for s in series],
                    "month": target,
                    "horizon": horizon,
                    "model": name,
                    "mean": mu,
                    "lo80": lo,
                    "hi80": hi,
                    "nll": nll,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _say(progress, text):
    if progress is not None:
        progress(text)
    else:
        log.info(text)


def write_preds(frame: pd.DataFrame, path) -> None:
    """PREDS.csv exactly as the contract says (``nll`` empty where the month is not in the data)."""
    frame[COLUMNS].to_csv(path, index=False, float_format="%.6g", na_rep="")
