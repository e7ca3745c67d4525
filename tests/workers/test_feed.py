"""Continuous ingestion: the scheduler's ingest job pulls the profile's feed (a drop folder, a URL
on a local HTTP server) through real rq workers, real stream workers and the real model jobs; the
producer interface (JSON Lines on standard input) validates like every other source."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from workers.rq_worker import InProcessWorker

from core.profile import CALGARY_FILE
from stream.dead_letters import read_dead_letters
from stream.forecast_cache import ForecastCache
from stream.store import CountStore
from workers.runtime import runtime
from workers.scheduler import Scheduler
from workers.stream_worker import StreamWorker

ROOT = Path(__file__).resolve().parents[2]
COMMS = ("BELTLINE", "FOREST LAWN", "AMBLETON", "01B", "CRANSTON")


def _profile(tmp_path: Path, feed: str) -> Path:
    """Calgary's profile with another feed line (the reference files are not needed here)."""
    text = CALGARY_FILE.read_text(encoding="utf-8")
    start = text.index("  feed: {")
    end = text.index("\n", start)
    path = tmp_path / "city.yaml"
    path.write_text(text[:start] + f"  feed: {feed}" + text[end:], encoding="utf-8")
    return path


def _months(frame, first: int, last: int):
    ym = frame["Year"] * 100 + frame["Month"]
    return frame[frame["Community"].isin(COMMS) & (ym >= first) & (ym <= last)]


def _extracts(calgary_frame):
    """Two overlapping extracts: 2022-01..2023-06, then 2023-04..2023-08 with one 2023-05 row
    revised (its count changed); and the counts the union must give (the later extract wins)."""
    one = _months(calgary_frame, 202201, 202306).copy()
    two = _months(calgary_frame, 202304, 202308).copy()
    may = two.index[(two["Year"] == 2023) & (two["Month"] == 5) & (two["Community"] == "BELTLINE")][
        0
    ]
    two.loc[may, "Crime Count"] = two.loc[may, "Crime Count"] + 7
    ym = one["Year"] * 100 + one["Month"]
    import pandas as pd

    union = pd.concat([one[ym < 202304], two])
    return one, two, union


def _run_queue(rt, kind: str) -> list:
    """Run every job on one queue with a real rq worker (in process); return the finished jobs' results."""
    q = rt.queue(kind)
    ids = list(q.job_ids)
    InProcessWorker([q], connection=rt.raw).work(burst=True)
    from rq.job import Job

    out = []
    for job_id in ids:
        job = Job.fetch(job_id, connection=rt.raw)
        assert job.get_status() == "finished", job.latest_result().exc_string
        out.append(job.return_value())
    return out


def _scheduled_pull(rt) -> dict:
    """The scheduler fires the ingest run; the default queue's worker runs it."""
    sched = Scheduler(rt)
    assert "ingest" in sched.jobs
    fired = sched.last_fired("ingest")  # each pull is a later run of the job
    run = max(
        datetime.now(sched.tz).replace(microsecond=0),
        fired + timedelta(minutes=1) if fired else datetime.now(sched.tz),
    )
    assert sched.fire("ingest", run)
    (result,) = _run_queue(rt, "default")
    return result


def _count_and_learn(rt) -> None:
    """Stream workers count and close due months; the models queue learns them."""
    StreamWorker(rt, name="feed-test").run(burst=True)
    while rt.queue("models").count:
        _run_queue(rt, "models")


def _counts(store: CountStore) -> dict:
    return {
        (c, k, m): v for m in store.months() for (c, k), v in store.month_counts(m).items() if v
    }


@pytest.fixture
def feed_env(settings_env, monkeypatch):
    monkeypatch.setenv("CRIMECAST_GRACE_DAYS", "0")

    def use(profile: Path):
        monkeypatch.setenv("CRIMECAST_CITY_FILE", str(profile))
        from workers.settings import Settings

        return Settings()

    return use


