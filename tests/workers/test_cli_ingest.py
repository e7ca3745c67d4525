"""The ingest commands end to end: `crimecast ingest ...`, `export-counts`, `dead-letters`."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from typer.testing import CliRunner

from stream.categories import CategorySet
from stream.connection import connect
from stream.store import CountStore
from bot.cli import app

runner = CliRunner()


def _store(settings_env, keys):
    return CountStore(connect(settings_env.redis_url.get_secret_value()), keys)


def _file_counts(path) -> dict:
    cats = CategorySet.calgary()
    f = pd.read_csv(path)
    f = f.assign(Category=f["Category"].map(cats.resolve))
    return f.groupby(["Community", "Category", "Year", "Month"])["Crime Count"].sum().to_dict()


def test_ingest_calgary_then_export_round_trips(settings_env, keys, calgary_slice, tmp_path):
    """ingest calgary --drain then export-counts gives back the file's counts; re-running adds nothing."""
    result = runner.invoke(app, ["ingest", "calgary", str(calgary_slice), "--drain"])
    assert result.exit_code == 0, result.output
    assert "records/s" in result.output
    again = runner.invoke(app, ["ingest", "calgary", str(calgary_slice), "--drain"])
    assert again.exit_code == 0, again.output
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["export-counts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    got = (
        pd.read_csv(out)
        .set_index(["Community", "Category", "Year", "Month"])["Crime Count"]
        .to_dict()
    )
    assert got == _file_counts(calgary_slice)
    assert _store(settings_env, keys).stats()["duplicates"] > 0


def test_ingest_expand_counts_the_same_totals(settings_env, keys, calgary_slice):
    """--expand sends one record per incident; monthly totals equal the file's."""
    result = runner.invoke(app, ["ingest", "calgary", str(calgary_slice), "--expand", "--drain"])
    assert result.exit_code == 0, result.output
    store = _store(settings_env, keys)
    assert store.stats()["incidents"] == pd.read_csv(calgary_slice)["Crime Count"].sum()
    assert store.stats()["applied"] == store.stats()["incidents"]
    # made from monthly counts, the incidents keep month resolution: no invented days
    assert store.resolution() == "month"
    answer = runner.invoke(app, ["ask", "how many car thefts in Beltline last week"])
    said = " ".join(answer.output.split())
    assert "by month, so I can't answer for last week" in said and "last month" in said, said


@pytest.mark.parametrize(
    "content, message",
    [
        ("Community,Category,Crime Count,Year,Month\n", "no data rows after the header"),
        (
            "Community;Category;Crime Count;Year;Month\nA;Street Robbery;1;2023;5\n",
            "wrong delimiter",
        ),
        ("Community,Category\nA,Street Robbery\n", "missing column"),
    ],
)
def test_file_problems_stop_with_a_clear_message(settings_env, keys, tmp_path, content, message):
    """A file-level problem exits non-zero naming the file and line, sends nothing, no traceback."""
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = runner.invoke(app, ["ingest", "calgary", str(path)])
    assert result.exit_code == 1
    assert message in result.output and "bad.csv:" in result.output
    assert "Traceback" not in result.output
    assert _store(settings_env, keys).backlog()["length"] == 0


def test_bad_rows_are_reported_and_listed_in_dead_letters(settings_env, keys, tmp_path):
    """Bad rows are counted out, named by line, and shown by `dead-letters` (also as JSON)."""
    path = tmp_path / "rows.csv"
    path.write_bytes(
        b"Community,Category,Crime Count,Year,Month\nA,Street Robbery,2,2023,5\n"
        b"A,Arson,1,2023,5\nB\xff,Street Robbery,1,2023,5\n"
    )
    result = runner.invoke(app, ["ingest", "calgary", str(path), "--drain"])
    assert result.exit_code == 0, result.output
    assert "2 of 3 rows" in result.output and "rows.csv:3" in result.output
    assert _store(settings_env, keys).total("2023-05") == 2
    shown = runner.invoke(app, ["dead-letters", "--limit", "5"])
    assert shown.exit_code == 0 and "unknown category" in shown.output
    lines = runner.invoke(app, ["dead-letters", "--json"]).output.strip().splitlines()
    reasons = {json.loads(line)["reason"] for line in lines}
    assert any("UTF-8" in x for x in reasons) and any("Arson" in x for x in reasons)


