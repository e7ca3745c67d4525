"""crimecast on a real Redis Cluster: two cities' streams, counts, forecasts, alerts and bot answers
on three masters, their rq queues on a plain Redis (``CRIMECAST_QUEUE_URL``). Calgary names the
Cluster as ``redis+cluster://``, Atlanta as a managed service prints it (``redis://host:port/0`` with
``CRIMECAST_REDIS_CLUSTER=true``).

One local Cluster (three ``redis-server --cluster-enabled yes`` nodes joined by ``redis-cli
--cluster create``) is started for the module and torn down after it. The two cities (Calgary's real
file, a slice; Atlanta's real 2019 file, a slice, through a column mapping) get key prefixes whose
hash tags live on different masters, and their stream workers run at the same time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from workers.rq_worker import InProcessWorker
from typer.testing import CliRunner

from stream.connection import ClusterMismatch, LocalCluster, connect
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import ForecastCache
from stream.keys import Keys
from stream.records import Incident
from stream.store import CountStore

pytestmark = pytest.mark.skipif(
    not (shutil.which("redis-server") and shutil.which("redis-cli")),
    reason="needs redis-server and redis-cli",
)

ROOT = Path(__file__).resolve().parents[1]
ATLANTA_CSV = (
    Path(os.environ.get("CRIMECAST_DATA_DIR", ROOT.parent / "shared" / "data"))
    / "atlanta_cobra_2019.csv"
)
ATLANTA_HOODS = ("Downtown", "Midtown", "Old Fourth Ward", "West End", "Buckhead Village")
ATLANTA_MAPPING = """
source: atlanta
columns:
  community: Neighborhood
  category: UCR Literal
  datetime: Occur Date
  datetime_format: "%m/%d/%Y"
categories:
  LARCENY-FROM VEHICLE: Theft FROM Vehicle
  AUTO THEFT: Theft OF Vehicle
  BURGLARY-RESIDENCE: Break & Enter - Dwelling
  BURGLARY-NONRES: Break & Enter - Commercial
  ROBBERY-PEDESTRIAN: Street Robbery
  ROBBERY-COMMERCIAL: Commercial Robbery
  AGG ASSAULT: Assault (Non-domestic)
  LARCENY-NON VEHICLE: null
  ROBBERY-RESIDENCE: null
  HOMICIDE: null
  MANSLAUGHTER: null
