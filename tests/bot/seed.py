"""Filling a test Redis from the real data: counts under the store's key layout, and forecasts
from a real simple model (mean of the last six months, negative-binomial dispersion by moments).

Used by the bot's tests and by ``bench/bot_latency.py``; nothing here is a hard-coded answer.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from core.negbin import NegBin
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.keys import Keys, series_field

MODEL = "meanlast6-nb"


def _norm_cat(c: str) -> str:
    return " ".join(c.replace("\xa0", " ").split()).replace("Violence 'Other'", "Violence  'Other'")


def long_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Portal rows -> (community, category, month, count), duplicate keys summed."""
    df = pd.DataFrame(
        {
            "community": frame["Community"].str.upper().str.split().str.join(" "),
            "category": frame["Category"].map(_norm_cat),
            "month": frame["Year"].astype(int).map("{:04d}".format)
            + "-"
            + frame["Month"].astype(int).map("{:02d}".format),
            "count": frame["Crime Count"].astype(int),
        }
    )
    return df.groupby(["community", "category", "month"], as_index=False)["count"].sum()


def write_counts(
    client,
    keys: Keys,
    long: pd.DataFrame,
    *,
    closed_through: str | None = None,
    watermark: date | None = None,
) -> None:
    """HINCRBY-style writes of counts under ``keys`` (months closed up to ``closed_through``)."""
    pipe = client.pipeline(transaction=False)
    for row in long.itertuples(index=False):
        field = series_field(row.community, row.category)
        pipe.hincrby(keys.month_counts(row.month), field, int(row.count))
        pipe.hincrby(keys.series_counts(row.community, row.category), row.month, int(row.count))
        pipe.sadd(keys.series, field)
    months = sorted(long["month"].unique())
    for m in months:
        pipe.zadd(keys.months, {m: int(m.replace("-", ""))})
        if closed_through is None or m <= closed_through:
            pipe.zadd(keys.closed_months, {m: int(m.replace("-", ""))})
    last = months[-1]
    if watermark is None:
        y, mo = int(last[:4]), int(last[5:])
        import calendar

        watermark = date(y, mo, calendar.monthrange(y, mo)[1])
    pipe.set(keys.watermark, watermark.isoformat())
    pipe.execute()


def simple_forecasts(
    long: pd.DataFrame, data_through: str, horizon: int = 3, window: int = 6
) -> list[CachedForecast]:
    """Mean of the last ``window`` months per series, NB dispersion from the last 12 months."""
    panel = long.pivot_table(
        index=["community", "category"],
        columns="month",
        values="count",
        aggfunc="sum",
        fill_value=0,
    )
    all_months = pd.period_range(panel.columns.min(), data_through, freq="M").strftime("%Y-%m")
    panel = panel.reindex(columns=list(all_months), fill_value=0)
    vals = panel.to_numpy(dtype=float)
    mean = np.maximum(vals[:, -window:].mean(axis=1), 0.02)
    last12 = vals[:, -12:]
    m12, v12 = last12.mean(axis=1), last12.var(axis=1, ddof=1)
    alpha = np.where(m12 > 0, np.clip((v12 - m12) / np.maximum(m12, 1e-9) ** 2, 0.0, 5.0), 0.0)
    lo, hi = NegBin(mean, alpha).interval(0.8)
    start = pd.Period(data_through, "M") + 1
    months = [(start + k).strftime("%Y-%m") for k in range(horizon)]
    out = []
    for i, (community, category) in enumerate(panel.index):
        out.append(
            CachedForecast(
                community,
                category,
                months,
                [float(mean[i])] * horizon,
                [float(alpha[i])] * horizon,
                [int(lo[i])] * horizon,
                [int(hi[i])] * horizon,
                MODEL,
                data_through,
            )
        )
    return out


def backtest_mae(long: pd.DataFrame, data_through: str, months: int = 6) -> dict:
    """One-step MAE over the last ``months`` months: this model against the seasonal naive."""
    panel = long.pivot_table(
        index=["community", "category"],
        columns="month",
        values="count",
        aggfunc="sum",
        fill_value=0,
    )
    vals = panel.to_numpy(dtype=float)
    model, snaive = [], []
    for t in range(vals.shape[1] - months, vals.shape[1]):
        model.append(np.abs(vals[:, t - 6 : t].mean(axis=1) - vals[:, t]).mean())
        snaive.append(np.abs(vals[:, t - 12] - vals[:, t]).mean())
    return {"model": round(float(np.mean(model)), 3), "snaive": round(float(np.mean(snaive)), 3)}


def fill(
    client,
    keys: Keys,
    frame: pd.DataFrame,
    *,
    data_through: str = "2023-12",
    horizon: int = 3,
    forecasts: bool = True,
    archive: tuple[str, ...] = (),
) -> dict:
    """Counts of ``frame`` up to ``data_through`` and forecasts after it; returns a summary.

    ``archive`` names earlier data-through months whose forecasts (from the data up to each) are
    written to the forecast archive, as the workers do when they train month by month; the served
    set is archived under ``data_through`` too.
    """
    long = long_counts(frame)
    long = long[long["month"] <= data_through]
    write_counts(client, keys, long)
    n = 0
    if forecasts:
        store = ForecastArchive(client, keys)
        for through in archive:
            store.write(through, simple_forecasts(long[long["month"] <= through], through, horizon))
        entries = simple_forecasts(long, data_through, horizon)
        n = ForecastCache(client, keys).write(
            entries,
            {"data_through": data_through, "model": MODEL, "mae": backtest_mae(long, data_through)},
        )
        store.write(data_through, entries)
    return {"series": n, "months": int(long["month"].nunique())}


def load_reference(client, keys: Keys, communities_csv, population_csv) -> int:
    from stream.reference import load_reference as _load

    return _load(client, keys, communities_csv, population_csv)


def replicate(frame: pd.DataFrame, k: int, seed: int = 0) -> pd.DataFrame:
    """The real panel and ``k - 1`` copies of it as new areas ("BELTLINE 2", ...), each copy's
    counts Poisson-perturbed around the original (issue 17's scale panel); ``k = 1`` is the data."""
    if k <= 1:
        return frame
    rng = np.random.default_rng(seed)
    parts = [frame]
    for copy in range(2, k + 1):
        c = frame.copy()
        c["Community"] = c["Community"].astype(str) + f" {copy}"
        c["Crime Count"] = rng.poisson(c["Crime Count"].to_numpy(dtype=float))
        parts.append(c[c["Crime Count"] > 0])
    return pd.concat(parts, ignore_index=True)


def replicate_reference(communities_csv, population_csv, k: int, out_dir) -> tuple:
    """Reference files naming the copies of :func:`replicate` too (same region, same population)."""
    from pathlib import Path

    out_dir = Path(out_dir)
    com, pop = pd.read_csv(communities_csv), pd.read_csv(population_csv)
    coms, pops = [com], [pop]
    for copy in range(2, k + 1):
        c, p = com.copy(), pop.copy()
        c["NAME"] = c["NAME"].astype(str) + f" {copy}"
        c["COMM_CODE"] = c["COMM_CODE"].astype(str) + f"{copy}"
        p["COMMUNITY_NAME"] = p["COMMUNITY_NAME"].astype(str) + f" {copy}"
        p["COMMUNITY_CODE"] = p["COMMUNITY_CODE"].astype(str) + f"{copy}"
        coms.append(c)
        pops.append(p)
    a, b = out_dir / "communities.csv", out_dir / "population.csv"
    pd.concat(coms).to_csv(a, index=False)
    pd.concat(pops).to_csv(b, index=False)
    return a, b
