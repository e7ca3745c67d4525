"""The model jobs on a real in-process rq worker (burst, ``models`` queue) against the real Redis."""

from __future__ import annotations

import json

import pytest
from workers.rq_worker import InProcessWorker

from online_model.registry import Registry
from stream.forecast_cache import ForecastCache
from stream.months import close_month
from stream.store import CountStore
from workers import model_jobs
from workers.runtime import runtime


def _slice(frame):
    comms = ("BELTLINE", "FOREST LAWN", "AMBLETON", "01B", "CRANSTON")
    month = frame["Year"] * 100 + frame["Month"]
    return frame[frame["Community"].isin(comms) & (month >= 202201) & (month <= 202312)]


def _run(rt, func, *args):
    job = rt.queue("models").enqueue(func, *args, job_timeout=600)
    InProcessWorker([rt.queue("models")], connection=rt.raw).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished", (
        job.latest_result().exc_string if job.latest_result() else job
    )
    return job.return_value()


@pytest.fixture
def loaded(r, keys, calgary_frame, tmp_path, tools, settings_env):
    tools.ingest_frame(r, keys, _slice(calgary_frame), tmp_path)
    store = CountStore(r, keys)
    for m in store.months():
        if m <= "2023-10":
            close_month(r, keys, m, "test")
    return store


def test_month_close_leaves_every_series_with_a_fresh_forecast(loaded, r, keys, settings_env):
    """After a month closes the job learns it and every series has a forecast resting on it."""
    with runtime(settings_env) as rt:
        out = _run(rt, model_jobs.on_month_closed, "2023-10")
        assert out["status"] == "ok" and out["data_through"] == "2023-10"
        cache = ForecastCache(r, keys)
        fc = cache.read_all()
        assert set(fc) == set(loaded.series())
        for f in fc.values():
            assert f.data_through == "2023-10"
            assert f.months == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04"]
            assert all(m >= 0 for m in f.mean)
            assert all(lo <= m_ <= hi or m_ < 1 for lo, m_, hi in zip(f.lo80, f.mean, f.hi80))
            assert f.model.startswith("ensemble@")
        meta = cache.meta()
        assert meta["data_through"] == "2023-10"
        health = json.loads(meta["health"])
        assert {"model", "ses", "snaive"} <= set(health["mae"])
        first_version = cache.version()

        close_month(r, keys, "2023-11", "test")
        out = _run(rt, model_jobs.on_month_closed, "2023-11")
        assert out["learned"] == ["2023-11"]
        # the close and its follow-up (which the same burst ran) each swapped the cache
        assert cache.version() == first_version + 2
        assert all(f.data_through == "2023-11" for f in cache.read_all().values())
        assert all(f.data_through == "2023-11" for f in cache.previous_all().values())
        assert Registry(settings_env.models_path).current(model_jobs.MODEL_NAME) == 3


def test_the_close_serves_at_once_and_queues_the_slower_learning_behind_it(
    loaded, r, keys, settings_env
):
    """The close job learns the month and refreshes every forecast without the LSTM's epoch and
    the GLM's refit; it queues a follow-up that does both, saves and refreshes again."""
    with runtime(settings_env) as rt:
        _run(rt, model_jobs.on_month_closed, "2023-10")
        cache = ForecastCache(r, keys)
        close_month(r, keys, "2023-11", "test")
        out = model_jobs.on_month_closed("2023-11")  # in this process: the follow-up stays queued
        assert cache.meta()["data_through"] == "2023-11"
        version = cache.version()
        reg = Registry(settings_env.models_path)
        model, _ = reg.load(model_jobs.MODEL_NAME)
        assert model.members["lstm"]._due, "the epoch on 2023-11 waits for the follow-up"
        assert model.members["online"].refitted_through_ == "2023-10"
        follow_up = rt.queue("models").fetch_job(out["follow_up"])
        assert follow_up is not None and follow_up.func_name == "workers.model_jobs.after_close"
        assert follow_up.timeout and follow_up.retries_left

        InProcessWorker([rt.queue("models")], connection=rt.raw).work(burst=True)
        follow_up.refresh()
        assert follow_up.get_status() == "finished"
        done = follow_up.return_value()
        assert done["status"] == "ok" and set(done["done"]) == {"online", "lstm"}
        assert cache.version() == version + 1 and cache.meta()["data_through"] == "2023-11"
        model, _ = reg.load(model_jobs.MODEL_NAME)
        assert not model.members["lstm"]._due
        assert model.members["online"].refitted_through_ == "2023-11"
        assert _run(rt, model_jobs.after_close)["status"] == "skipped", "nothing is learned twice"


