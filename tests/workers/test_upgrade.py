"""Upgrades keep state: pinned runtime versions, a refused model retrained by the next job, and
backup -> wipe -> restore giving back the same counts, forecasts and answers."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement
from workers.rq_worker import InProcessWorker

from online_model.registry import Registry
from redis_prefix import delete_prefix, delete_rq_jobs  # tests/ is on sys.path
from stream.connection import connect
from stream.forecast_cache import ForecastCache
from stream.keys import Keys
from stream.months import close_month
from stream.store import CountStore
from workers.jobs import collect_health
from workers.runtime import runtime
from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_runtime_dependency_at_the_tested_version():
    """constraints.txt pins each runtime dependency; the model-format libraries at the versions
    these tests run (a rebuilt image then loads the saved models)."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[_norm(name)] = pinned
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    missing = [d for d in deps if _norm(Requirement(d).name) not in pins]
    assert not missing, f"not pinned in constraints.txt: {missing}"
    for lib in ("numpy", "pandas", "river", "torch", "scipy"):
        assert pins[lib] == version(lib).split("+")[0], lib
    assert "-c constraints.txt" in (ROOT / "Dockerfile").read_text()


def _work(rt, kind: str) -> None:
    InProcessWorker([rt.queue(kind)], connection=rt.raw).work(burst=True)


@pytest.fixture(scope="module")
def trained(redis_url, calgary_frame, tmp_path_factory, tools):
    """A slice of the real data counted, months through 2023-10 closed, the served model trained
    by the model job from the queue: once for the module (the training is what costs). The tests
    below run on it in turn: the refused model's retrain, then backup, wipe and restore of what
    the deployment then holds."""
    keys = Keys(f"cctest-upg-{uuid.uuid4().hex[:10]}")
    state = tmp_path_factory.mktemp("upgrade")
    env = pytest.MonkeyPatch()
    env.setenv("REDIS_URL", redis_url)
    env.setenv("CRIMECAST_KEY_PREFIX", keys.prefix)
    env.setenv("CRIMECAST_STATE_DIR", str(state / "state"))
    settings = Settings()
    client = connect(redis_url)
    month = calgary_frame["Year"] * 100 + calgary_frame["Month"]
    frame = calgary_frame[
        calgary_frame["Community"].isin(("BELTLINE", "FOREST LAWN", "CRANSTON"))
        & (month >= 202201)
        & (month <= 202311)
    ]
    try:
        tools.ingest_frame(client, keys, frame, state)
        for m in CountStore(client, keys).months():
            if m <= "2023-10":
                close_month(client, keys, m, "test")
        with runtime(settings) as rt:
            rt.queue("models").enqueue("workers.model_jobs.full_train", job_timeout=900)
            _work(rt, "models")
            assert Registry(settings.models_path).current("served") is not None
            yield SimpleNamespace(rt=rt, r=client, keys=keys, settings=settings)
    finally:
        client.close()
        delete_rq_jobs(redis_url, keys.prefix)
        delete_prefix(redis_url, keys.prefix)
        env.undo()


@pytest.mark.slow
def test_refused_model_is_retrained_by_the_next_health_job(trained):
    """A model saved under another river version is refused; status says so; the next health job
    queues a full retrain; after it the new model loads and status says what happened."""
    rt, settings = trained.rt, trained.settings
    reg = Registry(settings.models_path)
    old = reg.current("served")
    path = reg.root / "served" / f"v{old:04d}" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["libraries"]["river"] = "0.1.0"  # as if the image had been rebuilt with a newer river
    path.write_text(json.dumps(manifest))

    status = collect_health(rt)  # `crimecast status`: reports, queues nothing
    assert status["model_loads"] is False and "saved with river 0.1.0" in status["model_refused"]
    assert any(
        "the served model no longer loads" in p and "next health check" in p
        for p in status["problems"]
    )
    assert rt.queue("models").count == 0

    rt.queue("default").enqueue("workers.jobs.health_check")
    _work(rt, "default")  # the scheduled health job
    assert rt.queue("models").count == 1
    again = collect_health(rt)
    assert again["model_retrain_status"] == "queued"
    rt.queue("default").enqueue("workers.jobs.health_check")
    _work(rt, "default")
    assert rt.queue("models").count == 1  # queued once, not once per health check

    _work(rt, "models")  # the retrain
    done = collect_health(rt)
    assert done["model_loads"] is True and done["model_version"] == old + 1
    assert (
        f"v{old + 1} was retrained automatically after v{old} was refused"
        in done["model_retrained"]
    )
    assert not [p for p in done["problems"] if "model" in p]
    model, _ = Registry(settings.models_path).load("served")
    assert model.last_month == "2023-10"


@pytest.mark.slow
def test_backup_wipe_restore_gives_back_counts_forecasts_and_answers(trained, tmp_path):
    """`crimecast backup`, wipe both volumes' state, `crimecast restore`: the same counts,
    forecasts, model and answers."""
    from typer.testing import CliRunner

    from bot.cli import app

    r, keys, settings = trained.r, trained.keys, trained.settings
    runner = CliRunner()
    store = CountStore(r, keys)
    panel = store.panel()
    forecasts = ForecastCache(r, keys).read_all()
    questions = (
        "forecast Beltline next month",
        "how many car thefts in Forest Lawn in 2023",
        "top 3 communities for break-ins next month",
    )

    def answers_now() -> list[str]:
        return [runner.invoke(app, ["ask", q, "--json"]).output for q in questions]

    answers = answers_now()
    assert all('"ok": true' in a for a in answers), answers
    version_before = Registry(settings.models_path).current("served")

    out = tmp_path / "backup.tar.gz"
    result = runner.invoke(app, ["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert "and its model registry" in result.output

    for key in list(r.scan_iter(match=keys.all_pattern())):  # wipe both
        r.delete(key)
    shutil.rmtree(settings.models_path)
    assert store.months() == [] and ForecastCache(r, keys).read_all() == {}

    result = runner.invoke(app, ["restore", str(out)])
    assert result.exit_code == 0, result.output
    assert store.panel().equals(panel)
    assert ForecastCache(r, keys).read_all() == forecasts
    assert store.stats()["incidents"] == int(panel.to_numpy().sum())
    assert Registry(settings.models_path).current("served") == version_before
    Registry(settings.models_path).load("served")
    assert answers_now() == answers

    again = runner.invoke(app, ["restore", str(out)])  # now the prefix holds keys: refused
    assert again.exit_code == 1 and "use --force" in again.output
    assert runner.invoke(app, ["restore", str(out), "--force"]).exit_code == 0
    assert store.panel().equals(panel)