@pytest.mark.slow
def test_drop_folder_pulls_overlapping_extracts_and_forecasts_follow(
    feed_env, calgary_frame, tools, tmp_path, r, keys
):
    """Two nightly exports into a drop folder, overlapping by three months with one row revised:
    the counts equal the union exactly, the month that was newest closes, forecasts move on."""
    drop = tmp_path / "drop"
    drop.mkdir()
    settings = feed_env(_profile(tmp_path, '{folder: drop, every: "daily 02:00", quiet_days: 40}'))
    one, two, union = _extracts(calgary_frame)
    one.to_csv(drop / "extract-2023-07-10.csv", index=False)
    (drop / ".extract-2023-08-10.csv.part").write_text("half written, not read")
    with runtime(settings) as rt:
        first = _scheduled_pull(rt)
        assert first["status"] == "ok" and first["files"] == ["extract-2023-07-10.csv"]
        assert first["records"] == len(one) and first["newest"] == "2023-06-30"
        _count_and_learn(rt)
        store = CountStore(r, keys)
        assert _counts(store) == tools.expected_counts(one)
        assert store.last_closed_month() == "2023-05"  # June is the newest month: still open
        assert ForecastCache(r, keys).meta()["data_through"] == "2023-05"

        again = _scheduled_pull(rt)  # nothing new in the folder: nothing is sent
        assert again["status"] == "unchanged" and again["records"] == 0

        two.to_csv(drop / "extract-2023-09-10.csv", index=False)
        second = _scheduled_pull(rt)
        assert second["files"] == ["extract-2023-09-10.csv"]
        assert second["unchanged"] == ["extract-2023-07-10.csv"]
        _count_and_learn(rt)
        assert _counts(store) == tools.expected_counts(union)
        stats = store.stats()
        assert stats["corrections"] == 1  # the revised row replaced its earlier count
        assert stats["duplicates"] == len(one[(one["Year"] == 2023) & (one["Month"] >= 4)]) - 1
        assert store.last_closed_month() == "2023-07"  # June (and July) closed
        meta = ForecastCache(r, keys).meta()
        assert meta["data_through"] == "2023-07"
        assert all(f.data_through == "2023-07" for f in ForecastCache(r, keys).read_all().values())

        from workers.jobs import collect_health

        health = collect_health(rt)
        assert health["last_pull_status"] == "ok" and health["last_pull_records"] == len(two)
        assert health["last_pull_newest_date"] == "2023-08-31"
        assert health["feed"].startswith("drop folder ") and health["city"] == "Calgary"
        assert not health["source_quiet"]
        # the source goes quiet: nothing new counted for longer than the profile's 40 days
        r.hset(keys.meta, "last_applied_at", f"{time.time() - 41 * 86400:.0f}")
        quiet = collect_health(rt)
        assert quiet["source_quiet"]
        assert any(
            "the source has gone quiet: nothing new counted for 41 days" in p
            for p in quiet["problems"]
        )
        from workers.alerts import Subscription, build_alert

        alert = build_alert(
            r, Subscription("1", "city"), datetime.now(timezone.utc).date(), keys=keys
        )
        assert any(n.startswith("The source has gone quiet") for n in alert.notes)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def http_dir(tmp_path):
    """A local HTTP server (127.0.0.1 only) serving a folder; yields (folder, base URL)."""
    folder = tmp_path / "www"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_feed_polls_a_csv_twice_with_overlap(
    feed_env, http_dir, calgary_frame, tools, tmp_path, r, keys
):
    """A URL polled by the scheduler's job: an unchanged file is not fetched again (304), a new
    extract overlapping the old one counts exactly once, its revision replaces."""
    folder, base = http_dir
    settings = feed_env(_profile(tmp_path, f'{{url: "{base}/crime.csv", every: "*/30 * * * *"}}'))
    one, two, union = _extracts(calgary_frame)
    one.to_csv(folder / "crime.csv", index=False)
    with runtime(settings) as rt:
        first = _scheduled_pull(rt)
        assert first["status"] == "ok" and first["records"] == len(one)
        StreamWorker(rt, name="feed-url").run(burst=True)
        store = CountStore(r, keys)
        assert _counts(store) == tools.expected_counts(one)

        assert _scheduled_pull(rt)["status"] == "unchanged"  # If-Modified-Since: 304

        two.to_csv(folder / "crime.csv", index=False)
        later = time.time() + 5
        os.utime(folder / "crime.csv", (later, later))
        second = _scheduled_pull(rt)
        assert second["status"] == "ok" and second["records"] == len(two)
        assert second["newest"] == "2023-08-31"
        StreamWorker(rt, name="feed-url").run(burst=True)
        assert _counts(store) == tools.expected_counts(union)
        assert store.stats()["corrections"] == 1


