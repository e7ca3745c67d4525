"""Producers' inputs: the portal CSV, another city's CSV, the paged download, synthetic data."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from stream.producer import Rejected
from stream.records import Incident
from stream.sources import ColumnMapping, SourceError, download, generate, read_calgary, read_mapped

TODAY = date(2024, 6, 15)
HEADER = "Community,Category,Crime Count,Year,Month\n"


def _write(tmp_path, text, name="f.csv", mode="w"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _incidents(loaded):
    return [x for x in loaded if isinstance(x, Incident)]


def test_identical_rows_are_separate_incidents_with_stable_ids(tmp_path):
    """Two identical rows are two records; reading the file again gives the same two ids."""
    path = _write(tmp_path, HEADER + "BELTLINE,Street Robbery,2,2023,5\n" * 2)
    first = _incidents(read_calgary(path, today=TODAY))
    again = _incidents(read_calgary(path, today=TODAY))
    assert len({i.id for i in first}) == 2
    assert [i.id for i in first] == [i.id for i in again]
    assert all(i.count == 2 and i.occurred_at == date(2023, 5, 31) for i in first)


def test_expand_gives_one_record_per_incident_filed_on_the_month(tmp_path):
    """--expand: count records of count 1, unique ids, all on the month's last day (the row's
    month resolution: no invented days); ``invent_days`` (tests, benchmarks) spreads them."""
    path = _write(
        tmp_path,
        HEADER + "BELTLINE,Street Robbery,10,2023,2\nFOREST LAWN,Theft OF Vehicle,1,2023,2\n",
    )
    recs = _incidents(read_calgary(path, expand=True, today=TODAY))
    assert len(recs) == 11 and all(r.count == 1 for r in recs)
    assert len({r.id for r in recs}) == 11
    assert {r.occurred_at for r in recs} == {date(2023, 2, 28)}
    assert [r.id for r in recs] == [
        r.id for r in _incidents(read_calgary(path, expand=True, today=TODAY))
    ]
    spread = _incidents(read_calgary(path, expand=True, today=TODAY, invent_days=True))
    assert [r.id for r in spread] == [r.id for r in recs]
    assert len({r.occurred_at.day for r in spread if r.community == "BELTLINE"}) == 10


def test_category_spelling_variants_are_accepted(tmp_path):
    """Other spacing or case of a category name (the portal's NBSP included) maps to the set."""
    path = _write(
        tmp_path,
        HEADER + "beltline,\"violence\u00a0 'other' (non-domestic)\",1,2023,5\n"
        "beltline,THEFT of vehicle,1,2023,5\n",
    )
    cats = {r.category for r in _incidents(read_calgary(path, today=TODAY))}
    assert cats == {"Violence  'Other' (Non-domestic)", "Theft OF Vehicle"}


@pytest.mark.parametrize(
    "content, message, line",
    [
        (b"", "file is empty", 1),
        (HEADER.encode(), "no data rows after the header", 2),
        (HEADER.replace(",", ";").encode() + b"A;Street Robbery;1;2023;5\n", "wrong delimiter", 1),
        (
            b"Community,Category,Year,Month\nA,Street Robbery,2023,5\n",
            "missing column(s) 'Crime Count'",
            1,
        ),
        (HEADER.encode() + b"A,Arson,1,2023,5\n", "no valid row", 2),
        (b"\x1f\x8b\x08\x00\xff\xfe binary", "not a UTF-8 text CSV", 1),
    ],
)
def test_file_level_problems_stop_with_file_and_line(tmp_path, content, message, line):
    """A file-level problem raises SourceError naming the file and line; nothing is produced."""
    path = _write(tmp_path, content)
    with pytest.raises(SourceError) as exc:
        read_calgary(path, today=TODAY)
    assert message in str(exc.value)
    assert exc.value.line == line and exc.value.path == str(path)


def test_unreadable_file_is_a_clear_error(tmp_path):
    """A missing file or a directory is a SourceError, not a traceback."""
    with pytest.raises(SourceError, match="file not found"):
        read_calgary(tmp_path / "nope.csv")
    with pytest.raises(SourceError, match="directory"):
        read_calgary(tmp_path)


def test_bad_rows_become_rejected_with_their_line(tmp_path):
    """Bad rows (unknown category, bad count, future month, bad UTF-8, short) are rejected by line."""
    future = TODAY.year + 1
    content = (
        HEADER + "A,Street Robbery,1,2023,5\nA,Arson,1,2023,5\nA,Street Robbery,x,2023,5\n"
        f"A,Street Robbery,1,{future},1\nA,Street Robbery,1\n"
    ).encode() + b"B\xffAD,Street Robbery,1,2023,5\n"
    loaded = read_calgary(_write(tmp_path, content), today=TODAY)
    rejected = [x for x in loaded if isinstance(x, Rejected)]
    assert [r.origin.split(":")[1] for r in rejected] == ["3", "4", "5", "6", "7"]
    assert "unknown category" in rejected[0].reason
    assert "future" in rejected[2].reason
    assert rejected[4].fields["Community"] == b"B\xffAD"
    assert len(_incidents(loaded)) == 1


def test_mapped_csv_with_datetime_column(tmp_path):
    """Another city's CSV: columns and crime types mapped; skipped types counted; unmapped rejected."""
    mapping = _write(
        tmp_path,
        """
source: othercity
columns: {id: Case, community: Area, category: Type, datetime: When,
          datetime_format: "%m/%d/%Y %H:%M"}
categories: {ROBBERY: Street Robbery, "MOTOR VEHICLE THEFT": Theft OF Vehicle, NARCOTICS: null}
communities: {"THE LOOP": "DOWNTOWN"}
""",
        "map.yaml",
    )
    data = _write(
        tmp_path,
        "Case,Area,Type,When\n1,the loop,ROBBERY,05/17/2023 22:10\n"
        "2,Hyde Park,motor vehicle theft,05/18/2023 01:00\n3,X,NARCOTICS,05/18/2023 01:00\n"
        "4,X,ARSON,05/18/2023 01:00\n5,X,ROBBERY,2023-05-18\n",
        "city.csv",
    )
    loaded = read_mapped(data, ColumnMapping.from_file(mapping), today=TODAY)
    recs = _incidents(loaded)
    assert [(r.id, r.community, r.category, r.occurred_at) for r in recs] == [
        ("othercity:1", "DOWNTOWN", "Street Robbery", date(2023, 5, 17)),
        ("othercity:2", "HYDE PARK", "Theft OF Vehicle", date(2023, 5, 18)),
    ]
    assert loaded.skipped == 1
    reasons = [x.reason for x in loaded if isinstance(x, Rejected)]
    assert "not in the category mapping" in reasons[0] and "does not match" in reasons[1]


def test_mapped_csv_with_year_month_day_and_derived_ids(tmp_path):
    """Year/month/day columns work; without an id column identical rows get distinct stable ids."""
    cmap = ColumnMapping(
        {
            "columns": {"community": "C", "category": "T", "year": "Y", "month": "M", "day": "D"},
            "categories": {"rob": "Street Robbery"},
        }
    )
    data = _write(tmp_path, "C;T;Y;M;D\nA;rob;2023;5;17\nA;rob;2023;5;17\n", "c.csv")
    with pytest.raises(SourceError, match="wrong delimiter"):
        read_mapped(data, cmap, today=TODAY)
    cmap = ColumnMapping(
        {"delimiter": ";", "columns": cmap.columns, "categories": {"rob": "Street Robbery"}}
    )
    recs = _incidents(read_mapped(data, cmap, today=TODAY))
    assert len({r.id for r in recs}) == 2 and recs[0].occurred_at == date(2023, 5, 17)


def test_bad_mapping_is_a_clear_error(tmp_path):
    """A mapping without columns, or mapping to an unknown category, is refused with the reason."""
    with pytest.raises(SourceError, match="columns"):
        ColumnMapping({"categories": {"a": "Street Robbery"}})
    with pytest.raises(SourceError, match="not a configured category"):
        ColumnMapping(
            {
                "columns": {"community": "C", "category": "T", "datetime": "W"},
                "categories": {"a": "Arson"},
            }
        )


def test_synthetic_records_are_labelled_and_reproducible():
    """Synthetic records carry source 'synthetic', never a future date, and stable ids per seed."""
    a = list(generate(months=3, seed=7, today=TODAY))
    b = list(generate(months=3, seed=7, today=TODAY))
    assert a == b and len(a) > 50
    assert {r.source for r in a} == {"synthetic"}
    assert {r.month for r in a} == {"2022-01", "2022-02", "2022-03"}
    assert not list(generate(start="2024-07", months=2, today=TODAY))
    assert {r.id for r in generate(months=3, seed=8, today=TODAY)}.isdisjoint({r.id for r in a})


# --- Socrata download against a local server that pages like Socrata ---------------------------
class _Socrata(BaseHTTPRequestHandler):
    rows: list[dict] = []
    requests: list[dict] = []
    fail_first: int = 0

    def do_GET(self):  # noqa: N802
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(q)
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        if url.path.endswith("/locked.json"):
            self.send_response(403)
            self.end_headers()
            return
        if url.path != "/resource/78gh-n26t.json" or "$limit" not in q or q.get("$order") != ":id":
            self.send_response(400)
            self.end_headers()
            self.wfile.write(b'{"error": "bad query"}')
            return
        offset, limit = int(q.get("$offset", 0)), int(q["$limit"])
        body = json.dumps(type(self).rows[offset : offset + limit]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def socrata(calgary_slice):
    frame = pd.read_csv(calgary_slice)
    rows = [
        {"community": c, "category": k, "crime_count": str(n), "year": str(y), "month": str(m)}
        for c, k, n, y, m in frame.itertuples(index=False)
    ]
    handler = type("Handler", (_Socrata,), {"rows": rows, "requests": [], "fail_first": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler, frame
    server.shutdown()


def test_download_pages_through_the_dataset(socrata, tmp_path):
    """The download pages with $limit/$offset/$order and writes every row in the portal layout."""
    url, handler, frame = socrata
    out = tmp_path / "dl.csv"
    n = download(out, base_url=url, page_size=100)
    assert n == len(frame)
    offsets = [int(q["$offset"]) for q in handler.requests]
    assert offsets == list(range(0, (len(frame) // 100 + 1) * 100, 100))
    got = pd.read_csv(out)
    assert list(got.columns) == list(frame.columns)
    assert Counter(map(tuple, got.values.tolist())) == Counter(map(tuple, frame.values.tolist()))


def test_download_retries_transient_errors_and_reports_hard_ones(socrata, tmp_path):
    """A 503 is retried; a 4xx stops with the URL and offset; no partial file is left."""
    url, handler, frame = socrata
    handler.fail_first = 2
    assert download(tmp_path / "a.csv", base_url=url, page_size=1000, retry_delay=0.01) == len(
        frame
    )
    with pytest.raises(SourceError, match="HTTP 400 at offset 0"):
        download(tmp_path / "b.csv", base_url=url, dataset="nope-nope", retry_delay=0.01)
    assert not (tmp_path / "b.csv").exists() and not (tmp_path / "b.csv.part").exists()
    with pytest.raises(
        SourceError, match="refused access.*SOCRATA_APP_TOKEN.*ingest workbook FILE"
    ):
        download(tmp_path / "c.csv", base_url=url, dataset="locked", retry_delay=0.01)


def _offence_file(tmp_path):
    return _write(
        tmp_path,
        "Report,Code,Hood,Npu,Type,Occur,Reported\n"
        "19001,1315,Midtown,E,AGG ASSAULT,3/21/2019,3/21/2019\n"
        "19001,1316,Midtown,E,AGG ASSAULT,3/21/2019,3/21/2019\n"
        "19002,2305,,M,AUTO THEFT,12/30/2018,1/2/2019\n"
        "19003,2305,,,AUTO THEFT,1/5/2019,1/5/2019\n",
        "offences.csv",
    )


OFFENCES = {
    "columns": {
        "id": ["Report", "Code"],
        "community": "Hood",
        "community_fallback": "Npu",
        "category": "Type",
        "occurred": "Occur",
        "reported": "Reported",
        "datetime_format": "%m/%d/%Y",
    },
    "fallback_name": "NPU {value} (no neighborhood)",
    "categories": "same",
}


def test_several_id_columns_keep_two_offences_of_one_report(tmp_path):
    """With report number + offence code as the id, a report's two offences are two incidents."""
    from stream.categories import CategorySet

    cmap = ColumnMapping(OFFENCES, categories=CategorySet(["AGG ASSAULT", "AUTO THEFT"]))
    recs = _incidents(read_mapped(_offence_file(tmp_path), cmap, today=TODAY))
    assert [r.id for r in recs[:2]] == ["mapped:19001/1315", "mapped:19001/1316"]


def test_fallback_area_when_the_area_is_blank(tmp_path):
    """A blank neighborhood falls back to its NPU, named so; blank both is a dead letter."""
    from stream.categories import CategorySet

    cmap = ColumnMapping(OFFENCES, categories=CategorySet(["AGG ASSAULT", "AUTO THEFT"]))
    loaded = read_mapped(_offence_file(tmp_path), cmap, today=TODAY)
    assert [r.community for r in _incidents(loaded)] == [
        "MIDTOWN",
        "MIDTOWN",
        "NPU M (NO NEIGHBORHOOD)",
    ]
    (rej,) = [x for x in loaded if isinstance(x, Rejected)]
    assert "missing field 'Hood' (and 'Npu')" in rej.reason and rej.origin.endswith(":5")


@pytest.mark.parametrize(
    "count_by,day", [("occurred", date(2018, 12, 30)), ("reported", date(2019, 1, 2))]
)
def test_the_mapping_says_which_date_counts(tmp_path, count_by, day):
    """count_by chooses the occurrence date (late reports count when they happened) or the report."""
    from stream.categories import CategorySet

    cmap = ColumnMapping(
        {**OFFENCES, "count_by": count_by}, categories=CategorySet(["AGG ASSAULT", "AUTO THEFT"])
    )
    recs = _incidents(read_mapped(_offence_file(tmp_path), cmap, today=TODAY))
    assert recs[2].occurred_at == day


def test_categories_same_takes_the_types_as_they_are(tmp_path):
    """'categories: same' accepts the types that are configured categories and no others."""
    from stream.categories import CategorySet

    cmap = ColumnMapping(OFFENCES, categories=CategorySet(["AGG ASSAULT"]))
    loaded = read_mapped(_offence_file(tmp_path), cmap, today=TODAY)
    assert {r.category for r in _incidents(loaded)} == {"AGG ASSAULT"}
    assert (
        sum("not in the category mapping" in x.reason for x in loaded if isinstance(x, Rejected))
        == 2
    )  # both AUTO THEFT rows
