"""The accountability report on a day-level city: Atlanta's real 2019 incidents, NPUs as regions.

Forecasts: the plain mean-of-months rule, made month by month (data through 2019-02 .. 2019-11)
into the archive. Figures are recounted here from the CSV with pandas.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest
from typer.testing import CliRunner

from stream.forecast_archive import ForecastArchive
from workers.report import accountability_report

MONTHS = [f"2019-{m:02d}" for m in range(4, 13)]


@pytest.fixture
def atlanta(r, keys, atlanta_frame, tools):
    """2019 counted, NPUs loaded as the regions (the reference hash), sets archived monthly."""
    tools.ingest_atlanta(r, keys, atlanta_frame)
    npu = atlanta_frame.groupby("community")["npu"].agg(lambda s: s.mode().iloc[0])
    r.hset(keys.communities, mapping={c: json.dumps({"sector": n}) for c, n in npu.items() if n})
    panel = tools.atlanta_panel(atlanta_frame)
    sets = {}
    for k in range(2, 12):
        through = f"2019-{k:02d}"
        sets[through] = {e.series: e for e in tools.mean_forecasts(panel, through, window=3)}
        ForecastArchive(r, keys).write(through, sets[through].values())
    return {"sets": sets, "panel": panel, "npu": npu.to_dict()}


def _rows(atlanta):
    out = []
    for m in MONTHS:
        through = (pd.Period(m, "M") - 1).strftime("%Y-%m")
        for (c, k), f in atlanta["sets"][through].items():
            y = atlanta["panel"].loc[(c, k), m] if (c, k) in atlanta["panel"].index else 0
            out.append(
                (c, atlanta["npu"].get(c, "(no region)"), f.mean[0], f.lo80[0], f.hi80[0], y)
            )
    return pd.DataFrame(out, columns=["community", "region", "mean", "lo", "hi", "y"])


def test_day_level_report_tests_weekly_and_recounts(r, keys, atlanta, atlanta_frame):
    """Weekly tests over April-December; coverage, bias and crime shares by NPU recounted."""
    report = accountability_report(r, keys, months=9, end="2019-12")
    assert report["resolution"] == "day" and report["test_unit"] == "week"
    assert 35 <= report["tests"] <= 40  # the Mondays of April 8 .. January 1 testing those months
    rows = _rows(atlanta)
    for region, g in rows.groupby("region"):
        got = report["accuracy"]["by_region"][region]
        assert got["coverage80"] == pytest.approx(
            ((g["lo"] <= g["y"]) & (g["y"] <= g["hi"])).mean(), abs=1e-3
        )
        assert got["bias"] == pytest.approx((g["mean"] - g["y"]).mean(), abs=1e-3)
    in_period = atlanta_frame[atlanta_frame["day"].map(lambda d: f"{d:%Y-%m}" in MONTHS)]
    share = in_period["npu"].value_counts(normalize=True)
    for region, s in share.items():
        assert report["pointed"][region]["crime_share"] == pytest.approx(s, abs=1e-3)
    assert report["pointed"][region]["population_share"] is None  # no census loaded for Atlanta


def test_who_asked_counts_questions_by_region_and_category_without_names(r, keys, atlanta):
    """Audit records are counted by NPU and category, refusals and rate limits apart; no names."""
    now = datetime.now(timezone.utc).isoformat()
    base = {
        "at": now,
        "transport": "slash",
        "guild_id": "",
        "channel_id": "",
        "answer": "",
        "ms": "1",
        "intent": "forecast",
    }
    community = next(iter(atlanta["npu"]))
    for text, outcome, user in [
        (f"car thefts in {community.lower()} next month", "answered", "ana"),
        ("top 5 for burglary", "answered", "bo"),
        ("forecast everything", "refused", "cy"),
        ("forecast again", "rate_limited", "cy"),
    ]:
        r.xadd(
            keys.audit,
            {
                **base,
                "text": text,
                "outcome": outcome,
                "user": user,
                "user_id": str(hash(user)),
                "ok": "1" if outcome == "answered" else "0",
            },
        )
    asked = accountability_report(r, keys, months=9, end="2019-12")["asked"]
    assert (asked["questions"], asked["refused"], asked["rate_limited"]) == (4, 1, 1)
    assert (
        asked["by_region"][atlanta["npu"][community]] == 1
        and asked["by_region"]["(city-wide)"] == 3
    )
    assert asked["by_category"]["Theft OF Vehicle"] == 1
    assert asked["by_category"]["Break & Enter - Dwelling"] == 1
    assert "ana" not in json.dumps(asked) and "user" not in asked


def test_report_command_prints_json_and_writes_a_chart(settings_env, r, keys, atlanta, tmp_path):
    """`crimecast report accountability --json --chart FILE` gives the report and a PNG."""
    from bot.cli import app

    png = tmp_path / "report.png"
    res = CliRunner().invoke(
        app,
        [
            "report",
            "accountability",
            "--months",
            "9",
            "--end",
            "2019-12",
            "--json",
            "--chart",
            str(png),
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["period"]["end"] == "2019-12" and data["data_card"] == "docs/data.md"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = CliRunner().invoke(
        app, ["report", "accountability", "--months", "9", "--end", "2019-12"]
    )
    assert text.exit_code == 0 and text.output.startswith("crimecast accountability report")
    from workers.report import latest_report

    assert latest_report(r, keys)["period"] == data["period"]  # kept for the bot's answers


def test_report_command_refuses_a_bad_month(settings_env):
    """--end that is not YYYY-MM is a clear error, not a traceback."""
    from bot.cli import app

    res = CliRunner().invoke(app, ["report", "accountability", "--end", "2019-13"])
    assert res.exit_code == 2 and "YYYY-MM" in res.output
