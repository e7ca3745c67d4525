"""Accuracy of the forecasting core against strong peers at three levels, everything in one run.

Levels: Calgary's communities (about 2,250 community x category series, counts 0-2 a month), the
same data summed to the city's 8 sectors (72 series, tens to hundreds a month; the community ->
sector mapping is Calgary reference data, read here from ``calgary_communities.csv``; the 3
communities it does not list are left out of the sector panel) and the city totals per category
(9 series). Each level is its own panel: a fresh served model is backtested on it exactly as
``crimecast backtest`` would (`online_model.backtest.run_backtest`, the production path).

Main table: target months of ``--year`` (default 2023; first fit on every earlier month), horizons
``--horizons``, every series seen before the year. Yearly breakdown (``--yearly 2020 2023``): one
rolling-origin backtest from the first to the last year (first fit on the months before it, then
month by month), scored per calendar year: deviance and MAE of every row.

Our rows (online, lstm, ensemble) carry their own online-learned dispersions; the peers (SES 0.2,
mean of last 6, seasonal naive, statsforecast TSB and ADIDA refitted at every origin, a LightGBM
Poisson global model on lags and rolling means, and the average of LightGBM and TSB) get the NB
dispersion per category that fits the test outcomes best (in their favour), the same way at every
level. Hotspot capture: per category and month, the share of actual crimes in the k units forecast
highest over the share the best k would have caught (k = 10 communities, 2 sectors; not defined
for the city level).

    python bench/accuracy.py [--levels community sector city] [--horizons 1 3] [--year 2023]
                             [--yearly 2020 2023] [--no-lstm] [--no-main]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from online_model.backtest import run_backtest  # noqa: E402
from online_model.data import read_calgary_csv, to_panel  # noqa: E402
from core.negbin import NegBin  # noqa: E402
from online_model.distributions import fit_dispersion  # noqa: E402
from online_model.metrics import (  # noqa: E402
    coverage,
    hotspot_capture,
    mae,
    mean_width,
    poisson_deviance,
    rmse,
)
from core.months import add_months, month_range  # noqa: E402

DATA = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
CRIME = "calgary_community_crime_2018_2023.csv"
COMMUNITIES = "calgary_communities.csv"
HOTSPOT_K = {"community": 10, "sector": 2, "city": 0}
OURS = ("online", "lstm", "ensemble")
NAMES = {"ses": "SES 0.2", "mean6": "mean of last 6", "snaive": "seasonal naive"}


# --- the three panels ----------------------------------------------------------------------------
def level_long(long: pd.DataFrame, level: str) -> pd.DataFrame:
    """The long frame summed to ``level`` (its units stand in the ``community`` column)."""
    if level == "community":
        return long
    if level == "sector":
        ref = pd.read_csv(DATA / COMMUNITIES, usecols=["NAME", "SECTOR"])
        sector = dict(zip(ref["NAME"].str.upper().str.split().str.join(" "), ref["SECTOR"]))
        unit = long["community"].map(sector)
        long = long[unit.notna()].assign(community=unit[unit.notna()])
    elif level == "city":
        long = long.assign(community="CITY")
    else:
        raise ValueError(f"unknown level {level!r}")
    return long.groupby(["community", "category", "month"], as_index=False)["count"].sum()


# --- peers -----------------------------------------------------------------------------------------
def peers_statsforecast(
    panel: pd.DataFrame, h: int, start: str, end: str
) -> dict[str, pd.DataFrame]:
    """TSB and ADIDA, refitted at every origin (statsforecast cross-validation, step 1)."""
    from statsforecast import StatsForecast
    from statsforecast.models import ADIDA, TSB

    panel = panel.loc[:, :end]
    months = list(panel.columns)
    ids = [f"{c}|{k}" for c, k in panel.index]
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, len(months)),
            "ds": np.tile(np.arange(len(months)), len(ids)),
            "y": panel.to_numpy(float).ravel(),
        }
    )
    n_windows = len(month_range(start, end))
    sf = StatsForecast(models=[TSB(alpha_d=0.1, alpha_p=0.1), ADIDA()], freq=1, n_jobs=1)
    cv = sf.cross_validation(df=df, h=h, step_size=1, n_windows=n_windows)
    cv = cv[cv["ds"] - cv["cutoff"] == h]
    out = {}
    for name in ("TSB", "ADIDA"):
        f = pd.DataFrame(
            {
                "series": cv["unique_id"].to_numpy(),
                "t": cv["ds"].to_numpy(),
                "mean": np.maximum(cv[name].to_numpy(float), 0.0),
            }
        )
        f["month"] = [months[t] for t in f["t"]]
        f[["community", "category"]] = f["series"].str.split("|", n=1, expand=True)
        out[name] = f[f["month"] >= start]
    return out


def lgbm_features(hist: np.ndarray, t: int, h: int, moy0: int, cat_codes: np.ndarray):
    lags = [hist[:, t - k] for k in range(12)]
    r = lambda w: hist[:, t - w + 1 : t + 1].mean(axis=1)  # noqa: E731
    target_moy = (moy0 + t + h) % 12
    return np.column_stack(
        lags + [r(3), r(6), r(12), np.full(hist.shape[0], target_moy), cat_codes]
    )


def peer_lightgbm(
    panel: pd.DataFrame, h: int, start: str, end: str, refit_every: int = 1
) -> pd.DataFrame:
    """LightGBM global Poisson model on lags 1-12, rolling means, month (and category), refitted
    every ``refit_every`` origins on every (origin, origin + h) pair seen so far."""
    import lightgbm as lgb

    months = list(panel.columns)
    hist = panel.to_numpy(float)
    cats = pd.Categorical(panel.index.get_level_values(1)).codes
    moy0 = int(months[0][5:7]) - 1
    params = {
        "objective": "poisson",
        "learning_rate": 0.03,
        "num_leaves": 31,
        "min_data_in_leaf": 100,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "feature_fraction": 0.8,
        "num_threads": 2,
        "verbose": -1,
        "seed": 0,
    }
    rows, booster = [], None
    for i, target in enumerate(month_range(start, end)):
        origin = months.index(add_months(target, -h))
        if booster is None or i % refit_every == 0:
            X, y = [], []
            for t in range(11, origin - h + 1):
                X.append(lgbm_features(hist, t, h, moy0, cats))
                y.append(hist[:, t + h])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = lgb.Dataset(np.vstack(X), np.concatenate(y), categorical_feature=[16])
                booster = lgb.train(
                    {**params, "min_data_in_leaf": min(100, max(5, len(X) * len(cats) // 50))},
                    data,
                    num_boost_round=300,
                )
        mu = booster.predict(lgbm_features(hist, origin, h, moy0, cats))
        rows.append(
            pd.DataFrame(
                {
                    "community": panel.index.get_level_values(0),
                    "category": panel.index.get_level_values(1),
                    "month": target,
                    "mean": np.maximum(mu, 1e-6),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def favourable(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a peer's means the NB dispersion per category that fits the test outcomes best."""
    frame = frame.copy()
    frame["dispersion"] = 0.0
    for _, g in frame.groupby("category"):
        frame.loc[g.index, "dispersion"] = fit_dispersion(g["actual"], np.maximum(g["mean"], 1e-6))
    d = NegBin(np.maximum(frame["mean"].to_numpy(float), 1e-6), frame["dispersion"].to_numpy(float))
    frame["lo80"], frame["hi80"] = d.interval(0.8)
    frame["nll"] = -d.logpmf(frame["actual"].to_numpy(float))
    return frame


