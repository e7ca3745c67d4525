"""The CPS monthly workbook: read strictly, counted exactly, ``<5`` kept as 1 to 4.

The fixture is built here with openpyxl from the layout the issue describes (no binary file is
committed); the expected counts come from an independent read of it with pandas.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from core.censored import expected_count
from core.profile import load_profile
from stream.categories import CategorySet
from stream.censored import CensoredCells
from stream.connection import connect
from stream.dead_letters import read_dead_letters
from stream.sources.base import SourceError
from stream.sources.calgary_workbook import CRIME, DISORDER, read_workbook
from stream.store import CountStore

openpyxl = pytest.importorskip("openpyxl")
runner = CliRunner()

COMMUNITIES = ("BELTLINE", "Forest  Lawn", "cranston")
CRIME_CATS = (
    ("Property Crime", "Theft FROM Vehicle"),
    ("Property Crime", "Theft OF Vehicle"),
    ("Property Crime", "Break & Enter - Dwelling"),
    ("Violent Crime", "Street Robbery"),
    ("Violent Crime", "Violence Other (Non-domestic)"),
)
MONTHS = ("January", "February", "March")
BAD_ROWS = [  # (what is wrong, the column it names)
    [2025, "Smarch", "BELTLINE", "Ward 8", "District 1", "Property Crime", "Theft OF Vehicle", 3],
    [
        2025,
        "March",
        "BELTLINE",
        "Ward 8",
        "District 1",
        "Property Crime",
        "Theft OF Vehicle",
        "abc",
    ],
    [2025, "March", "", "Ward 8", "District 1", "Property Crime", "Theft OF Vehicle", 2],
    [2025, "March", "BELTLINE", "Ward 8", "District 1", "Property Crime", "Arson", 6],
]
BAD_COLUMNS = (
    "column B ('Date - Month')",
    "column H ('Total Crime')",
    "column C ('Community')",
    "column G ('Category')",
)


def crime_rows(seed: int = 7) -> list[list]:
    """Every community x category x month, counts 0..30 with about one in four ``<5``."""
    rng = random.Random(seed)
    rows = []
    for month in MONTHS:
        for comm in COMMUNITIES:
            for kind, cat in CRIME_CATS:
                n = (
                    rng.choice([0, "<5", "<5", 5, 7, 12, 30])
                    if rng.random() < 0.6
                    else rng.randint(5, 30)
                )
                rows.append([2025, month, comm, "Ward 8", "District 1", kind, cat, n])
    rows.append(list(next(r for r in rows if r[7] == "<5")))  # a repeated row adds (2 cells)
    return rows


def build(path, rows, *, header=CRIME[1], bad=(), sheets=("Disorder", "Domestics")):
    """Write a workbook in the CPS layout: header, rows, malformed rows, then the footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = CRIME[0]
    ws.append(list(header))
    for row in [*rows, *bad]:
        ws.append(row)
    ws.append([])
    ws.append(["Applied filters:", "Date - Year is 2025"])
    ws.append(["Total", None, None, None, None, None, None, 999])
    if "Disorder" in sheets:
        d = wb.create_sheet(DISORDER[0])
        d.append(list(DISORDER[1]))
        d.append([2025, "January", "BELTLINE", "Ward 8", "District 1", "Disorder - Social", 40])
        d.append(
            [2025, "February", "BELTLINE", "Ward 8", "District 1", "Disorder - Physical", "<5"]
        )
    if "Domestics" in sheets:
        d = wb.create_sheet("Domestics")
        d.append(["Date - Year", "Date - Month", "Ward", "District", "Total Domestics"])
        d.append([2025, "January", "Ward 8", "District 1", 14])
    wb.save(path)
    return path