def test_unreachable_url_fails_the_job_and_status_says_so(feed_env, tmp_path, keys):
    """A feed URL nobody answers: the pull fails (rq retries it) and the health names it."""
    settings = feed_env(_profile(tmp_path, '{url: "http://127.0.0.1:9/none.csv"}'))
    from workers.feed import FeedError, pull
    from workers.jobs import collect_health

    with runtime(settings) as rt:
        with pytest.raises(FeedError, match="download failed"):
            pull(rt)
        health = collect_health(rt)
    assert health["last_pull_status"] == "error"
    assert any("the last feed pull" in p and "failed" in p for p in health["problems"])


def test_unreadable_file_in_the_drop_folder_fails_the_pull_naming_it(feed_env, tmp_path, keys):
    """A workbook that cannot be read stops the pull with the file named; a good file beside it
    is still sent, and the next pull does not send it again."""
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a-2024-01.jsonl").write_text(
        json.dumps(
            {
                "id": "j-1",
                "community": "BELTLINE",
                "category": "Street Robbery",
                "occurred_at": "2023-05-02",
            }
        )
        + "\n"
    )
    (drop / "b-2024-02.xlsx").write_bytes(b"not a workbook")
    settings = feed_env(_profile(tmp_path, "{folder: drop}"))
    from workers.feed import FeedError, pull
    from workers.jobs import collect_health

    with runtime(settings) as rt:
        with pytest.raises(FeedError, match="b-2024-02.xlsx"):
            pull(rt)
        assert rt.client.xlen(rt.keys.stream) == 1
        with pytest.raises(FeedError):
            pull(rt)
        assert rt.client.xlen(rt.keys.stream) == 1  # the JSONL file was not sent twice
        health = collect_health(rt)
    assert health["last_pull_status"] == "error" and "b-2024-02.xlsx" in " ".join(
        health["problems"]
    )