def row(frame: pd.DataFrame, k: int) -> dict:
    y, mu = frame["actual"].to_numpy(float), frame["mean"].to_numpy(float)
    return {
        "MAE": mae(y, mu),
        "RMSE": rmse(y, mu),
        "deviance": poisson_deviance(y, mu),
        "NLL": float(frame["nll"].mean()),
        "cover80": coverage(y, frame["lo80"], frame["hi80"]),
        "width80": mean_width(frame["lo80"], frame["hi80"]),
        "hotspot": hotspot_capture(frame, k) if k else float("nan"),
    }


# --- one level, one horizon, one range of target months --------------------------------------------
def evaluate(
    long: pd.DataFrame, level: str, h: int, start: str, end: str, lstm: bool, lgbm_refit: int = 1
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Every row's scored forecasts for target months ``start..end`` at horizon ``h``."""
    long = long[long["month"] <= end]
    seen = long[(long["month"] < start) & (long["count"] > 0)]
    series = sorted(set(zip(seen["community"], seen["category"])))
    panel = to_panel(long).reindex(pd.MultiIndex.from_tuples(series), fill_value=0)
    panel.index.names = ["community", "category"]
    actual = panel.stack().rename("actual").reset_index()
    actual.columns = ["community", "category", "month", "actual"]
    key = ["community", "category", "month"]
    t0 = time.perf_counter()
    ours = ["online"] + (["lstm"] if lstm else []) + ["ensemble", "ses", "mean6", "snaive"]
    preds = run_backtest(
        long,
        start,
        end,
        h,
        models=ours,
        include_lstm=lstm,
        progress=lambda s: print(f"  {level} h={h}: {s}", file=sys.stderr),
    )
    t_bt = time.perf_counter() - t0
    frames = {}
    for m, g in preds.groupby("model", sort=False):
        g = g.merge(actual, on=key)
        frames[NAMES.get(m, m)] = g if m in OURS else favourable(g[key + ["mean", "actual"]])
    t1 = time.perf_counter()
    for name, f in peers_statsforecast(panel, h, start, end).items():
        frames[f"statsforecast {name}"] = favourable(f[key + ["mean"]].merge(actual, on=key))
    lg = peer_lightgbm(panel, h, start, end, lgbm_refit).merge(actual, on=key)
    frames["LightGBM Poisson"] = favourable(lg)
    tsb = frames["statsforecast TSB"][key + ["mean"]]
    avg = lg.merge(tsb, on=key, suffixes=("", "_tsb"))
    avg["mean"] = (avg["mean"] + avg["mean_tsb"]) / 2
    frames["LightGBM + TSB average"] = favourable(avg.drop(columns="mean_tsb"))
    return frames, {"series": len(series), "backtest_s": t_bt, "peers_s": time.perf_counter() - t1}


def peers_of(table: pd.DataFrame) -> list[str]:
    return [
        n for n in table.index if n not in OURS and n not in ("mean of last 6", "seasonal naive")
    ]


def verdict(table: pd.DataFrame, level: str) -> list[str]:
    """The issue's targets, each with the margin it is met or missed by."""
    out = []
    peers = peers_of(table)
    e = table.loc["ensemble"]
    best = table.loc[peers, "deviance"].idxmin()
    out.append(
        f"ensemble deviance vs best peer ({best}): "
        f"{100 * (1 - e.deviance / table.loc[best, 'deviance']):+.1f}%"
    )
    best_mae = table.loc[peers, "MAE"].idxmin()
    out.append(
        f"ensemble MAE {e.MAE:.4f} vs best peer ({best_mae}) {table.loc[best_mae, 'MAE']:.4f}: "
        f"{100 * (1 - e.MAE / table.loc[best_mae, 'MAE']):+.1f}%; lowest MAE of all rows: "
        f"{table['MAE'].idxmin()}"
    )
    if "lstm" in table.index:
        out.append(
            f"lstm deviance vs best peer: "
            f"{100 * (1 - table.loc['lstm', 'deviance'] / table.loc[best, 'deviance']):+.1f}%"
        )
    honest = table[table.cover80 >= 0.8]
    out.append(
        f"best log score: {table['NLL'].idxmin()}; narrowest 80% interval covering >= 0.80: "
        f"{honest['width80'].idxmin() if len(honest) else '-'}"
        + (
            f"; best hotspot capture: {table['hotspot'].idxmax()}"
            if table["hotspot"].notna().any()
            else ""
        )
    )
    return out


def main_table(
    long: pd.DataFrame, levels: list[str], horizons: list[int], year: int, lstm: bool
) -> None:
    start, end = f"{year}-01", f"{year}-12"
    tables = {}
    for level in levels:
        lv = level_long(long, level)
        for h in horizons:
            frames, info = evaluate(lv, level, h, start, end, lstm)
            table = pd.DataFrame({n: row(f, HOTSPOT_K[level]) for n, f in frames.items()}).T
            table.insert(0, "h", h)
            tables[(level, h)] = table
            n = len(frames["ensemble"])
            print(
                f"\n{level} level, horizon {h}, {start}..{end}: {info['series']:,} series, {n:,} "
                f"forecasts a row; backtest {info['backtest_s']:.0f}s, peers {info['peers_s']:.0f}s "
                "(shared 2-core machine)"
            )
            print(table.round(4).to_string())
            for line in verdict(table, level):
                print("  " + line)
            sys.stdout.flush()
    print(f"\nSIDE BY SIDE ({year}, Poisson deviance / MAE; all rows measured in this run)")
    side = {}
    for (level, h), t in tables.items():
        side[f"{level} h={h} dev"] = t["deviance"]
        side[f"{level} h={h} MAE"] = t["MAE"]
    print(pd.DataFrame(side).round(4).to_string())


def yearly(
    long: pd.DataFrame, levels: list[str], horizons: list[int], first: int, last: int, lstm: bool
) -> None:
    """One rolling-origin backtest per level and horizon, scored per calendar year."""
    start, end = f"{first}-01", f"{last}-12"
    for level in levels:
        lv = level_long(long, level)
        for h in horizons:
            refit = 6 if level == "community" else 1
            frames, info = evaluate(lv, level, h, start, end, lstm, lgbm_refit=refit)
            rows = {}
            for name, f in frames.items():
                year = f["month"].str[:4]
                for y, g in f.groupby(year):
                    yy, mu = g["actual"].to_numpy(float), g["mean"].to_numpy(float)
                    rows.setdefault(name, {})[f"{y} dev"] = poisson_deviance(yy, mu)
                    rows[name][f"{y} MAE"] = mae(yy, mu)
            table = pd.DataFrame(rows).T
            print(
                f"\nYEARLY {level} level, horizon {h}: rolling origins {start}..{end} (first fit "
                f"through {add_months(start, -h)}), {info['series']:,} series; backtest "
                f"{info['backtest_s']:.0f}s, peers {info['peers_s']:.0f}s"
                + (f"; LightGBM refitted every {refit} origins" if refit > 1 else "")
            )
            print(table.round(4).to_string())
            for y in range(first, last + 1):
                d = table[f"{y} dev"]
                m = table[f"{y} MAE"]
                print(
                    f"  {y}: ensemble vs SES 0.2 deviance {100 * (1 - d['ensemble'] / d['SES 0.2']):+.1f}%, "
                    f"MAE {100 * (1 - m['ensemble'] / m['SES 0.2']):+.1f}%; best peer deviance "
                    f"{d[peers_of(table)].idxmin()} ({100 * (1 - d['ensemble'] / d[peers_of(table)].min()):+.1f}%)"
                )
            sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--levels",
        nargs="+",
        default=["community", "sector", "city"],
        choices=["community", "sector", "city"],
    )
    ap.add_argument("--horizons", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--year", type=int, default=2023, help="target year of the main table")
    ap.add_argument(
        "--yearly",
        type=int,
        nargs=2,
        metavar=("FIRST", "LAST"),
        help="add the per-year breakdown over FIRST..LAST (e.g. 2020 2023)",
    )
    ap.add_argument("--no-main", action="store_true", help="only the yearly breakdown")
    ap.add_argument("--no-lstm", action="store_true")
    args = ap.parse_args()
    missing = [m for m in ("statsforecast", "lightgbm") if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(
            f"bench/accuracy.py compares with {' and '.join(missing)}: "
            "scripts/setup.sh --bench (or pip install -e '.[bench]') first"
        )
    long = read_calgary_csv(DATA / CRIME)
    t0 = time.perf_counter()
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
        f"{os.getloadavg()[2]:.2f} (2 shared cores)"
    )
    if not args.no_main:
        main_table(long, args.levels, args.horizons, args.year, not args.no_lstm)
    if args.yearly:
        yearly(long, args.levels, args.horizons, args.yearly[0], args.yearly[1], not args.no_lstm)
    print(
        f"\ntotal {time.perf_counter() - t0:.0f}s; load average at end: "
        f"{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )


if __name__ == "__main__":
    main()