def independent(path) -> tuple[dict, dict]:
    """``(counts, suppressed cells)`` by (community, category, month), read with pandas."""
    cats = CategorySet.calgary()
    f = pd.read_excel(path, sheet_name=CRIME[0], dtype=str)
    f = f[f["Date - Year"].str.fullmatch(r"\d{4}", na=False)]
    f = f[
        f["Date - Month"].isin(MONTHS)
        & f["Community"].notna()
        & f["Category"].isin([c for _, c in CRIME_CATS])
    ]
    f = f[f["Total Crime"].str.fullmatch(r"\d+|<5", na=False)]
    wb_map = load_profile(None).source.workbook.crime
    f = f.assign(
        community=f["Community"].str.split().str.join(" ").str.upper(),
        category=f["Category"].map(lambda c: cats.resolve(wb_map[c])),
        month="2025-" + f["Date - Month"].map({m: f"{i:02d}" for i, m in enumerate(MONTHS, 1)}),
        n=f["Total Crime"].replace("<5", "1").astype(int),
        cell=(f["Total Crime"] == "<5").astype(int),
    )
    key = ["community", "category", "month"]
    counts = f.groupby(key)["n"].sum()
    cells = f.groupby(key)["cell"].sum()
    return ({k: int(v) for k, v in counts.items() if v}, {k: int(v) for k, v in cells.items() if v})


def _ingest(path, *more):
    from bot.cli import app

    return runner.invoke(app, ["ingest", "workbook", str(path), "--drain", *more])


def _stored(client, keys) -> tuple[dict, dict]:
    store, cens = CountStore(client, keys), CensoredCells(client, keys)
    counts = {(c, k, m): n for m in store.months() for (c, k), n in store.month_counts(m).items()}
    cells = {(c, k, m): n for m in cens.months() for (c, k), n in cens.month(m).items()}
    return counts, cells


def test_counts_and_suppressed_cells_match_an_independent_read(settings_env, keys, tmp_path):
    """Every cell counts once (``<5`` as 1), the suppressed cells are kept per series-month,
    malformed rows are dead letters naming sheet, row and column, and disorder is not counted."""
    path = build(tmp_path / "cps.xlsx", crime_rows(), bad=BAD_ROWS)
    result = _ingest(path)
    assert result.exit_code == 0, result.output
    assert "suppressed as '<5'" in result.output and "by ward and district only" in result.output
    client = connect(settings_env.redis_url.get_secret_value())
    counts, cells = _stored(client, keys)
    want_counts, want_cells = independent(path)
    assert counts == want_counts and cells == want_cells
    assert sum(want_cells.values()) >= 5 and max(want_cells.values()) == 2 and len(want_counts) > 20
    dead = read_dead_letters(client, keys, limit=20)
    assert len(dead) == len(BAD_ROWS)
    by_row = {d.origin: d.reason for d in dead}
    first_bad = 2 + len(crime_rows())
    for i, col in enumerate(BAD_COLUMNS):
        reason = by_row[f"cps.xlsx:Crime Overview:{first_bad + i}"]
        assert f"sheet 'Crime Overview', row {first_bad + i}, {col}" in reason, reason
    assert "'Arson'" in by_row[f"cps.xlsx:Crime Overview:{first_bad + 3}"]


def test_a_resent_workbook_counts_nothing_twice_and_a_revised_month_replaces_its_cells(
    settings_env, keys, tmp_path
):
    """The same workbook again changes nothing; a revision's cells replace the old ones, a cell
    published as ``<5`` then as 7 stops being suppressed, and 12 then ``<5`` becomes suppressed."""
    rows = crime_rows()
    path = build(tmp_path / "cps.xlsx", rows)
    assert _ingest(path).exit_code == 0
    client = connect(settings_env.redis_url.get_secret_value())
    first = _stored(client, keys)
    again = _ingest(path)
    assert again.exit_code == 0, again.output
    assert _stored(client, keys) == first
    assert CountStore(client, keys).stats()["duplicates"] >= len(first[0])

    revised = [list(r) for r in rows]
    was_suppressed = next(r for r in revised if r[7] == "<5")
    was_number = next(r for r in revised if isinstance(r[7], int) and r[7] >= 5)
    was_suppressed[7], was_number[7] = 7, "<5"
    path2 = build(tmp_path / "cps-revised.xlsx", revised)
    assert _ingest(path2).exit_code == 0
    got = _stored(client, keys)
    assert got == independent(path2)
    assert got != first


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda h: [*h[:7], "Total Crimes"], "row 1, column H ('Total Crimes'): unexpected column"),
        (lambda h: h[:7], "column(s) 'Total Crime' not found"),
    ],
)
def test_a_changed_header_is_refused_in_one_line(settings_env, keys, tmp_path, change, words):
    """A renamed or missing column stops the ingest with one line naming sheet, row and column;
    nothing is sent."""
    path = build(tmp_path / "cps.xlsx", crime_rows(), header=change(list(CRIME[1])))
    result = _ingest(path)
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "sheet 'Crime Overview'" in lines[0] and words in lines[0], lines
    client = connect(settings_env.redis_url.get_secret_value())
    assert not client.exists(keys.stream)


