"""Consumer liveness against a real Redis: heartbeats, dead consumers' entries taken at once,
clean stops, and the group as an operator sees it."""

from __future__ import annotations

import threading
import time
from datetime import date

from stream.consumer import Consumer
from stream.dead_letters import read_dead_letters
from stream.liveness import DeadClaimer, consumers, group_status
from stream.producer import Producer
from stream.records import Incident
from stream.store import CountStore


def _inc(i, day=date(2023, 5, 17)):
    return Incident(f"t:{i}", "BELTLINE", "Street Robbery", day, 1, "test")


def _hold(r_raw, keys, name, n):
    """Consumer ``name`` reads ``n`` entries and never acknowledges them (it died holding them)."""
    r_raw.xreadgroup(keys.consumer_group, name, {keys.stream: ">"}, count=n)


def _names(r, keys):
    return {c.name for c in consumers(r, keys)}


def test_entries_of_a_consumer_without_heartbeat_are_taken_at_once(r, r_raw, keys):
    """A dead consumer's entries are counted at once, with the default 60 s claim idle time."""
    Producer(r, keys).send([_inc(i) for i in range(30)])
    _hold(r_raw, keys, "killed", 30)
    started = time.monotonic()
    Consumer(r, keys, block_ms=0).run(burst=True)
    assert time.monotonic() - started < 5
    assert CountStore(r, keys).total("2023-05") == 30
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0


def test_dead_consumer_is_removed_from_the_group_once_it_owns_nothing(r, r_raw, keys):
    """After its entries are taken, a dead consumer no longer appears in the group."""
    Producer(r, keys).send([_inc(i) for i in range(5)])
    _hold(r_raw, keys, "killed", 5)
    Consumer(r, keys, block_ms=0).run(burst=True)
    assert "killed" not in _names(r, keys)


def test_live_consumers_entries_are_left_alone_and_named_after_a_burst(r, r_raw, keys):
    """Entries at a consumer whose heartbeat lives are not taken; the burst names them."""
    Producer(r, keys).send([_inc(i) for i in range(10)])
    _hold(r_raw, keys, "busy", 4)
    r.set(keys.heartbeat("busy"), "{}", px=60_000)
    consumer = Consumer(r, keys, block_ms=0, heartbeat_ttl_ms=300)
    consumer.run(burst=True)
    assert CountStore(r, keys).total("2023-05") == 6
    assert consumer.left_pending == {"busy": 4}


def test_burst_waits_for_a_fresh_heartbeat_to_lapse_then_drains_exactly(r, r_raw, keys):
    """A consumer killed a moment ago still has a heartbeat: the burst waits it out and takes its
    entries, ending with nothing pending."""
    Producer(r, keys).send([_inc(i) for i in range(20)])
    _hold(r_raw, keys, "just-killed", 20)
    r.set(keys.heartbeat("just-killed"), "{}", px=1500)
    consumer = Consumer(r, keys, block_ms=0)
    consumer.run(burst=True)
    assert CountStore(r, keys).total("2023-05") == 20
    assert consumer.left_pending == {}
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0


def test_clean_stop_drops_the_heartbeat_and_leaves_the_group(r, keys):
    """A consumer that stops cleanly leaves no heartbeat, no group membership, nothing pending."""
    Producer(r, keys).send([_inc(i) for i in range(50)])
    stop = threading.Event()
    consumer = Consumer(r, keys, name="tidy", batch_size=10, block_ms=50)
    t = threading.Thread(target=consumer.run, kwargs={"stop": stop})
    t.start()
    deadline = time.time() + 10
    while CountStore(r, keys).total("2023-05") < 50 and time.time() < deadline:
        time.sleep(0.02)
    assert r.exists(keys.heartbeat("tidy"))
    stop.set()
    t.join(5)
    assert not r.exists(keys.heartbeat("tidy"))
    assert "tidy" not in _names(r, keys)
    assert r.xpending(keys.stream, keys.consumer_group)["pending"] == 0


def test_heartbeat_outlives_blocked_reads(r, keys):
    """While blocked on an empty stream, a consumer keeps its heartbeat (block time < TTL)."""
    stop = threading.Event()
    consumer = Consumer(r, keys, name="waiting", block_ms=200, heartbeat_ttl_ms=500)
    t = threading.Thread(target=consumer.run, kwargs={"stop": stop})
    t.start()
    try:
        seen = []
        for _ in range(15):  # 1.5 s, three TTLs
            time.sleep(0.1)
            seen.append(bool(r.exists(keys.heartbeat("waiting"))))
        assert all(seen[2:])
    finally:
        stop.set()
        t.join(5)