def test_ingest_csv_with_mapping(settings_env, keys, tmp_path):
    """`ingest csv FILE --mapping MAP` counts another city's incidents under mapped categories."""
    (tmp_path / "map.yaml").write_text(
        "source: town\ncolumns: {community: hood, category: type, datetime: at}\n"
        "categories: {ROBBERY: Street Robbery, BURGLARY: Break & Enter - Dwelling, FRAUD: null}\n"
    )
    (tmp_path / "town.csv").write_text(
        "hood,type,at\nNorth,ROBBERY,2023-05-01T10:00:00\n"
        "North,burglary,2023-05-02\nSouth,FRAUD,2023-05-02\n"
    )
    result = runner.invoke(
        app,
        [
            "ingest",
            "csv",
            str(tmp_path / "town.csv"),
            "--mapping",
            str(tmp_path / "map.yaml"),
            "--drain",
        ],
    )
    assert result.exit_code == 0, result.output
    assert _store(settings_env, keys).month_counts("2023-05") == {
        ("NORTH", "Street Robbery"): 1,
        ("NORTH", "Break & Enter - Dwelling"): 1,
    }
    bad = runner.invoke(
        app,
        ["ingest", "csv", str(tmp_path / "town.csv"), "--mapping", str(tmp_path / "missing.yaml")],
    )
    assert bad.exit_code == 1 and "missing.yaml" in bad.output


def test_ingest_synthetic_is_labelled(settings_env, keys):
    """Synthetic data says so when ingested, and marks the store synthetic."""
    result = runner.invoke(app, ["ingest", "synthetic", "--months", "2", "--drain"])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    store = _store(settings_env, keys)
    assert store.is_synthetic() and set(store.sources()) == {"synthetic"}


class _Portal(BaseHTTPRequestHandler):
    rows: list = []

    def do_GET(self):  # noqa: N802
        q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        off, lim = int(q["$offset"]), int(q["$limit"])
        body = json.dumps(self.rows[off : off + lim]).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_ingest_download_from_a_socrata_like_server(settings_env, keys, calgary_slice, tmp_path):
    """`ingest download --base-url` pages the portal, keeps the CSV and counts it."""
    frame = pd.read_csv(calgary_slice)
    rows = [
        {"community": c, "category": k, "crime_count": int(n), "year": int(y), "month": int(m)}
        for c, k, n, y, m in frame.itertuples(index=False)
    ]
    handler = type("H", (_Portal,), {"rows": rows})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = tmp_path / "dl.csv"
        result = runner.invoke(
            app,
            [
                "ingest",
                "download",
                "--base-url",
                f"http://127.0.0.1:{server.server_address[1]}",
                "--page-size",
                "200",
                "--out",
                str(out),
                "--drain",
            ],
        )
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert out.exists()
    assert _store(settings_env, keys).stats()["incidents"] == frame["Crime Count"].sum()
    # the slice ends in 2023: one line says the portal has stopped and points to the workbook
    stale = [ln for ln in result.output.splitlines() if "newest month" in ln]
    assert len(stale) == 1 and "2023-12" in stale[0] and "ingest workbook FILE" in stale[0], stale