"""
runner = CliRunner()


@dataclass
class City:
    """One deployment on the shared Cluster: its key layout, files and environment."""

    name: str
    keys: Keys
    env: dict[str, str]
    ingest: list[str]


@pytest.fixture(scope="module")
def cluster():
    """Three masters on free ports; stopped (by process id) and removed afterwards."""
    with LocalCluster(masters=3) as c:
        yield c


@pytest.fixture(scope="module")
def data(cluster):
    """A decoding RedisCluster client."""
    client = connect(cluster.url)
    yield client
    client.close()


def _prefixes_on_two_masters(client) -> tuple[str, str]:
    """Two fresh prefixes whose hash tags are served by different masters."""
    first = f"cccl-{uuid.uuid4().hex[:8]}"
    node = client.get_node_from_key(Keys(first).stream)
    while True:
        other = f"cccl-{uuid.uuid4().hex[:8]}"
        if client.get_node_from_key(Keys(other).stream).name != node.name:
            return first, other


@pytest.fixture(scope="module")
def cities(cluster, data, redis_url, tmp_path_factory, calgary_frame):
    """Calgary (a slice of the real file) and Atlanta (a slice of the real 2019 file) as two
    deployments: data on the Cluster, rq queues on the plain server; queues removed afterwards."""
    if not ATLANTA_CSV.exists():
        pytest.skip(f"real data not found at {ATLANTA_CSV}")
    tmp = tmp_path_factory.mktemp("cities")
    calgary = calgary_frame[
        calgary_frame["Community"].isin(("BELTLINE", "FOREST LAWN", "CRANSTON", "01B", "AMBLETON"))
        & (calgary_frame["Year"] >= 2022)
    ]
    calgary.to_csv(tmp / "calgary.csv", index=False)
    atl = pd.read_csv(ATLANTA_CSV, dtype=str)
    atl = atl[atl["Neighborhood"].isin(ATLANTA_HOODS) & atl["Occur Date"].str.endswith("/2019")]
    atl.to_csv(tmp / "atlanta.csv", index=False)
    (tmp / "atlanta.yaml").write_text(ATLANTA_MAPPING)
    a, b = _prefixes_on_two_masters(data)
    out = []
    for name, prefix, ingest in (
        ("calgary", a, ["ingest", "calgary", str(tmp / "calgary.csv")]),
        (
            "atlanta",
            b,
            ["ingest", "csv", str(tmp / "atlanta.csv"), "--mapping", str(tmp / "atlanta.yaml")],
        ),
    ):
        env = {
            "REDIS_URL": cluster.url,
            "CRIMECAST_QUEUE_URL": redis_url,
            "CRIMECAST_KEY_PREFIX": prefix,
            "CRIMECAST_STATE_DIR": str(tmp / name),
            "CRIMECAST_REDIS_CLUSTER": "false",
        }
        if name == "atlanta":  # a managed Cluster's endpoint: plain scheme, database 0, the flag
            env.update(
                REDIS_URL=f"redis://127.0.0.1:{cluster.ports[1]}/0", CRIMECAST_REDIS_CLUSTER="true"
            )
        out.append(City(name, Keys(prefix), env, ingest))
    yield out
    queues = connect(redis_url)
    for city in out:
        for key in list(queues.scan_iter(match=f"rq:*{city.keys.prefix}*", count=1000)):
            queues.delete(key)
    queues.close()


@pytest.fixture(scope="module")
def pipeline(cities, data):
    """Both cities ingested, counted by two stream workers each running at once (subprocesses),
    months closed, the models queue worked, forecasts refreshed; returns the workers' output."""
    mp = pytest.MonkeyPatch()
    try:
        for city in cities:
            for k, v in city.env.items():
                mp.setenv(k, v)
            result = runner.invoke(_app(), city.ingest)
            assert result.exit_code == 0, result.output
        procs = []
        for city in cities:
            env = {**os.environ, **city.env}
            for _ in range(2):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot.cli", "worker", "--burst"],
                        env=env,
                        cwd=ROOT,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                    )
                )
        outputs = []
        for p in procs:
            out, _ = p.communicate(timeout=120)
            assert p.returncode == 0, out
            outputs.append(out)
        for city in cities:
            for k, v in city.env.items():
                mp.setenv(k, v)
            result = runner.invoke(_app(), ["rq-worker", "--queue", "models", "--burst"])
            assert result.exit_code == 0, result.output
    finally:
        mp.undo()
    return outputs


def _app():
    from bot.cli import app

    return app


def _env(mp: pytest.MonkeyPatch, city: City) -> None:
    for k, v in city.env.items():
        mp.setenv(k, v)


def _expected_calgary(path_frame: pd.DataFrame) -> dict:
    from stream.categories import CategorySet

    cats = CategorySet.calgary()
    f = path_frame.assign(
        Category=path_frame["Category"].map(cats.resolve),
        month=path_frame["Year"].astype(str) + "-" + path_frame["Month"].astype(str).str.zfill(2),
    )
    return f.groupby(["Community", "Category", "month"])["Crime Count"].sum().to_dict()


def test_cities_live_on_different_masters(cities, data):
    """Each city's keys share one hash slot; the two cities' slots are on different masters."""
    calgary, atlanta = cities
    slots = {
        data.keyslot(k)
        for k in (
            calgary.keys.stream,
            calgary.keys.month_counts("2023-01"),
            calgary.keys.forecasts,
            calgary.keys.alert_outbox,
        )
    }
    assert len(slots) == 1
    assert (
        data.get_node_from_key(calgary.keys.stream).name
        != data.get_node_from_key(atlanta.keys.stream).name
    )