def test_jsonl_on_stdin_counts_and_dead_letters_bad_lines(settings_env, r, keys):
    """`crimecast ingest jsonl -`: good lines count, bad ones are dead letters with their line."""
    lines = [
        {
            "id": "rms-1",
            "community": "beltline",
            "category": "street robbery",
            "occurred_at": "2023-05-17",
        },
        {
            "id": "rms-2",
            "community": "BELTLINE",
            "category": "Street Robbery",
            "occurred_at": "2023-05-18T22:10:00",
            "count": 2,
            "source": "rms",
        },
        {
            "id": "rms-3",
            "community": "BELTLINE",
            "category": "Jaywalking",
            "occurred_at": "2023-05-18",
        },
        {
            "id": "rms-4",
            "community": "CRANSTON",
            "category": "Street Robbery",
            "occurred_at": "2023-05-02",
            "count": 5,
            "resolution": "month",
        },
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\n[1, 2]\n{broken\n"
    env = {
        **os.environ,
        "REDIS_URL": settings_env.redis_url.get_secret_value(),
        "CRIMECAST_KEY_PREFIX": keys.prefix,
        "CRIMECAST_STATE_DIR": str(settings_env.state_dir),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "crimecast"), "ingest", "jsonl", "-", "--drain"],
        input=text,
        text=True,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "sent 3 records from 6 lines" in done.stdout and "3 refused" in done.stdout
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {
        ("BELTLINE", "Street Robbery"): 3,
        ("CRANSTON", "Street Robbery"): 5,
    }
    assert store.day_counts(store.watermark(), store.watermark()) == {
        ("CRANSTON", "Street Robbery"): 5
    }
    letters = {d.origin: d.reason for d in read_dead_letters(r, keys, 10)}
    assert letters["stdin:3"] == "unknown category 'Jaywalking'"
    assert letters["stdin:5"].startswith("line is a JSON list")
    assert letters["stdin:6"].startswith("line is not valid JSON")


def test_http_producer_interface_validates_and_dead_letters(settings_env, r, keys):
    """POST /records: good lines count, a bad one is refused by line (and a dead letter), the
    bearer token is required when set."""
    import urllib.error
    import urllib.request

    from stream.categories import CategorySet
    from stream.consumer import Consumer
    from workers.ingest_http import IngestServer

    server = IngestServer(("127.0.0.1", 0), r, keys, CategorySet.calgary(), token="s3cret")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/records"
    body = "\n".join(
        json.dumps(x)
        for x in [
            {
                "id": "h-1",
                "community": "BELTLINE",
                "category": "Street Robbery",
                "occurred_at": "2023-05-02",
            },
            {
                "id": "h-2",
                "community": "BELTLINE",
                "category": "Street Robbery",
                "occurred_at": "2099-01-01",
            },
            {
                "id": "h-3",
                "community": "BELTLINE",
                "category": "Street Robbery",
                "occurred_at": "2023-05-03",
                "count": 2,
            },
        ]
    ).encode()
    try:
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(urllib.request.Request(url, data=body))
        assert denied.value.code == 401
        req = urllib.request.Request(url, data=body, headers={"Authorization": "Bearer s3cret"})
        with urllib.request.urlopen(req) as resp:
            reply = json.loads(resp.read())
    finally:
        server.shutdown()
        server.server_close()
    assert reply == {
        "sent": 2,
        "refused": [{"line": 2, "reason": "occurred_at 2099-01-01 is in the future"}],
    }
    consumer = Consumer(r, keys)
    consumer.run(burst=True)
    consumer.close()
    assert CountStore(r, keys).month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 3}
    assert [d.origin for d in read_dead_letters(r, keys, 5)] == ["http:2"]


def test_ingest_pull_command(feed_env, calgary_frame, tmp_path, r, keys):
    """`crimecast ingest pull --drain` pulls the feed now and counts; a profile without a feed
    says how to add one."""
    from typer.testing import CliRunner

    from bot.cli import app

    drop = tmp_path / "drop"
    drop.mkdir()
    one = _months(calgary_frame, 202301, 202303)
    one.to_csv(drop / "2023-04-10.csv", index=False)
    feed_env(_profile(tmp_path, "{folder: drop}"))
    result = CliRunner().invoke(app, ["ingest", "pull", "--drain"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"1 new file(s) ({len(one):,} rows -> {len(one):,} records" in said
    assert "newest date 2023-03-31" in said
    assert CountStore(r, keys).stats()["incidents"] == int(one["Crime Count"].sum())
    again = " ".join(CliRunner().invoke(app, ["ingest", "pull"]).output.split())
    assert "0 new file(s)" in again and "1 unchanged" in again

    text = (tmp_path / "city.yaml").read_text().replace("  feed: {folder: drop}\n", "")
    (tmp_path / "nofeed.yaml").write_text(text)
    feed_env(tmp_path / "nofeed.yaml")
    none = CliRunner().invoke(app, ["ingest", "pull"])
    assert none.exit_code == 1 and "has no feed to pull" in " ".join(none.output.split())
