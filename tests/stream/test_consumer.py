"""The counting consumer against a real Redis: exact, idempotent, and unbothered by bad input."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from stream.connection import connect
from stream.consumer import Consumer
from stream.dead_letters import read_dead_letters
from stream.keys import Keys
from stream.producer import Producer, ensure_group
from stream.records import Incident
from stream.store import CountStore


def _inc(i, community="BELTLINE", category="Street Robbery", day=date(2023, 5, 17), count=1):
    return Incident(f"t:{i}", community, category, day, count, "test")


def _drain(r, keys, **kw) -> Consumer:
    consumer = Consumer(r, keys, block_ms=0, **kw)
    consumer.run(burst=True)
    consumer.close()
    return consumer


def _xadd_raw(r_raw, keys, fields):
    ensure_group(r_raw, keys)
    r_raw.xadd(keys.stream, fields)


def test_counts_records_by_month_day_and_series(r, keys):
    """Valid records land in the month, day and series hashes, with months, series and watermark."""
    Producer(r, keys).send(
        [_inc(1), _inc(2, count=3), _inc(3, "FOREST LAWN", day=date(2023, 6, 2))]
    )
    _drain(r, keys)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 4}
    assert store.series_counts("FOREST LAWN", "Street Robbery") == {"2023-06": 1}
    assert store.day_counts(date(2023, 5, 17), date(2023, 5, 17)) == {
        ("BELTLINE", "Street Robbery"): 4
    }
    assert store.months() == ["2023-05", "2023-06"]
    assert store.watermark() == date(2023, 6, 2)
    assert store.stats()["applied"] == 3 and store.stats()["incidents"] == 5


def test_same_record_sent_twice_counts_once(r, keys):
    """Re-sending a record (same id) changes no count; it is counted as a duplicate."""
    Producer(r, keys).send([_inc(1), _inc(2)])
    _drain(r, keys)
    Producer(r, keys).send([_inc(1), _inc(2), _inc(3)])
    _drain(r, keys)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 3}
    assert store.stats()["duplicates"] == 2


def test_entries_are_acked_and_removed_after_apply(r, keys):
    """Nothing stays pending after a drain, and counted entries leave the stream."""
    Producer(r, keys).send([_inc(i) for i in range(50)])
    _drain(r, keys, batch_size=7)
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0
    assert r.xlen(keys.stream) == 0


BAD = [
    (
        {"id": "b1", "category": "Street Robbery", "occurred_at": "2023-05-01"},
        "missing field 'community'",
    ),
    (
        {"id": "b2", "community": "X", "category": "Arson", "occurred_at": "2023-05-01"},
        "unknown category",
    ),
    (
        {
            "id": "b3",
            "community": "X",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
            "count": "lots",
        },
        "not a number",
    ),
    (
        {
            "id": "b4",
            "community": "X",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
            "count": "-2",
        },
        "at least 1",
    ),
    (
        {
            "id": "b5",
            "community": "X",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
            "count": "0",
        },
        "at least 1",
    ),
    (
        {"id": "b6", "community": "X", "category": "Street Robbery", "occurred_at": "2099-01-01"},
        "future",
    ),
    (
        {"id": "b7", "community": "X", "category": "Street Robbery", "occurred_at": "1995-01-01"},
        "before 2000",
    ),
    (
        {
            "id": "b8",
            "community": "X" * 10_240,
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
        },
        "too long",
    ),
    (
        {
            "id": "b9",
            "community": b"\xff\xfe\xfd",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
        },
        "not valid UTF-8",
    ),
    (
        {
            "v": "7",
            "id": "b10",
            "community": "X",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
        },
        "schema version",
    ),
]


@pytest.mark.parametrize("fields, reason", BAD, ids=[b[1] for b in BAD])
def test_malformed_record_goes_to_dead_letters_and_counts_nothing(r, r_raw, keys, fields, reason):
    """A malformed record is dead-lettered with its reason and original fields; no count moves."""
    Producer(r, keys).send([_inc(1)])
    _xadd_raw(r_raw, keys, fields)
    _drain(r, keys)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 1}
    assert store.months() == ["2023-05"]
    [dead] = read_dead_letters(r_raw, keys)
    assert reason in dead.reason
    assert dead.fields["id"] == fields["id"]
    assert store.stats()["dead"] == 1
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0


def test_invalid_utf8_is_kept_byte_for_byte_in_dead_letters(r, r_raw, keys):
    """The original bytes of a bad record are preserved in the dead-letter stream."""
    _xadd_raw(
        r_raw,
        keys,
        {
            "id": "u",
            "community": b"\xff\xfe",
            "category": "Street Robbery",
            "occurred_at": "2023-05-01",
        },
    )
    _drain(r, keys)
    [(_, fields)] = r_raw.xrange(keys.dead_letter)
    assert fields[b"f:community"] == b"\xff\xfe"


def test_entry_idle_at_a_stalled_live_consumer_is_reclaimed(r, r_raw, keys):
    """Entries idle longer than claim_idle_ms at a consumer whose heartbeat still lives (stalled,
    not dead) are claimed by another."""
    Producer(r, keys).send([_inc(i) for i in range(10)])
    r_raw.xreadgroup(keys.consumer_group, "stalled", {keys.stream: ">"}, count=10)
    r.set(keys.heartbeat("stalled"), "{}", px=60_000)
    time.sleep(0.15)
    consumer = _drain(r, keys, claim_idle_ms=100)
    assert CountStore(r, keys).total("2023-05") == 10
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0
    assert consumer.name != "stalled"


def test_entry_delivered_too_often_is_dead_lettered(r, r_raw, keys):
    """An entry delivered more than max_deliveries times goes to dead letters, uncounted."""
    Producer(r, keys).send([_inc(1)])
    r_raw.xreadgroup(keys.consumer_group, "flaky", {keys.stream: ">"}, count=1)
    for _ in range(3):  # two more deliveries, never acked
        r_raw.xclaim(
            keys.stream, keys.consumer_group, "flaky", 0, [r_raw.xrange(keys.stream)[0][0]]
        )
    time.sleep(0.05)
    _drain(r, keys, claim_idle_ms=10, max_deliveries=3)
    assert CountStore(r, keys).months() == []
    [dead] = read_dead_letters(r_raw, keys)
    assert "delivered 5 times" in dead.reason
    assert dead.fields["id"] == "t:1"


def test_apply_error_leaves_entries_pending_for_retry(r, r_raw, keys):
    """When Redis refuses an apply (a clobbered key), the entry stays pending; other entries count."""
    Producer(r, keys).send([_inc(1), _inc(2, day=date(2023, 7, 1))])
    r.set(keys.month_counts("2023-07"), "not a hash")  # WRONGTYPE for July's apply
    consumer = Consumer(r, keys, block_ms=0, claim_idle_ms=60_000)
    consumer.run(burst=True)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 1}
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 1
    assert store.watermark() == date(2023, 5, 17)  # the failed record moved nothing


def test_consumers_share_work_without_double_counting(r, keys):
    """Four consumers draining one stream concurrently count every incident exactly once."""
    incidents = [
        _inc(i, community=f"C{i % 13}", day=date(2023, 1 + i % 12, 1 + i % 28)) for i in range(3000)
    ]
    Producer(r, keys).send(incidents + incidents[:500])  # some sent twice
    handled = []

    def work():
        c = Consumer(connect(_url(r)), keys, batch_size=50, block_ms=0)
        handled.append(c.run(burst=True))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    store = CountStore(r, keys)
    assert sum(store.total(m) for m in store.months()) == 3000
    assert sum(handled) == 3500
    assert store.stats()["duplicates"] == 500


def _url(client) -> str:
    kw = client.connection_pool.connection_kwargs
    if "path" in kw:
        return f"unix://{kw['path']}?db={kw.get('db', 0)}"
    return f"redis://{kw.get('host', '127.0.0.1')}:{kw.get('port', 6379)}/{kw.get('db', 0)}"


def test_on_batch_reports_months_and_latest_day(r, keys):
    """on_batch receives what each batch did: counts, months touched, latest day."""
    Producer(r, keys).send([_inc(1, day=date(2023, 3, 4)), _inc(2, day=date(2023, 4, 30))])
    seen = []
    Consumer(r, keys, block_ms=0).run(burst=True, on_batch=seen.append)
    assert sum(b.applied for b in seen) == 2
    assert set().union(*(b.months for b in seen)) == {"2023-03", "2023-04"}
    assert max(b.max_day for b in seen) == date(2023, 4, 30)


def test_run_stops_when_stop_is_set(r, keys):
    """A non-burst run returns promptly once its stop event is set."""
    stop = threading.Event()
    consumer = Consumer(r, keys, block_ms=50)
    t = threading.Thread(target=consumer.run, kwargs={"stop": stop})
    t.start()
    Producer(r, keys).send([_inc(1)])
    deadline = time.time() + 5
    while CountStore(r, keys).total("2023-05") < 1 and time.time() < deadline:
        time.sleep(0.02)
    stop.set()
    t.join(3)
    assert not t.is_alive()
    assert CountStore(r, keys).total("2023-05") == 1


def test_synthetic_records_mark_the_data_synthetic(r, keys):
    """Counting any synthetic record sets the synthetic flag and the per-source totals."""
    store = CountStore(r, keys)
    Producer(r, keys).send([_inc(1)])
    _drain(r, keys)
    assert not store.is_synthetic()
    Producer(r, keys).send(
        [Incident("s:1", "BELTLINE", "Street Robbery", date(2023, 5, 1), 2, "synthetic")]
    )
    _drain(r, keys)
    assert store.is_synthetic()
    assert store.sources() == {"test": 1, "synthetic": 2}


def test_late_record_for_closed_month_is_counted_and_flagged(r, keys):
    """A record for an already closed month still counts (revisions happen) and is tallied as late."""
    from stream.months import close_month

    close_month(r, keys, "2023-05")
    Producer(r, keys).send([_inc(1)])
    _drain(r, keys)
    assert CountStore(r, keys).stats()["late"] == 1
    assert CountStore(r, keys).total("2023-05") == 1


# --- property: mixed valid and invalid batches --------------------------------------------------
_valid = st.builds(
    lambda i, c, k, d, n: (
        "ok",
        {
            "id": f"p:{i}",
            "community": c,
            "category": k,
            "occurred_at": d.isoformat(),
            "count": str(n),
            "source": "prop",
        },
    ),
    st.integers(0, 40),
    st.sampled_from(["BELTLINE", " beltline ", "FOREST  LAWN", "AMBLETON"]),
    st.sampled_from(
        ["Street Robbery", "street robbery", "Theft OF Vehicle", "Violence 'Other' (Non-domestic)"]
    ),
    st.dates(date(2022, 11, 1), date(2023, 2, 28)),
    st.integers(1, 5),
)
_invalid = st.sampled_from(
    [
        {"id": "x1", "community": "A", "category": "Arson", "occurred_at": "2023-01-01"},
        {
            "id": "x2",
            "community": "A",
            "category": "Street Robbery",
            "occurred_at": "2023-01-01",
            "count": "-1",
        },
        {"id": "x3", "community": "A", "category": "Street Robbery", "occurred_at": "yesterday"},
        {
            "id": "x4",
            "community": b"\xc3\x28",
            "category": "Street Robbery",
            "occurred_at": "2023-01-01",
        },
        {"community": "A", "category": "Street Robbery", "occurred_at": "2023-01-01"},
        {"id": "x6", "community": "A", "category": "Street Robbery", "occurred_at": "2099-01-01"},
        {
            "id": "x7",
            "community": "A" * 10_240,
            "category": "Street Robbery",
            "occurred_at": "2023-01-01",
        },
    ]
).map(lambda f: ("bad", f))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batch=st.lists(st.one_of(_valid, _invalid), min_size=1, max_size=60),
    batch_size=st.integers(1, 25),
)
def test_mixed_batches_count_exactly_the_valid_records(redis_url, batch, batch_size):
    """Counts after any mix of valid and invalid records equal those of the valid records alone
    (each id contributing its latest version)."""
    keys = Keys(f"cctest-prop-{uuid.uuid4().hex[:10]}")
    raw = connect(redis_url, decode_responses=False)
    try:
        ensure_group(raw, keys)
        latest: dict[str, Incident] = {}  # an id contributes its latest version
        for kind, fields in batch:
            raw.xadd(keys.stream, fields)
            if kind == "ok":
                inc = Incident.from_fields(fields)
                latest[inc.id] = inc
        expected: dict[tuple[str, str, str], int] = {}
        for inc in latest.values():
            key = (inc.month, inc.community, inc.category)
            expected[key] = expected.get(key, 0) + inc.count
        Consumer(raw, keys, batch_size=batch_size, block_ms=0).run(burst=True)
        store = CountStore(raw, keys)
        got = {(m, c, k): n for m in store.months() for (c, k), n in store.month_counts(m).items()}
        assert got == expected
        assert store.stats()["dead"] == sum(kind == "bad" for kind, _ in batch)
        assert raw.xpending(keys.stream, keys.consumer_group)["pending"] == 0
    finally:
        for key in raw.scan_iter(match=keys.all_pattern(), count=1000):
            raw.delete(key)
        raw.close()


def test_same_id_resent_changed_replaces_its_earlier_version(r, keys):
    """A re-sent id with a corrected day, category or count replaces its earlier contribution."""
    Producer(r, keys).send([_inc(1, day=date(2023, 5, 17), count=2)])
    _drain(r, keys)
    Producer(r, keys).send([_inc(1, day=date(2023, 6, 1), count=3, category="Theft OF Vehicle")])
    _drain(r, keys)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {}
    assert store.month_counts("2023-06") == {("BELTLINE", "Theft OF Vehicle"): 3}
    assert store.series_counts("BELTLINE", "Street Robbery") == {}
    assert store.day_counts(date(2023, 5, 1), date(2023, 6, 30)) == {
        ("BELTLINE", "Theft OF Vehicle"): 3
    }
    assert store.stats()["corrections"] == 1 and store.stats()["incidents"] == 3


def test_changed_and_unchanged_resends_in_one_batch(r, keys):
    """Within one batch, the last version of an id wins and unchanged repeats are duplicates."""
    Producer(r, keys).send([_inc(1, count=1), _inc(1, count=1), _inc(1, count=4), _inc(1, count=4)])
    _drain(r, keys, batch_size=10)
    store = CountStore(r, keys)
    assert store.month_counts("2023-05") == {("BELTLINE", "Street Robbery"): 4}
    assert store.stats()["duplicates"] == 2 and store.stats()["corrections"] == 1


def test_entry_with_thousands_of_fields_is_dead_lettered_trimmed(r, r_raw, keys):
    """A pathological entry (5,000 fields) is dead-lettered, trimmed and marked, not retried forever."""
    fields = {f"junk{i}": "x" for i in range(5000)}
    fields.update({"id": "big", "community": "A", "category": "Arson", "occurred_at": "2023-01-01"})
    _xadd_raw(r_raw, keys, fields)
    _drain(r, keys)
    [(_, dead)] = r_raw.xrange(keys.dead_letter)
    assert dead[b"truncated"] == b"1" and len(dead) < 100
    assert dead[b"f:id"] == b"big"
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0


def test_failing_on_batch_hook_does_not_stop_counting(r, keys):
    """An exception in the on_batch hook is logged; the consumer keeps counting."""
    Producer(r, keys).send([_inc(i) for i in range(30)])

    def boom(result):
        raise RuntimeError("hook broke")

    Consumer(r, keys, batch_size=10, block_ms=0).run(burst=True, on_batch=boom)
    assert CountStore(r, keys).total("2023-05") == 30


def test_replayed_dead_letters_count_once_the_set_is_fixed(r, r_raw, keys):
    """A record refused for an unknown category counts after the set gains it and it is replayed."""
    from stream.categories import CategorySet
    from stream.dead_letters import replay_dead_letters

    _xadd_raw(
        r_raw,
        keys,
        {"id": "a1", "community": "A", "category": "Arson", "occurred_at": "2023-05-01"},
    )
    _drain(r, keys)
    assert CountStore(r, keys).months() == []
    assert replay_dead_letters(r_raw, keys) == (1, 0)
    assert r.xlen(keys.dead_letter) == 0
    _drain(r, keys, categories=CategorySet(CategorySet.calgary().names + ("Arson",)))
    assert CountStore(r, keys).month_counts("2023-05") == {("A", "Arson"): 1}