def test_counts_are_exact_for_both_cities(pipeline, cities, data, calgary_frame, tmp_path_factory):
    """Calgary's counts equal its file exactly; Atlanta's incidents all count; nothing is pending."""
    calgary, atlanta = cities
    store = CountStore(data, calgary.keys)
    got = {(c, k, m): n for m in store.months() for (c, k), n in store.month_counts(m).items()}
    frame = pd.read_csv(Path(calgary.ingest[2]))
    assert got == _expected_calgary(frame)
    from stream.sources.mapped import ColumnMapping, read_mapped

    src = Path(atlanta.ingest[2])
    loaded = read_mapped(src, ColumnMapping.from_file(src.with_suffix(".yaml")))
    expected = sum(r.count for r in loaded if isinstance(r, Incident))
    atl = CountStore(data, atlanta.keys)
    assert atl.stats()["incidents"] == expected > 500
    assert set(atl.communities()) <= {h.upper() for h in ATLANTA_HOODS}
    assert not set(atl.communities()) & set(store.communities())
    for city in cities:
        assert CountStore(data, city.keys).backlog()["pending"] == 0


def test_months_close_per_city(pipeline, cities, data):
    """Each city closes its own months, by its own watermark (14 days' grace)."""
    calgary, atlanta = cities
    assert CountStore(data, calgary.keys).last_closed_month() == "2023-11"
    assert CountStore(data, atlanta.keys).last_closed_month() == "2019-11"
    events = data.xrange(calgary.keys.events)
    assert any(f.get("type") == "month_closed" and f.get("month") == "2023-11" for _, f in events)


def test_forecast_cache_and_archive_swap_on_the_cluster(pipeline, cities, data):
    """The model job's forecasts are served per city; a second refresh keeps the first as previous
    (RENAME in a Cluster transaction) and the archive holds each set."""
    calgary, atlanta = cities
    assert ForecastCache(data, atlanta.keys).meta()["data_through"] == "2019-11"
    cache = ForecastCache(data, calgary.keys)
    assert cache.meta()["data_through"] == "2023-11"
    served = cache.read_all()
    assert ("BELTLINE", "Theft FROM Vehicle") in served
    version = cache.version()
    cache.write(served.values(), {"data_through": "2023-11", "model": "again"})
    assert cache.version() == version + 1 and cache.previous_all() == served
    assert ForecastArchive(data, calgary.keys).read("2023-11") == served


def test_weekly_alert_runs_from_the_queue_server(pipeline, cities, data, redis_url):
    """An alert job queued on the plain server builds from the Cluster and is posted once."""
    from bot.transports.poster import Poster
    from workers.jobs import weekly_alert
    from workers.runtime import runtime
    from workers.settings import Settings

    calgary = cities[0]
    mp = pytest.MonkeyPatch()
    try:
        _env(mp, calgary)
        result = runner.invoke(_app(), ["alerts", "subscribe", "42", "--community", "BELTLINE"])
        assert result.exit_code == 0, result.output
        with runtime(Settings()) as rt:
            assert rt.queue_url == redis_url and rt.url == calgary.env["REDIS_URL"]
            job = rt.queue("default").enqueue(weekly_alert, as_of="2024-01-01")
            InProcessWorker([rt.queue("default")], connection=rt.raw).work(burst=True)
            job.refresh()
            assert job.is_finished, job.latest_result()
            assert job.return_value()["queued"] == 1

            class Recorder:
                def __init__(self):
                    self.sent = []

                def send(self, channel_id, embed, png, nonce):
                    self.sent.append((channel_id, embed))
                    return "m1"

            sender = Recorder()
            report = Poster(rt.client, rt.keys, sender, charts=False).drain()
            assert report.posted and sender.sent[0][0] == "42"
            assert "BELTLINE" in sender.sent[0][1]["title"]
            assert Poster(rt.client, rt.keys, sender, charts=False).drain().posted == []
    finally:
        mp.undo()
    assert not list(data.scan_iter(match="rq:*"))  # no queue key ever reached the Cluster


