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

from core.censored import expected_count
from core.months import check_month
from core.negbin import NegBin
from online_model.budget import set_budget
from online_model.registry import Registry, RegistryError
from online_model.served import HORIZON, bring_up_to_date, build_served, health_figures
from stream.censored import CensoredCells
from stream.forecast_archive import ForecastArchive
from stream.forecast_cache import CachedForecast, ForecastCache
from stream.store import CountStore

from .model_lock import ModelLock
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


PROGRESS_EVERY_S = 1.0  # a job writes its progress at most this often
PROGRESS_TTL_S = 3600  # a job that died leaves its last progress this long at most


@contextlib.contextmanager
def _progress(rt: Runtime, job: str) -> Iterator[None]:
    """Write where this job is (``keys.model_progress``: ``crimecast status`` shows it) while it
    runs, at most every second; removed when the job ends."""
    from online_model.progress import reporting

    key, last = rt.keys.model_progress, [0.0]
    started = time.time()

    def listen(phase: str, done: int, total: int, left: float | None) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and done < total:
            return
        last[0] = now
        with contextlib.suppress(Exception):  # progress never fails a job
            rt.client.hset(
                key,
                mapping={
                    "job": job,
                    "phase": phase,
                    "done": done,
                    "total": total,
                    "left_s": "" if left is None else round(left, 1),
                    "started": round(started, 1),
                    "updated": round(time.time(), 1),
                },
            )
            rt.client.expire(key, PROGRESS_TTL_S)

    try:
        with reporting(listen):
            yield
    finally:
        with contextlib.suppress(Exception):
            rt.client.delete(key)


def _load(reg: Registry, settings: Settings | None = None):
    """The current served model, or None (with a warning if one exists but cannot be loaded)."""
    if reg.current(MODEL_NAME) is None:
        return None, None
    try:
        model, manifest = reg.load(MODEL_NAME)
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


def learnable_counts(store: CountStore, cells: CensoredCells, month: str, model) -> dict:
    """``month``'s counts for ``model`` to learn: a series-month with suppressed cells (``<5``)
    counts each as its expectation within 1..4 under the model's own forecast of that month
    (:func:`core.censored.expected_count`), never as the stored lower bound."""
    counts = store.month_counts(month)
    suppressed = cells.month(month)
    if not suppressed:
        return counts
    arr = model.forecast_arrays(1)  # made before ``month`` is learned
    at = {s: i for i, s in enumerate(arr.series)}
    out: dict = dict(counts)
    for s, n in suppressed.items():
        i = at.get(s)
        mean, disp = (arr.mean[i, 0], arr.dispersion[i, 0]) if i is not None else (0.0, 0.0)
        out[s] = float(expected_count(counts.get(s, n), n, mean, disp))
    return out


def learnable_panel(cells: CensoredCells, panel):
    """``panel`` with suppressed cells at their expectation within 1..4 under a Poisson at the
    series' mean month (no model exists yet to forecast them)."""
    months = [m for m in cells.months() if m in panel.columns]
    if not months:
        return panel
    panel = panel.astype(float)
    level = panel.mean(axis=1)
    for m in months:
        for s, n in cells.month(m).items():
            if s in panel.index:
                panel.loc[s, m] = float(expected_count(panel.loc[s, m], n, level[s]))
    return panel


def _train_new(store: CountStore, settings: Settings, through: str, cells: CensoredCells):
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


def refresh_cache(rt: Runtime, model, model_version: int, extra_meta: dict | None = None) -> int:
    """Forecast every series 1..H ahead and atomically replace the served forecasts."""
    arr = model.forecast_arrays(HORIZON)
    lo, hi = NegBin(arr.mean, arr.dispersion).interval(0.8)
    tag = f"{model.kind}@{model_version}"
    entries = [
        CachedForecast(
            community=c,
            category=k,
            months=list(arr.months),
            mean=[round(float(x), 4) for x in arr.mean[i]],
            dispersion=[round(float(x), 5) for x in arr.dispersion[i]],
            lo80=[int(x) for x in lo[i]],
            hi80=[int(x) for x in hi[i]],
            model=tag,
            data_through=model.last_month,
        )
        for i, (c, k) in enumerate(arr.series)
    ]
    meta = {
        "model": tag,
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
        model, _ = _load(reg, settings)
        deferred = False
        cells = CensoredCells(rt.client, rt.keys)
        if model is None:
            model, learned = _train_new(store, settings, closed[-1], cells)
        else:
            learned = [m for m in closed if model.last_month is None or m > model.last_month]
            with model.deferring():
                for m in learned:
                    model.learn_one(m, learnable_counts(store, cells, m, model))
            deferred = bool(learned)
        version, n = _publish(rt, reg, model, lock)
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


def _publish(rt: Runtime, reg: Registry, model, lock: ModelLock | None = None) -> tuple[int, int]:
    """Save the served model and serve its forecasts: ``(version, forecasts written)``; a job
    whose lock lapsed under it writes nothing (:class:`~workers.model_lock.LockLost`)."""
    if lock is not None:
        lock.check()
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
        model, _ = _load(reg, settings)
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
        version, n = _publish(rt, reg, model, lock)
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
        model, manifest = _load(reg, settings)
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
        saved = reg.save(MODEL_NAME, model, data_through=model.last_month, metrics=metrics)
        if lstm.challenger_ is not None:
            reg.save(
                CHALLENGER_NAME,
                _ChallengerView.of(lstm),
                data_through=model.last_month,
                metrics=record,
            )
        if record.get("promoted") or caught_up:
            refresh_cache(rt, model, saved.version)
        return {"status": "ok", "version": saved.version, **record}


def full_train() -> dict:
    """Train a new served model on every closed month and refresh the cache."""
    settings = Settings()
    started = time.perf_counter()
    with runtime(settings) as rt, _model_lock(rt) as lock:
        store = CountStore(rt.client, rt.keys)
        last = store.last_closed_month()
        if last is None:
            return {"status": "skipped", "reason": "no closed month yet"}
        with _progress(rt, "full train"):
            model, learned = _train_new(store, settings, last, CensoredCells(rt.client, rt.keys))
        reg = Registry(settings.models_path)
        version, n = _publish(rt, reg, model, lock)
        return {
            "status": "ok",
            "months": len(learned),
            "series": n,
            "version": version,
            "data_through": model.last_month,
            "seconds": round(time.perf_counter() - started, 2),
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
