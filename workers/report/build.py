"""The accountability report: where crimecast pointed, how well it did there, and who asked.

Built from the forecast archive (the forecast made *before* each month) and the counts, for the
``months`` months ending with the newest complete one. A plain dict (JSON-serialisable), rendered
as text (:mod:`.text`), a chart (:mod:`.chart`) and a Discord embed (``bot/render.py``).

Regions are what the reference data gives (``keys.communities``: community -> sector, with census
population where loaded); areas without a region are grouped as "(no region)".
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timezone
from typing import Any, Mapping

import redis

from core.caveats import DATA_CARD, FEEDBACK, RANKING, REPORTED
from core.months import add_months, month_end, month_of
from core.text import area_name, as_text
from stream.forecast_archive import ForecastArchive
from stream.keys import Keys
from stream.store import CountStore

from .accuracy import months_ending, series_months, summarise
from .asked import asked
from .pointing import AROUND, WATCH_MIN, WATCH_TESTS, feedback_watch, flag_tests, top_k_months

__all__ = [
    "NO_REGION",
    "accountability_report",
    "latest_report",
    "newest_complete_month",
    "region_map",
    "report_for_scope",
    "save_report",
]

NO_REGION = "(no region)"
TOP_AREAS = 10  # concentration: the share of all flags that went to the 10 most-flagged areas


def region_map(client: redis.Redis, keys: Keys) -> tuple[dict[str, str], dict[str, int]]:
    """``community -> region`` and ``region -> census population`` from the reference data
    (empty when none is loaded)."""
    regions: dict[str, str] = {}
    population: dict[str, int] = {}
    for name, raw in client.hgetall(keys.communities).items():
        try:
            info = json.loads(raw)
        except ValueError:
            continue
        region = area_name(info.get("sector") or "") or None
        if region is None:
            continue
        name = area_name(as_text(name))
        regions[name] = region
        if info.get("population"):
            population[region] = population.get(region, 0) + int(info["population"])
    return regions, population


def newest_complete_month(store: CountStore, today: date | None = None) -> str | None:
    """The newest month whose last day the counts reach (the data's newest complete month)."""
    today = today or datetime.now(timezone.utc).date()
    watermark = store.last_day(today)
    if watermark is None:
        return None
    month = month_of(watermark)
    return month if watermark >= month_end(month) else add_months(month, -1)


def _share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def accountability_report(
    client: redis.Redis,
    keys: Keys,
    *,
    months: int = 12,
    end: str | None = None,
    top_k: int = 5,
    level: float = 0.1,
    method: str = "bh",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The report for the ``months`` months ending ``end`` (default: the newest complete month)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    store = CountStore(client, keys)
    archive = ForecastArchive(client, keys)
    end = end or newest_complete_month(store)
    if end is None:
        raise ValueError("no counts yet: ingest data before asking for a report")
    period = months_ending(end, months)
    resolution = store.resolution()
    regions, population = region_map(client, keys)
    frame = series_months(store, archive, period, regions)
    panel = store.panel(start=add_months(period[0], -AROUND), end=period[-1])
    in_period = [m for m in period if m in panel.columns]

    # --- where it pointed ------------------------------------------------------------------
    tests = flag_tests(client, keys, period, resolution, level=level, method=method)
    flags_by_area = Counter(c for t in tests for c, _ in t.flagged)
    flags_by_region = Counter()
    for community, n in flags_by_area.items():
        flags_by_region[regions.get(community, NO_REGION)] += n
    topk = top_k_months(archive, period, top_k)
    slots_by_region = Counter(regions.get(c, NO_REGION) for top in topk.values() for c in top)
    crime = panel[in_period].sum(axis=1) if in_period else panel.sum(axis=1)
    crime_by_region = Counter()
    for (community, _), n in crime.items():
        crime_by_region[regions.get(community, NO_REGION)] += int(n)
    total_flags, total_slots = sum(flags_by_area.values()), sum(slots_by_region.values())
    total_crime, total_pop = sum(crime_by_region.values()), sum(population.values())
    names = sorted(set(crime_by_region) | set(flags_by_region) | set(slots_by_region))
    pointed = {
        r: {
            "flags": flags_by_region.get(r, 0),
            "flag_share": _share(flags_by_region.get(r, 0), total_flags),
            "top_k_slots": slots_by_region.get(r, 0),
            "top_k_share": _share(slots_by_region.get(r, 0), total_slots),
            "crime": crime_by_region.get(r, 0),
            "crime_share": _share(crime_by_region.get(r, 0), total_crime),
            "population": population.get(r),
            "population_share": _share(population.get(r, 0), total_pop) if total_pop else None,
        }
        for r in names
    }
    top_areas = flags_by_area.most_common()
    top_areas = sorted(top_areas, key=lambda kv: (-kv[1], kv[0]))[:TOP_AREAS]
    concentration = {
        "flags": total_flags,
        "areas_flagged": len(flags_by_area),
        "top_areas": [
            {"community": c, "region": regions.get(c, NO_REGION), "flags": n} for c, n in top_areas
        ],
        "top_share": _share(sum(n for _, n in top_areas), total_flags),
        "top_n": TOP_AREAS,
    }

    # --- how well it did ---------------------------------------------------------------------
    overall = summarise(frame, None).get("all")
    by_region = summarise(frame, "region")
    by_category = summarise(frame, "category")
    ranked = sorted(
        (r for r in by_region if r != NO_REGION and by_region[r]["bias_pct"] is not None),
        key=lambda r: -by_region[r]["bias_pct"],
    )

    now = now or datetime.now(timezone.utc)
    return {
        "report": "accountability",
        "generated_at": now.isoformat(timespec="seconds"),
        "period": {"start": period[0], "end": period[-1], "months": months},
        "resolution": resolution,
        "test_unit": "month" if resolution == "month" else "week",
        "tests": len(tests),
        "forecast_months": sorted(set(frame["month"])) if len(frame) else [],
        "top_k": top_k,
        "fdr": {"method": method, "level": level},
        "pointed": pointed,
        "concentration": concentration,
        "accuracy": {
            "overall": overall,
            "by_region": by_region,
            "by_category": by_category,
            "most_over_forecast": ranked[0] if ranked else None,
            "least_over_forecast": ranked[-1] if ranked else None,
        },
        "feedback_watch": {
            "window_tests": WATCH_TESTS,
            "min_flags": WATCH_MIN,
            "areas": feedback_watch(tests, panel, regions),
            "caveat": FEEDBACK,
        },
        "asked": asked(
            client, keys, regions, sorted({k for _, k in store.series()}), days=months * 30, now=now
        ),
        "caveats": [REPORTED, RANKING, FEEDBACK],
        "data_card": DATA_CARD,
    }


def report_for_scope(
    report: Mapping[str, Any],
    *,
    region: str | None = None,
    community: str | None = None,
    regions: Mapping[str, str] | None = None,
) -> dict:
    """The part of ``report`` an asker's scope needs ("how accurate are you in Forest Lawn?",
    "where do your alerts point?"): the region's accuracy and pointing figures (a community is
    answered by its region, named as such), or the city's when no scope is given."""
    if community is not None:
        region = (regions or {}).get(area_name(community), region)
    region = area_name(region) if region else None
    acc, pointed = report["accuracy"], report["pointed"]
    out = {
        "period": report["period"],
        "scope": region or "city",
        "community": community,
        "accuracy": acc["by_region"].get(region) if region else acc["overall"],
        "pointed": pointed.get(region) if region else None,
        "concentration": report["concentration"],
        "data_card": report["data_card"],
        "caveats": report["caveats"],
    }
    if region:
        out["feedback_watch"] = [
            a for a in report["feedback_watch"]["areas"] if a["region"] == region
        ]
    return out


def save_report(client: redis.Redis, keys: Keys, report: Mapping[str, Any]) -> None:
    """Keep ``report`` as the newest one (what the bot answers accuracy questions from)."""
    client.set(keys.accountability_report, json.dumps(report, separators=(",", ":"), default=str))


def latest_report(client: redis.Redis, keys: Keys) -> dict | None:
    """The newest saved report, or None before the first (then: run the report command)."""
    raw = client.get(keys.accountability_report)
    return None if raw is None else json.loads(raw)