def test_unreachable_redis_is_a_clear_error(monkeypatch, tmp_path, calgary_slice):
    """With Redis down, ingest says so in one line (password redacted), exit code 1."""
    monkeypatch.setenv("REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    monkeypatch.setenv("CRIMECAST_STATE_DIR", str(tmp_path))
    result = runner.invoke(app, ["ingest", "calgary", str(calgary_slice)])
    assert result.exit_code == 1
    assert "hunter2" not in result.output and "Traceback" not in result.output
    assert "Redis" in result.output


def test_dead_letters_replay_leaves_file_rows(settings_env, keys, tmp_path):
    """`dead-letters --replay` leaves rows refused from a file (they need the file fixed)."""
    path = tmp_path / "rows.csv"
    path.write_text(
        "Community,Category,Crime Count,Year,Month\nA,Street Robbery,2,2023,5\nA,Arson,1,2023,5\n"
    )
    assert runner.invoke(app, ["ingest", "calgary", str(path), "--drain"]).exit_code == 0
    result = runner.invoke(app, ["dead-letters", "--replay"])
    assert result.exit_code == 0 and "replayed 0" in result.output and "1 left" in result.output


def test_revised_export_replaces_revised_counts(settings_env, keys, tmp_path):
    """Ingesting a later export that revises a row's count leaves the revised count, not a sum."""
    header = "Community,Category,Crime Count,Year,Month\n"
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text(
        header + "A,Street Robbery,2,2023,5\nA,Street Robbery,2,2023,5\nB,Street Robbery,1,2023,5\n"
    )
    v2.write_text(
        header + "A,Street Robbery,2,2023,5\nA,Street Robbery,5,2023,5\nB,Street Robbery,1,2023,5\n"
        "B,Street Robbery,3,2023,6\n"
    )
    for path in (v1, v2):
        assert runner.invoke(app, ["ingest", "calgary", str(path), "--drain"]).exit_code == 0
    store = _store(settings_env, keys)
    assert store.month_counts("2023-05") == {("A", "Street Robbery"): 7, ("B", "Street Robbery"): 1}
    assert store.month_counts("2023-06") == {("B", "Street Robbery"): 3}
    assert store.stats()["corrections"] == 1


def test_data_text_is_never_read_as_markup(settings_env, keys, tmp_path):
    """A bad row on line 100 prints as 'city.csv:100: ...' (no emoji), and '[red]' stays text."""
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns: {community: Area, category: Type, datetime: When}\n"
        "categories: {ROB: Street Robbery}\n"
    )
    rows = ["Area,Type,When"] + [f"A{i},ROB,2023-05-01" for i in range(97)]
    rows += [",ROB,2023-05-01", "[red]X[/red],ARSON,2023-05-01"]  # lines 99 and 100
    data = tmp_path / "city.csv"
    data.write_text("\n".join(rows) + "\n")
    result = runner.invoke(app, ["ingest", "csv", str(data), "--mapping", str(mapping), "--drain"])
    assert result.exit_code == 0, result.output
    assert "city.csv:100: crime type 'ARSON' is not in the category mapping" in result.output
    assert "city.csv:99: missing field 'community'" in result.output
    assert "💯" not in result.output
    table = runner.invoke(app, ["dead-letters"])
    assert "[red]" in table.output  # shown as written, not taken for a colour


def test_ingest_csv_reads_the_city_profile_s_mapping(settings_env, keys, tmp_path, monkeypatch):
    """Without --mapping, `ingest csv` uses the source mapping of CRIMECAST_CITY_FILE's profile."""
    profile = tmp_path / "city.yaml"
    profile.write_text("""\
name: Springfield
timezone: America/Chicago
area: {singular: district, plural: districts}
categories: [{name: Theft of Bicycle}, {name: Assault}]
source:
  kind: mapped
  mapping: {source: spf, columns: {id: [Case, Code], community: District, category: Type,
            datetime: When}, categories: same}
""")
    monkeypatch.setenv("CRIMECAST_CITY_FILE", str(profile))
    data = tmp_path / "spf.csv"
    data.write_text(
        "Case,Code,District,Type,When\n1,a,North,Theft of Bicycle,2023-05-01\n"
        "1,b,North,Assault,2023-05-01\n"
    )
    result = runner.invoke(app, ["ingest", "csv", str(data), "--drain"])
    assert result.exit_code == 0, result.output
    assert _store(settings_env, keys).month_counts("2023-05") == {
        ("NORTH", "Theft of Bicycle"): 1,
        ("NORTH", "Assault"): 1,
    }
