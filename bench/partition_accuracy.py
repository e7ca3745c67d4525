"""Accuracy of the partitioned path against the single job on a replicated panel.

Calgary's panel replicated K times (as bench/scale.py), history through one origin (2023-06); the
served ensemble fitted on every series (the single job) and its global pieces fitted on a sample
of whole areas of at most CAP series (the partitioned run) then carried over to every series in 4
partitions. Mean Poisson deviance of both at h=1 and h=3 (2023-07, 2023-09), overall and on the
areas outside the sample, beside SES(0.2) on the same series.

    python bench/partition_accuracy.py K CAP        # e.g. 3 3000: half the areas outside
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np
from online_model.data import read_calgary_csv, to_panel, replicate
from online_model.served import build_served
from online_model.totals import category_totals, give_totals
from online_model.rebase import rebase
from online_model.partition import sample_series, assign

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
K, CAP, ORIGIN = int(sys.argv[1]), int(sys.argv[2]), "2023-06"
long = replicate(read_calgary_csv(DATA / "calgary_community_crime_2018_2023.csv"), K, seed=K)
full = to_panel(long, long["month"].min(), "2023-12").astype(float)
hist = full.loc[:, [c for c in full.columns if c <= ORIGIN]]
future = full.loc[:, [c for c in full.columns if c > ORIGIN]].to_numpy()


def dev(y, mu):
    mu = np.maximum(mu, 1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y > 0, y * np.log(y / mu), 0.0)
    return 2 * (t - (y - mu))


def fit(rows, totals):
    m = build_served(seed=42)
    if totals:
        give_totals(m, category_totals(hist))
    m.learn_many(hist.loc[rows])
    m.members["lstm"].full_train()
    return m


out = {}
t = time.process_time()
single = fit(list(hist.index), False)
ts = time.process_time() - t
a = single.forecast_arrays(6)
idx = {s: i for i, s in enumerate(a.series)}
mu_single = np.stack([a.mean[idx[s]] for s in hist.index])
keep = sample_series(list(hist.index), CAP, 42)
t = time.process_time()
glob = fit(keep, True)
tg = time.process_time() - t
mu_part = np.zeros_like(mu_single)
rowof = {s: i for i, s in enumerate(hist.index)}
t = time.process_time()
for part in assign(list(hist.index), 4):
    arr = rebase(glob, hist.loc[part]).forecast_arrays(6)
    for i, s in enumerate(arr.series):
        mu_part[rowof[s]] = arr.mean[i]
tp = time.process_time() - t
ses = hist.to_numpy()
lvl = ses[:, 0].copy()
for j in range(1, ses.shape[1]):
    lvl = lvl + 0.2 * (ses[:, j] - lvl)
insample = np.array([s in set(keep) for s in hist.index])
for h in (1, 3):
    y = future[:, h - 1]
    row = {
        "single": dev(y, mu_single[:, h - 1]).mean(),
        "partitioned": dev(y, mu_part[:, h - 1]).mean(),
        "partitioned, areas outside the sample": dev(
            y[~insample], mu_part[~insample, h - 1]
        ).mean(),
        "single, same series": dev(y[~insample], mu_single[~insample, h - 1]).mean(),
        "SES 0.2": dev(y, lvl).mean(),
    }
    print(f"h={h}", {k: round(float(v), 4) for k, v in row.items()})
print(
    f"series {len(hist)}, sample {len(keep)}; CPU-s: single fit {ts:.0f}, global fit {tg:.0f}, 4 partitions {tp:.1f}"
)