def test_a_month_not_closed_is_skipped(loaded, settings_env):
    """The job refuses to learn a month that has not closed, and says why."""
    with runtime(settings_env) as rt:
        out = _run(rt, model_jobs.on_month_closed, "2023-11")
    assert out["status"] == "skipped" and "not a closed month" in out["reason"]


def test_fine_tune_skips_without_a_new_month_then_runs(loaded, r, keys, settings_env):
    """Fine-tune says why it skips when nothing closed since the last one; after a close it trains
    a challenger, keeps it in the registry and leaves the served forecasts alone until judged."""
    with runtime(settings_env) as rt:
        _run(rt, model_jobs.on_month_closed, "2023-10")
        skipped = _run(rt, model_jobs.fine_tune)
        assert skipped["status"] == "skipped" and "no month closed" in skipped["reason"]
        close_month(r, keys, "2023-11", "test")
        _run(rt, model_jobs.on_month_closed, "2023-11")
        before = ForecastCache(r, keys).version()
        out = _run(rt, model_jobs.fine_tune)
        assert out["status"] == "ok" and out["promoted"] is False and out["pending"] is True
        assert out["champion_deviance"] >= 0 and out["challenger_deviance"] >= 0
        reg = Registry(settings_env.models_path)
        assert reg.current(model_jobs.CHALLENGER_NAME) is not None
        assert ForecastCache(r, keys).version() == before


def test_a_fine_tune_first_does_a_follow_up_left_undone(loaded, r, keys, settings_env):
    """If the close's follow-up has not run (or failed for good), the fine-tune does its work first,
    serves the result once, and the follow-up then finds nothing left to learn."""
    with runtime(settings_env) as rt:
        _run(rt, model_jobs.on_month_closed, "2023-10")
        close_month(r, keys, "2023-11", "test")
        out = model_jobs.on_month_closed("2023-11")  # its follow-up stays queued
        version = ForecastCache(r, keys).version()
        tuned = model_jobs.fine_tune()
        assert tuned["status"] == "ok" and tuned["pending"] is True
        assert ForecastCache(r, keys).version() == version + 1
        model, _ = Registry(settings_env.models_path).load(model_jobs.MODEL_NAME)
        assert not model.members["lstm"]._due
        assert model.members["online"].refitted_through_ == "2023-11"
        InProcessWorker([rt.queue("models")], connection=rt.raw).work(burst=True)
        follow_up = rt.queue("models").fetch_job(out["follow_up"])
        assert follow_up.return_value()["status"] == "skipped"


def test_the_challenger_is_judged_on_the_next_month_to_close(loaded, r, keys, settings_env):
    """A challenger trained through 2023-11 is judged on 2023-12, which neither network had seen."""
    with runtime(settings_env) as rt:
        _run(rt, model_jobs.on_month_closed, "2023-10")
        close_month(r, keys, "2023-11", "test")
        _run(rt, model_jobs.on_month_closed, "2023-11")
        assert _run(rt, model_jobs.fine_tune)["pending"] is True
        close_month(r, keys, "2023-12", "test")
        out = _run(rt, model_jobs.on_month_closed, "2023-12")
    judged = out["lstm_challenger"]
    assert judged["judged_on"] == "2023-12" and isinstance(judged["promoted"], bool)
    assert judged["promoted"] == (judged["challenger_deviance"] < judged["champion_deviance"])
    model, _ = Registry(settings_env.models_path).load(model_jobs.MODEL_NAME)
    assert model.members["lstm"].challenger_ is None and model.last_month == "2023-12"


