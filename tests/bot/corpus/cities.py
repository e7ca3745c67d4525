"""The two cities' data, read independently of crimecast: a dense areas x categories x months cube.

Plain pandas over the shared files and the profiles' YAML (read as documents, never through the
project's profile loader), so the oracle shares no code with what it checks. How each file is read
follows the docs (docs/data.md, docs/cities.md, the profiles); the decisions the docs leave open
are written in ``oracle.py``'s docstring.

>>> month_range("2022-11", "2023-02")
['2022-11', '2022-12', '2023-01', '2023-02']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
CALGARY_PROFILE = ROOT / "core" / "profiles" / "calgary.yaml"
ATLANTA_PROFILE = ROOT / "docs" / "cities" / "atlanta.yaml"
FILES = {
    "calgary": (
        "calgary_community_crime_2018_2023.csv",
        "calgary_communities.csv",
        "calgary_population_2021.csv",
    ),
    "atlanta": ("atlanta_cobra_2019.csv",),
}


def month_range(start: str, end: str) -> list[str]:
    """Every YYYY-MM from start to end inclusive."""
    return list(pd.period_range(start, end, freq="M").strftime("%Y-%m"))


def shift(month: str, k: int) -> str:
    """The month k months after ``month`` (k may be negative)."""
    return (pd.Period(month, "M") + k).strftime("%Y-%m")


def _upper(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip().str.upper().str.split().str.join(" ")


@dataclass
class City:
    """One city's counts and reference data, as an analyst would read the files."""

    key: str
    name: str
    profile: dict
    areas: list[str]  # sorted
    categories: list[str]  # the profile's order
    months: list[str]  # the series' months, oldest first
    cube: np.ndarray  # areas x categories x months
    region_of: dict[str, str | None]
    population: dict[str, float]  # areas with a known, positive population
    area_word: str = ""
    areas_word: str = ""
    region_word: str = ""
    regions_word: str = ""
    groups: dict[str, list[str]] = field(default_factory=dict)  # label -> categories
    places: dict[str, list[str]] = field(default_factory=dict)  # alias -> areas
    _a: dict = field(default_factory=dict, repr=False)
    _c: dict = field(default_factory=dict, repr=False)
    _m: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._a = {a: i for i, a in enumerate(self.areas)}
        self._c = {c: i for i, c in enumerate(self.categories)}
        self._m = {m: i for i, m in enumerate(self.months)}

    @property
    def newest(self) -> str:
        return self.months[-1]

    @property
    def regions(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in self.areas:
            if self.region_of.get(a):
                out.setdefault(self.region_of[a], []).append(a)
        return dict(sorted(out.items()))

    def total(self, areas=None, categories=(), months=()) -> float:
        """Incidents summed over areas (None = all) x categories (empty = all) x months."""
        a = slice(None) if areas is None else [self._a[x] for x in areas if x in self._a]
        c = slice(None) if not categories else [self._c[x] for x in categories]
        m = [self._m[x] for x in months if x in self._m]
        if not m or (areas is not None and not a):
            return 0.0
        sub = self.cube[a][:, c][:, :, m] if not isinstance(a, slice) else self.cube[:, c][:, :, m]
        return float(sub.sum())

    def simple_forecast(self, categories=()) -> pd.Series:
        """Per area, the test deployment's forecast of any month ahead: over the area's series
        (area x category with any count), the mean of the last six months, at least 0.02 a
        series (tests/bot/seed.py's documented model), summed."""
        c = slice(None) if not categories else [self._c[x] for x in categories]
        sub = self.cube[:, c, :]
        mean = np.maximum(sub[:, :, -6:].mean(axis=2), 0.02) * (sub.sum(axis=2) > 0)
        return pd.Series(mean.sum(axis=1), index=self.areas)

    def per_area(self, categories=(), months=()) -> pd.Series:
        """Incidents per area (every area of the city) over categories x months."""
        c = slice(None) if not categories else [self._c[x] for x in categories]
        m = [self._m[x] for x in months if x in self._m]
        return pd.Series(self.cube[:, c][:, :, m].sum(axis=(1, 2)), index=self.areas)

    def per_category(self, areas=None, months=()) -> pd.Series:
        a = slice(None) if areas is None else [self._a[x] for x in areas if x in self._a]
        m = [self._m[x] for x in months if x in self._m]
        return pd.Series(self.cube[a][:, :, m].sum(axis=(0, 2)), index=self.categories)

    def per_month(self, areas=None, categories=(), months=()) -> pd.Series:
        a = slice(None) if areas is None else [self._a[x] for x in areas if x in self._a]
        c = slice(None) if not categories else [self._c[x] for x in categories]
        m = [self._m[x] for x in months if x in self._m]
        return pd.Series(
            self.cube[a][:, c][:, :, m].sum(axis=(0, 1)), index=[self.months[i] for i in m]
        )


def _profile(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _cube(long: pd.DataFrame, areas, categories, months) -> np.ndarray:
    table = long.pivot_table(
        index=["area", "category"], columns="month", values="n", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=months, fill_value=0)
    full = pd.MultiIndex.from_product([areas, categories])
    table = table.reindex(full, fill_value=0)
    return table.to_numpy(dtype=float).reshape(len(areas), len(categories), len(months))


def _norm_category(c: str) -> str:
    """Portal spellings -> the profile's (whitespace collapsed, matched case-insensitively)."""
    return " ".join(str(c).replace("\xa0", " ").split()).lower()


def _calgary() -> City:
    crime_csv, comm_csv, pop_csv = (DATA_DIR / f for f in FILES["calgary"])
    prof = _profile(CALGARY_PROFILE)
    cats = [c["name"] for c in prof["categories"]]
    by_norm = {_norm_category(c): c for c in cats}
    raw = pd.read_csv(crime_csv)
    long = pd.DataFrame(
        {
            "area": _upper(raw["Community"]),
            "category": raw["Category"].map(lambda c: by_norm[_norm_category(c)]),
            "month": raw["Year"].astype(int).astype(str)
            + "-"
            + raw["Month"].astype(int).map("{:02d}".format),
            "n": raw["Crime Count"].astype(int),
        }
    )
    months = month_range(long["month"].min(), long["month"].max())
    areas = sorted(long["area"].unique())
    comm = pd.read_csv(comm_csv, dtype=str)
    sector = dict(zip(_upper(comm["NAME"]), _upper(comm["SECTOR"])))
    pop = pd.read_csv(pop_csv, dtype={"COMMUNITY_CODE": str})
    pop_by_name = dict(zip(_upper(pop["COMMUNITY_NAME"]), pd.to_numeric(pop["POPULATION_2021"])))
    return City(
        "calgary",
        prof["name"],
        prof,
        areas,
        cats,
        months,
        _cube(long, areas, cats, months),
        {a: (sector.get(a) or None) for a in areas},
        {a: float(p) for a, p in pop_by_name.items() if a in set(areas) and p > 0},
        **_words(prof),
    )


def _atlanta() -> City:
    prof = _profile(ATLANTA_PROFILE)
    cats = [c["name"] for c in prof["categories"]]
    raw = pd.read_csv(DATA_DIR / FILES["atlanta"][0], dtype=str, keep_default_na=False)
    hood, npu = _upper(raw["Neighborhood"]), _upper(raw["NPU"])
    area = hood.where(hood != "", "NPU " + npu + " (NO NEIGHBORHOOD)")
    day = pd.to_datetime(raw["Occur Date"], format="%m/%d/%Y")
    long = pd.DataFrame(
        {
            "area": area,
            "npu": npu,
            "category": raw["UCR Literal"].str.strip(),
            "month": day.dt.strftime("%Y-%m"),
            "n": 1,
        }
    )
    long = long[(hood != "") | (npu != "")]
    start = str(prof.get("series_start", long["month"].min()))
    months = month_range(start, long["month"].max())
    areas = sorted(long["area"].unique())
    # a neighborhood's NPU: the one most of its rows name (a few straddle two NPUs)
    region = (
        long[long["npu"] != ""]
        .groupby(["area", "npu"])
        .size()
        .reset_index(name="k")
        .sort_values(["area", "k", "npu"], ascending=[True, False, True])
        .drop_duplicates("area")
        .set_index("area")["npu"]
        .to_dict()
    )
    return City(
        "atlanta",
        prof["name"],
        prof,
        areas,
        cats,
        months,
        _cube(long[long["month"] >= start], areas, cats, months),
        {a: region.get(a) for a in areas},
        {},
        **_words(prof),
    )


def _words(prof: dict) -> dict:
    reg = prof.get("regions", {}).get("word", {})
    return {
        "area_word": prof["area"]["singular"],
        "areas_word": prof["area"]["plural"],
        "region_word": reg.get("singular", ""),
        "regions_word": reg.get("plural", ""),
        "groups": {g["label"]: list(g["members"]) for g in prof.get("groups", [])},
        "places": {k: list(v) for k, v in (prof.get("areas") or {}).items()},
    }


@lru_cache(maxsize=None)
def city(key: str) -> City:
    """The city's data, read once per process."""
    return {"calgary": _calgary, "atlanta": _atlanta}[key]()


def available(key: str) -> bool:
    return all((DATA_DIR / f).exists() for f in FILES[key])
