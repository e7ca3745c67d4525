"""A starting process checks its prefix's city even while Redis restarts (the chaos runs start
replacement workers beside a restart: they must come up, not die with a traceback)."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import typer

from stream.keys import Keys
from workers.cli import base
from workers.city import recorded_city
from workers.settings import Settings


def _chaos():
    path = Path(__file__).with_name("chaos.py")
    spec = importlib.util.spec_from_file_location("crimecast_chaos", path)
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_city_claim_waits_for_a_redis_that_is_starting(tmp_path):
    """Redis down when the process starts, up 0.6 s later: the claim waits and records the city."""
    server = _chaos().Server(tmp_path / "redis")
    client = redis.Redis(port=server.port, socket_timeout=2)
    keys = Keys("claim-wait")
    rt = SimpleNamespace(client=client, keys=keys, settings=Settings())
    starter = threading.Timer(0.6, server.start)
    starter.start()
    try:
        t0 = time.monotonic()
        base.claim_city_or_exit(rt)
        assert time.monotonic() - t0 >= 0.5
        assert recorded_city(client, keys)
    finally:
        starter.join()
        server.kill()


def test_city_claim_gives_up_with_one_line_when_redis_never_comes(tmp_path, monkeypatch):
    """No Redis at all: after its patience the claim stops with a one-line error, no traceback."""
    monkeypatch.setattr(base, "CLAIM_PATIENCE_S", 0.3)
    port = _chaos().free_port()
    rt = SimpleNamespace(
        client=redis.Redis(port=port, socket_timeout=1),
        keys=Keys("claim-none"),
        settings=Settings(),
    )
    with pytest.raises(typer.Exit) as exit_info:
        base.claim_city_or_exit(rt)
    assert exit_info.value.exit_code == 1
