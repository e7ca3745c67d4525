"""Model jobs, run on the ``models`` queue by a non-forking rq worker.

- :func:`on_month_closed`: learn every closed month the served model has not learned yet (the
  first time: train on every closed month), forecast 1..6 months ahead for every series and swap
  the whole forecast cache; save the model to the registry. A waiting LSTM challenger is judged
  here, on the month that just closed. What is slower (the LSTM's epoch on the new month, the
  online GLM's refit on all history) is left to :func:`after_close`, queued right behind it, so
  that the forecasts rest on the new month within a second of the close.
- :func:`after_close`: that follow-up (``Ensemble.after_close``); refreshes the cache again. The
  backtest runs the same two steps back to back.
- :func:`fine_tune`: trains an LSTM challenger on the newest months (the newest included); it is
  judged against the champion on the next month to close, out of sample for both, so the served
  network is never kept from the newest months. Skips, saying why, when no month closed since the
  last fine-tune.
- :func:`full_train`: a fresh model trained on every closed month.

Each job takes only JSON-serialisable arguments, builds ``Settings()`` from the environment, opens
its own runtime and holds the model lock while it reads and writes the registry.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Iterator

from rq import Retry

from core.months import check_month
from core.negbin import NegBin
from online_model.budget import set_budget
from online_model.registry import Registry, RegistryError
from online_model.served import HORIZON, bring_up_to_date, build_served, health_figures
from stream.censored import CensoredCells
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.store import CountStore

from .learnable import learnable_counts, learnable_panel
from .model_lock import ModelLock
from .model_progress import progress as _progress
from .runtime import Runtime, runtime
from .settings import Settings

log = logging.getLogger(__name__)

MODEL_NAME = "served"
CHALLENGER_NAME = "lstm_challenger"
LOCK_TIMEOUT_S = 1800
FOLLOW_UP_TIMEOUT_S = 1800
FOLLOW_UP_RETRY = Retry(max=3, interval=[30, 120, 600])


@contextlib.contextmanager
def _model_lock(rt: Runtime) -> Iterator[ModelLock]:
    """The heartbeat model lock (:mod:`workers.model_lock`): a dead holder is replaced at once."""
    lock = ModelLock(rt.client, rt.keys.model_dir_lock, rt.settings.model_lock_ttl_s)
    with lock.held(LOCK_TIMEOUT_S):
        if lock.took_over:
            log.warning("took the model lock over from a dead holder: %s", lock.took_over)
        yield lock


def _load(reg: Registry, settings: Settings | None = None, rt: Runtime | None = None):
    """The current served model, or None (with a warning if one exists but cannot be loaded);
    while a partitioned run is in flight, the version it staged (the newest)."""
    if reg.current(MODEL_NAME) is None:
        return None, None
    if rt is not None and rt.client.zcard(rt.keys.model_runs_active):
        return _load_version(reg, reg.versions(MODEL_NAME)[-1], settings)
    return _load_version(reg, None, settings)


def _partitioned(rt: Runtime) -> bool:
    """Whether this city's model work runs as partitioned runs (:mod:`workers.partitioned`)."""
    from .partitioned import partitioned

    return partitioned(rt.settings, CountStore(rt.client, rt.keys))


def _load_version(reg: Registry, version: int | None, settings: Settings | None = None):
    """Version ``version`` (None: the current one) of the served model, brought up to date and
    given the settings' training budget; ``(None, None)`` with a warning if it cannot be loaded."""
    try:
        model, manifest = reg.load(MODEL_NAME, version)
        settings = settings or Settings()
        set_budget(model, settings.train_memory_mb, settings.train_sample_rows)
        return bring_up_to_date(model), manifest
    except RegistryError as exc:
        log.warning("%s; training a new model", exc)
        return None, None


def _served_through(reg: Registry) -> str | None:
    """The month the saved served model rests on (from its manifest), or None."""
    if reg.current(MODEL_NAME) is None:
        return None
    try:
        return reg.manifest(MODEL_NAME).data_through
    except RegistryError:
        return None


def _train_new(store: CountStore, settings: Settings, through: str, cells: CensoredCells, rt=None):
    if rt is not None:  # partitioned: the global pieces, on a sample of whole areas
        from .partitioned import train_global

        return train_global(rt, store, through)
    panel = store.panel(end=through)
    panel = learnable_panel(cells, panel.loc[:, [c for c in panel.columns if c <= through]])
    model = build_served(
        seed=settings.seed,
        memory_mb=settings.train_memory_mb,
        sample_rows=settings.train_sample_rows,
    )
    model.learn_many(panel)
    lstm = model.members.get("lstm")
    if lstm is not None and lstm._net is None and lstm.history_.shape[1] >= 3:
        lstm.full_train()
    return model, list(panel.columns)