def test_the_reader_is_loud_about_what_it_does_not_find(tmp_path):
    """No Crime Overview sheet, a file that is not a workbook, a sheet with only its header."""
    profile = load_profile(None)
    cats = CategorySet.from_profile(profile)
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(SourceError, match="sheet 'Crime Overview' not found .*'Summary'"):
        read_workbook(tmp_path / "other.xlsx", profile.source.workbook, cats)
    (tmp_path / "not.xlsx").write_text("Community,Category\n")
    with pytest.raises(SourceError, match="not an Excel workbook"):
        read_workbook(tmp_path / "not.xlsx", profile.source.workbook, cats)
    build(tmp_path / "empty.xlsx", [], sheets=())
    with pytest.raises(SourceError, match="no data rows"):
        read_workbook(tmp_path / "empty.xlsx", profile.source.workbook, cats)
    got = read_workbook(
        build(tmp_path / "cps.xlsx", crime_rows(), sheets=()), profile.source.workbook, cats
    )
    assert any("'Disorder' not found" in n for n in got.notes)
    assert got.months == ["2025-01", "2025-02", "2025-03"]


def test_a_suppressed_cell_is_learned_as_its_expectation_under_the_forecast():
    """1..4 weighted by the forecast: near 1 for a quiet series, near 4 for a busy one, and a
    series-month without suppressed cells is its count."""
    quiet, busy = expected_count([1, 1], [1, 1], [0.1, 60.0], 0.1)
    assert 1.0 < quiet < 1.1 and 3.5 < busy < 4.0
    np.testing.assert_array_equal(expected_count([9], [0], [3.0]), [9.0])
    mixed = expected_count(10, 2, 14.0)  # 8 published exactly, two cells share about 6
    assert 8 + 2 * 1 < mixed < 8 + 2 * 4


PHRASES = {
    "Theft FROM Vehicle": "theft from vehicles",
    "Theft OF Vehicle": "car thefts",
    "Break & Enter - Dwelling": "home break ins",
    "Street Robbery": "street robbery",
    "Violence  'Other' (Non-domestic)": "other violence",
}


def test_an_answer_says_when_its_count_holds_suppressed_cells(settings_env, keys, tmp_path):
    """ "How many ... in March 2025?" gives the stored count and the range the suppressed cells
    allow ("between 2 and 8: 2 cells suppressed"); a count without any says nothing of it."""
    from bot.answering.engine import Context, Engine

    path = build(tmp_path / "cps.xlsx", crime_rows())
    assert _ingest(path).exit_code == 0
    counts, cells = independent(path)
    client = connect(settings_env.redis_url.get_secret_value())
    engine = Engine(client, keys, today=pd.Timestamp("2025-04-20").date())
    (comm, cat, month), n = max(cells.items(), key=lambda kv: kv[1])
    name = pd.Timestamp(month + "-01").strftime("%B %Y")
    ans = engine.ask(f"how many {PHRASES[cat]} in {comm.lower()} in {name}?", Context("7"))
    text = "\n".join(ans.lines)
    lo = counts[(comm, cat, month)]
    assert ans.ok and f"between {lo} and {lo + 3 * n}: {n} cells suppressed" in text, text
    (comm, cat, month) = next(k for k in counts if k not in cells)
    name = pd.Timestamp(month + "-01").strftime("%B %Y")
    ans = engine.ask(f"how many {PHRASES[cat]} in {comm.lower()} in {name}?", Context("7"))
    assert ans.ok and "suppress" not in "\n".join(ans.lines)