def test_full_train_rebuilds_from_every_closed_month(loaded, r, keys, settings_env):
    """A full train uses every closed month and refreshes the cache."""
    with runtime(settings_env) as rt:
        out = _run(rt, model_jobs.full_train)
    assert out["status"] == "ok" and out["data_through"] == "2023-10"
    assert out["months"] == len([m for m in loaded.closed_months() if m <= "2023-10"])
    assert ForecastCache(r, keys).meta()["data_through"] == "2023-10"


def test_forecast_command_prints_the_served_forecast(loaded, settings_env):
    """`crimecast forecast BELTLINE` shows each category, the coherent total and the caveat."""
    from typer.testing import CliRunner

    from bot.cli import app

    with runtime(settings_env) as rt:
        _run(rt, model_jobs.on_month_closed, "2023-10")
    runner = CliRunner()
    res = runner.invoke(app, ["forecast", "beltline", "--horizon", "2"])
    assert res.exit_code == 0, res.output
    assert "BELTLINE" in res.output and "2023-10" in res.output and "2023-12" in res.output
    assert "all categories" in res.output and "policing" in res.output
    one = runner.invoke(app, ["forecast", "BELTLINE", "street robbery"])
    assert (
        one.exit_code == 0 and "Street Robbery" in one.output and "all categories" not in one.output
    )
    bad = runner.invoke(app, ["forecast", "BELTLNE X"])
    assert bad.exit_code == 1 and "did you mean" in bad.output and "Traceback" not in bad.output


def test_backtest_command_writes_the_contract_file(calgary_slice, tmp_path, settings_env):
    """`crimecast backtest` writes PREDS.csv with the fixed columns; a bad range is a clear error."""
    import pandas as pd
    from typer.testing import CliRunner

    from bot.cli import app

    out = tmp_path / "PREDS.csv"
    args = [
        "backtest",
        "--data",
        str(calgary_slice),
        "--start",
        "2023-07",
        "--end",
        "2023-09",
        "--horizon",
        "1",
        "--out",
        str(out),
        "--no-lstm",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    preds = pd.read_csv(out)
    assert list(preds.columns) == [
        "community",
        "category",
        "month",
        "horizon",
        "model",
        "mean",
        "lo80",
        "hi80",
        "nll",
    ]
    assert set(preds["month"]) == {"2023-07", "2023-08", "2023-09"}
    assert set(preds["model"]) == {"online", "ensemble", "ses", "snaive"}
    bad = CliRunner().invoke(app, args[:6] + ["2025-09"] + args[7:])
    assert bad.exit_code == 1 and "data end" in bad.output and "Traceback" not in bad.output


def test_a_full_train_says_where_it_is_for_crimecast_status(loaded, r, keys, settings_env):
    """While a full train runs, its phase, share done and estimate of what is left are in Redis
    (the line `crimecast status` prints); the record is gone when the job ends."""
    from online_model.progress import reporting
    from workers.jobs import model_job_progress

    seen, lines = [], []

    def listen(phase, done, total, left):
        seen.append((phase, done, total))
        line = model_job_progress(r, keys)
        if line:
            lines.append(line)

    with reporting(listen):
        out = model_jobs.full_train()
    assert out["status"] == "ok"
    phases = {p for p, _, _ in seen}
    assert {"online GLM fit", "LSTM training"} <= phases
    for phase in phases:  # every phase reported its end
        assert any(p == phase and d == t for p, d, t in seen)
    assert any(line.startswith("full train: LSTM training") and "%" in line for line in lines)
    assert model_job_progress(r, keys) is None