def forecast_entries(arr, tag: str, data_through: str | None) -> list[CachedForecast]:
    """The cache entries of forecasts ``arr`` (means, dispersions, shortest 80% intervals)."""
    lo, hi = NegBin(arr.mean, arr.dispersion).interval(0.8)
    return [
        CachedForecast(
            community=c,
            category=k,
            months=list(arr.months),
            mean=[round(float(x), 4) for x in arr.mean[i]],
            dispersion=[round(float(x), 5) for x in arr.dispersion[i]],
            lo80=[int(x) for x in lo[i]],
            hi80=[int(x) for x in hi[i]],
            model=tag,
            data_through=data_through,
        )
        for i, (c, k) in enumerate(arr.series)
    ]


def serve(rt: Runtime, model, model_version: int, entries, extra_meta: dict | None = None) -> int:
    """Archive ``entries`` and atomically swap them in as the served forecasts of ``model``."""
    meta = {
        "model": f"{model.kind}@{model_version}",
        "model_kind": model.kind,
        "model_version": str(model_version),
        "data_through": model.last_month or "",
        "horizon": str(HORIZON),
        "series": str(len(entries)),
        "health": health_figures(model),
        "interval": "shortest 80% interval of a negative binomial",
    }
    meta.update(extra_meta or {})
    if model.last_month:
        ForecastArchive(rt.client, rt.keys).write(model.last_month, entries)
    return ForecastCache(rt.client, rt.keys).write(entries, meta)


def refresh_cache(rt: Runtime, model, model_version: int, extra_meta: dict | None = None) -> int:
    """Forecast every series 1..H ahead and atomically replace the served forecasts."""
    arr = model.forecast_arrays(HORIZON)
    entries = forecast_entries(arr, f"{model.kind}@{model_version}", model.last_month)
    return serve(rt, model, model_version, entries, extra_meta)


def on_month_closed(month: str) -> dict:
    """Learn every closed month not yet learned (``month`` and any closed after it: their own jobs
    then find nothing to do) and refresh every forecast."""
    check_month(month)
    settings = Settings()
    started = time.perf_counter()
    with runtime(settings) as rt, _model_lock(rt) as lock:
        store = CountStore(rt.client, rt.keys)
        closed = store.closed_months()
        if month not in closed:
            return {"status": "skipped", "reason": f"{month} is not a closed month"}
        reg = Registry(settings.models_path)
        served = _served_through(reg)
        # cheap check first (the manifest, not the model): a backlog of closes, e.g. a history
        # loaded at once, costs one training and then one skip per month
        if (
            served is not None
            and served >= closed[-1]
            and ForecastCache(rt.client, rt.keys).meta().get("data_through") == served
        ):
            return {
                "status": "skipped",
                "reason": f"{month} already learned",
                "data_through": served,
            }
        model, _ = _load(reg, settings, rt)
        deferred = False
        cells = CensoredCells(rt.client, rt.keys)
        parts = _partitioned(rt)
        if model is None:
            model, learned = _train_new(store, settings, closed[-1], cells, rt if parts else None)
        else:
            learned = [m for m in closed if model.last_month is None or m > model.last_month]
            if not learned and parts and rt.client.zcard(rt.keys.model_runs_active):
                return {"status": "skipped", "reason": f"{month} is being learned (a run)"}
            with model.deferring():
                if parts:
                    from .partitioned import learn_months

                    learn_months(rt, store, model, learned)
                for m in [] if parts else learned:
                    model.learn_one(m, learnable_counts(store, cells, m, model))
            deferred = bool(learned)
        version, n = _publish(rt, reg, model, lock, f"close {month}")
        took = time.perf_counter() - started
        log.info("learned %s; %d forecasts refreshed (v%d) in %.1fs", learned, n, version, took)
        out = {
            "status": "ok",
            "learned": learned,
            "series": n,
            "version": version,
            "data_through": model.last_month,
            "seconds": round(took, 2),
        }
        lstm = model.members.get("lstm")
        judged = [r for r in getattr(lstm, "fine_tunes_", []) if r.get("judged_on") in learned]
        if judged:
            out["lstm_challenger"] = judged[-1]
        if deferred:  # it waits for this job's lock, then takes the model as saved above
            out["follow_up"] = enqueue_after_close(rt, model.last_month).id
        return out


def _publish(
    rt: Runtime,
    reg: Registry,
    model,
    lock: ModelLock | None = None,
    what: str = "model",
    run: dict | None = None,
) -> tuple[int, int]:
    """Save the served model and serve its forecasts: ``(version, forecasts written)``; a job
    whose lock lapsed under it writes nothing (:class:`~workers.model_lock.LockLost`). A
    partitioned city stages the model and queues its partitions instead (``(version, series
    queued)``, the run's figures into ``run``): the set is served when they are all done."""
    if lock is not None:
        lock.check()
    if _partitioned(rt):
        from .partitioned import start_run

        started = start_run(rt, reg, model, what, lock)
        if run is not None:
            run.update(started)
        return started["version"], started["series"]
    saved = reg.save(
        MODEL_NAME, model, data_through=model.last_month, metrics=health_figures(model)
    )
    return saved.version, refresh_cache(rt, model, saved.version)