def test_health_reads_the_master_holding_the_city(pipeline, cities, redis_url):
    """The health check reports the memory of the master serving the city's slot, and queues
    from the queue server."""
    from workers.jobs import collect_health
    from workers.runtime import runtime
    from workers.settings import Settings

    calgary = cities[0]
    settings = Settings(**{k.lower().removeprefix("crimecast_"): v for k, v in calgary.env.items()})
    with runtime(settings) as rt:
        health = collect_health(rt)
        node = rt.client.get_node_from_key(calgary.keys.stream)
        used = rt.client.info("memory", target_nodes=node)["used_memory_human"]
    assert health["redis_used_memory"][-1] == used[-1] == "M"  # memory moves a little between reads
    assert abs(float(health["redis_used_memory"][:-1]) / float(used[:-1]) - 1) < 0.1
    assert health["queue_models"] == 0 and health["failed_models"] == 0
    assert health["last_closed_month"] == "2023-11" and health["pending"] == 0


def test_bot_answers_both_cities(pipeline, cities, data):
    """The bot's engine answers from each city's keys on the Cluster; the rate limit and audit
    log (a transaction and a stream) work there too."""
    from bot.transports.access import Access, Gate
    from bot.answering.engine import Context, Engine

    calgary, atlanta = cities
    answer = Engine(data, calgary.keys, today=date(2024, 1, 20)).ask(
        "forecast beltline car theft next month", Context("7")
    )
    assert answer.ok and "BELTLINE" in answer.title and "2023-11" in answer.footer
    trend = Engine(data, atlanta.keys, today=date(2020, 1, 20)).ask("trend midtown", Context("7"))
    assert trend.ok and "MIDTOWN" in trend.title
    gate = Gate(data, calgary.keys, Access(), per_minute=2)
    assert [gate.hit("7")[0] for _ in range(3)] == [True, True, False]
    gate.audit(user_id="7", transport="console", text="forecast beltline")
    assert gate.recent(1)[0]["text"] == "forecast beltline"


def test_every_key_is_under_a_city_hash_tag(pipeline, cities, data):
    """SCAN over every master finds only keys under the two cities' hash tags."""
    tags = tuple(f"{{{c.keys.prefix}}}:" for c in cities)
    found = list(data.scan_iter(match="*", count=1000))
    assert found and all(k.startswith(tags) for k in found)


def test_queues_refuse_a_cluster(cluster, monkeypatch, tmp_path):
    """A Cluster REDIS_URL without CRIMECAST_QUEUE_URL, or a queue URL at a Cluster node, is a
    clear error naming the setting."""
    from workers.runtime import open_runtime
    from workers.settings import Settings

    monkeypatch.delenv("CRIMECAST_QUEUE_URL", raising=False)
    with pytest.raises(ClusterMismatch, match="CRIMECAST_QUEUE_URL"):
        open_runtime(Settings(redis_url=cluster.url, state_dir=tmp_path))
    node = f"redis://127.0.0.1:{cluster.ports[1]}/0"
    with pytest.raises(ClusterMismatch, match="CRIMECAST_QUEUE_URL"):
        open_runtime(Settings(redis_url=cluster.url, queue_url=node, state_dir=tmp_path))
    with pytest.raises(ClusterMismatch, match="redis\\+cluster://"):
        open_runtime(Settings(redis_url=node, state_dir=tmp_path))


def test_cluster_flag_opens_a_cluster_client(cluster, redis_url, tmp_path):
    """CRIMECAST_REDIS_CLUSTER=true makes a plain redis:// URL (a managed endpoint) a Cluster."""
    from redis.cluster import RedisCluster

    from workers.runtime import open_runtime
    from workers.settings import Settings

    node = f"redis://127.0.0.1:{cluster.ports[2]}"
    rt = open_runtime(
        Settings(redis_url=node, redis_cluster=True, queue_url=redis_url, state_dir=tmp_path)
    )
    try:
        assert isinstance(rt.client, RedisCluster) and rt.server_version
    finally:
        rt.close()