def test_consumer_restarted_under_its_name_counts_what_it_held(r, r_raw, keys):
    """Entries pending at a name are counted by the next consumer of that name (its history)."""
    Producer(r, keys).send([_inc(i) for i in range(12)])
    _hold(r_raw, keys, "w1", 12)
    consumer = Consumer(r, keys, name="w1", block_ms=0)
    assert consumer.process_once(block=False).applied == 12
    consumer.close()


def test_two_live_consumers_never_take_the_same_dead_entries(r, r_raw, keys):
    """Claims from one dead consumer by two live ones are disjoint and cover all its entries."""
    Producer(r, keys).send([_inc(i) for i in range(40)])
    _hold(r_raw, keys, "killed", 40)
    for live in ("a", "b"):
        r.set(keys.heartbeat(live), "{}", px=60_000)
    a = DeadClaimer(r_raw, keys, "a").claim(25)
    b = DeadClaimer(r_raw, keys, "b").claim(25)
    ids_a, ids_b = {e[0] for e in a}, {e[0] for e in b}
    assert len(ids_a) == 25 and len(ids_b) == 15 and not ids_a & ids_b
    assert "killed" not in _names(r, keys)


def test_entry_that_keeps_killing_consumers_is_dead_lettered(r, r_raw, keys):
    """Taking a dead consumer's entry counts as a delivery: max_deliveries still applies."""
    Producer(r, keys).send([_inc(1)])
    _hold(r_raw, keys, "victim", 1)
    entry_id = r_raw.xrange(keys.stream)[0][0]
    for _ in range(4):  # four more consumers took it and died
        r_raw.xclaim(keys.stream, keys.consumer_group, "victim", 0, [entry_id])
    Consumer(r, keys, block_ms=0, max_deliveries=5).run(burst=True)
    [dead] = read_dead_letters(r_raw, keys)
    assert "delivered 6 times" in dead.reason
    assert CountStore(r, keys).months() == []


def test_group_status_shows_alive_and_dead_consumers_with_a_warning(r, r_raw, keys):
    """Status names each consumer alive or dead with its pending count, the oldest unacknowledged
    entry's age, the dead letters, and warns about entries at a dead consumer."""
    Producer(r, keys).send([_inc(i) for i in range(10)])
    time.sleep(0.2)
    _hold(r_raw, keys, "dead-one", 3)
    _hold(r_raw, keys, "live-one", 2)
    r.set(keys.heartbeat("live-one"), '{"host": "h1", "pid": 42}', px=60_000)
    st = group_status(r, keys)
    by = {c.name: c for c in st.consumers}
    assert (by["dead-one"].alive, by["dead-one"].pending) == (False, 3)
    assert (by["live-one"].alive, by["live-one"].pending, by["live-one"].pid) == (True, 2, 42)
    assert st.pending == 5 and st.unread == 5 and st.pending_at_dead == 3
    assert st.oldest_unacked_age_s >= 0.2
    assert st.dead_letters == 0
    [warning] = st.warnings
    assert "3 entries wait at dead consumers: dead-one (3)" in warning


def test_group_status_of_a_drained_stream_has_no_warning(r, keys):
    """Once everything is counted nothing is unacknowledged and nothing is warned about."""
    Producer(r, keys).send([_inc(i) for i in range(10)])
    Consumer(r, keys, block_ms=0).run(burst=True)
    st = group_status(r, keys)
    assert st.consumers == [] and st.pending == 0 and st.oldest_unacked_age_s is None
    assert st.warnings == []


def test_closing_a_consumer_used_without_run_also_leaves_cleanly(r, keys):
    """process_once then close(): no heartbeat and no group membership remain."""
    Producer(r, keys).send([_inc(i) for i in range(3)])
    consumer = Consumer(r, keys, name="once", block_ms=0)
    consumer.process_once(block=False)
    assert r.exists(keys.heartbeat("once"))
    consumer.close()
    assert not r.exists(keys.heartbeat("once")) and "once" not in _names(r, keys)