def enqueue_after_close(rt: Runtime, month: str):
    """Queue :func:`after_close` on the models queue (timeout and retry set)."""
    return rt.queue("models").enqueue_call(
        "workers.model_jobs.after_close",
        timeout=FOLLOW_UP_TIMEOUT_S,
        retry=FOLLOW_UP_RETRY,
        description=f"model follow-up after {month} (LSTM epoch, GLM refit)",
        failure_ttl=30 * 24 * 3600,
    )


def after_close() -> dict:
    """The close's follow-up: the members' slower learning of the months just closed (the LSTM's
    epoch, the GLM's refit); saves the model and refreshes the cache if anything was done."""
    settings = Settings()
    started = time.perf_counter()
    with runtime(settings) as rt, _model_lock(rt) as lock:
        reg = Registry(settings.models_path)
        model, _ = _load(reg, settings, rt)
        if model is None:
            return {"status": "skipped", "reason": "no trained model yet"}
        with _progress(rt, "month-close follow-up"):
            done = model.after_close()
        if not done:
            return {
                "status": "skipped",
                "reason": "nothing left to learn",
                "data_through": model.last_month,
            }
        version, n = _publish(rt, reg, model, lock, f"follow-up {model.last_month}")
        took = time.perf_counter() - started
        log.info(
            "follow-up through %s: %s; %d forecasts refreshed (v%d) in %.1fs",
            model.last_month,
            sorted(done),
            n,
            version,
            took,
        )
        return {
            "status": "ok",
            "done": done,
            "series": n,
            "version": version,
            "data_through": model.last_month,
            "seconds": round(took, 2),
        }


def fine_tune() -> dict:
    """Fine-tune the LSTM (champion/challenger); refresh the cache if the challenger wins."""
    settings = Settings()
    with runtime(settings) as rt, _model_lock(rt) as lock:
        reg = Registry(settings.models_path)
        model, manifest = _load(reg, settings, rt)
        if model is None:
            return {"status": "skipped", "reason": "no trained model yet (run `crimecast train`)"}
        lstm = model.members.get("lstm")
        if lstm is None:
            return {"status": "skipped", "reason": "the served model has no LSTM"}
        # a follow-up that failed for good must not leave the LSTM a month behind its challenger
        caught_up = model.after_close()
        done = getattr(lstm, "fine_tuned_through_", None)
        try:
            if done is not None and done >= (model.last_month or ""):
                raise ValueError(f"no month closed since the last fine-tune ({done})")
            record = lstm.fine_tune()
        except ValueError as exc:  # nothing new, or too little history to train at all
            if caught_up:
                _publish(rt, reg, model, lock)
            return {"status": "skipped", "reason": str(exc)}
        metrics = {**health_figures(model), "fine_tune": record}
        lock.check()
        parts = _partitioned(rt)  # if so, the set is served when the run's partitions are done
        saved = (
            None
            if parts
            else reg.save(MODEL_NAME, model, data_through=model.last_month, metrics=metrics)
        )
        if lstm.challenger_ is not None:
            reg.save(
                CHALLENGER_NAME,
                _ChallengerView.of(lstm),
                data_through=model.last_month,
                metrics=record,
            )
        if parts:
            version, _ = _publish(rt, reg, model, lock, "fine-tune")
        elif record.get("promoted") or caught_up:
            refresh_cache(rt, model, saved.version)
        return {"status": "ok", "version": version if parts else saved.version, **record}


def full_train() -> dict:
    """Train a new served model on every closed month and refresh the cache."""
    settings = Settings()
    started = time.perf_counter()
    with runtime(settings) as rt, _model_lock(rt) as lock:
        store = CountStore(rt.client, rt.keys)
        last = store.last_closed_month()
        if last is None:
            return {"status": "skipped", "reason": "no closed month yet"}
        parts = rt if _partitioned(rt) else None
        with _progress(rt, "full train (global pieces)" if parts else "full train"):
            model, learned = _train_new(
                store, settings, last, CensoredCells(rt.client, rt.keys), parts
            )
        reg = Registry(settings.models_path)
        run: dict = {}
        version, n = _publish(rt, reg, model, lock, "full train", run)
        return {
            "status": "ok",
            "months": len(learned),
            "series": n,
            "version": version,
            "data_through": model.last_month,
            "seconds": round(time.perf_counter() - started, 2),
            **({"run": run} if run else {}),
        }


class _ChallengerView:
    """The LSTM with its challenger as the champion (saved so that both networks are kept)."""

    @staticmethod
    def of(lstm):
        import copy

        view = copy.copy(lstm)
        view._net, view.challenger_ = lstm.challenger_, lstm._net
        view._cache = {}
        return view