@pytest.mark.parametrize(
    "argv",
    [
        ["worker", "--burst"],
        ["ingest", "synthetic", "--months", "1"],
        ["status"],
        ["rq-worker", "--queue", "models", "--burst"],
    ],
)
def test_cluster_flag_refuses_another_database_in_one_line(
    cluster, redis_url, monkeypatch, tmp_path, argv
):
    """CRIMECAST_REDIS_CLUSTER=true with ``.../3``: every command stops at start with one line
    naming the database, never a traceback."""
    for k, v in {
        "REDIS_URL": f"redis://127.0.0.1:{cluster.ports[0]}/3",
        "CRIMECAST_REDIS_CLUSTER": "true",
        "CRIMECAST_QUEUE_URL": redis_url,
        "CRIMECAST_STATE_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(k, v)
    result = runner.invoke(_app(), argv)
    assert result.exit_code != 0 and isinstance(result.exception, (SystemExit, type(None))), (
        result.exception
    )
    said = [ln for ln in result.output.splitlines() if "database 3" in ln]
    assert len(said) == 1 and said[0].startswith("error:") and "Traceback" not in result.output


def test_a_deployment_moves_from_one_server_to_the_cluster(
    cluster, data, redis_process, calgary_slice, monkeypatch, tmp_path
):
    """The move in docs/operations.md: drain, `redis-cli --cluster import --cluster-copy` from the
    old server, point REDIS_URL at the Cluster and the queues at the old server; the counts, the
    consumer group and its pending entries arrive intact, and work goes on where it stopped."""
    prefix = f"ccmove-{uuid.uuid4().hex[:8]}"
    old_url = redis_process.url
    for k, v in {
        "REDIS_URL": old_url,
        "CRIMECAST_KEY_PREFIX": prefix,
        "CRIMECAST_STATE_DIR": str(tmp_path / "state"),
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("CRIMECAST_QUEUE_URL", raising=False)
    for argv in (["ingest", "calgary", str(calgary_slice)], ["worker", "--burst"]):
        result = runner.invoke(_app(), argv)
        assert result.exit_code == 0, result.output
    keys, old = Keys(prefix), connect(old_url)
    before = {m: CountStore(old, keys).month_counts(m) for m in CountStore(old, keys).months()}
    cli = shutil.which("redis-cli")
    done = subprocess.run(
        [
            cli,
            "--cluster",
            "import",
            f"127.0.0.1:{cluster.ports[0]}",
            "--cluster-from",
            f"127.0.0.1:{redis_process.port}",
            "--cluster-copy",
            "--cluster-replace",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    monkeypatch.setenv("REDIS_URL", cluster.url)
    monkeypatch.setenv("CRIMECAST_QUEUE_URL", old_url)
    store = CountStore(data, keys)
    assert {m: store.month_counts(m) for m in store.months()} == before
    assert store.last_closed_month() == "2023-11" and store.backlog()["pending"] == 0
    result = runner.invoke(_app(), ["rq-worker", "--queue", "models", "--burst"])  # queued before
    assert result.exit_code == 0, result.output
    assert ForecastCache(data, keys).meta()["data_through"] == "2023-11"
    result = runner.invoke(_app(), ["ingest", "calgary", str(calgary_slice), "--drain"])
    assert result.exit_code == 0, result.output
    assert CountStore(data, keys).stats()["duplicates"] > 0  # ids moved too: a re-send adds nothing
    assert {m: store.month_counts(m) for m in store.months()} == before
    for key in list(data.scan_iter(match=keys.all_pattern())) + list(data.scan_iter(match="rq:*")):
        data.delete(key)
    old.close()
