"""Partitioned training and serving over rq: a big city's train and month close as bounded jobs
that any number of models workers, on any number of machines, share.

A run has three steps (docs/operations.md):

1. **global** (one job, under the model lock): the served ensemble's global pieces (the GLM's
   weights and area effects, the LSTM, the ensemble's weights and calibration, the dispersion
   tables) are fitted, or step on the months just closed, on a bounded sample of whole areas
   (:func:`online_model.partition.sample_series`; every series when the city is under
   ``CRIMECAST_SAMPLE_SERIES``), with the whole city's totals per category
   (:mod:`online_model.totals`). The model is saved to the registry as a new version that is
   *not* current, the run recorded in Redis (``keys.model_run(run)``: its staged version, its
   series by partition) and one job per partition queued (timeout, ``Retry``).
2. **partition** (N jobs, any worker): load the staged version, read the partition's series,
   carry the model over to them (:func:`online_model.rebase.rebase`: nothing is learned) and stage
   their forecasts under the run (``keys.model_run_staged(run)``). A job holds a heartbeat claim
   on its partition (:class:`~workers.model_lock.ModelLock`), so a worker killed mid-job is seen at
   once and the job retried (:mod:`workers.partition_watch`); writing the same forecasts twice is
   harmless.
3. **swap**: the job that stages the last partition makes the run's version current and swaps the
   whole set into the forecast cache in one transaction, unless a newer run has been served
   already. Readers see the old set or the new one, never a mix; a run whose partition failed for
   good is never served.

Partitions and the sample depend on the areas' names alone (stable hashes) and a partition's
forecasts on its own series and the global pieces: the same data and settings give the same
forecasts on one worker or on many.
"""

from __future__ import annotations

import json
import logging
import time

from rq import Retry

from online_model.partition import assign, auto_partitions, sample_series
from online_model.registry import Registry
from online_model.served import HORIZON, build_served
from online_model.totals import category_totals, give_totals, totals_of
from stream.censored import CensoredCells
from stream.forecast_cache import CachedForecast
from stream.keys import series_field
from stream.store import CountStore

from .model_lock import ModelLock
from .runtime import Runtime, runtime
from .settings import Settings

log = logging.getLogger(__name__)

RUN_TTL_S = 7 * 24 * 3600  # a finished run's record is kept this long (status, post-mortems)
SWAP_WAIT_S = 300  # a swap waits this long for another run's swap


def partition_count(settings: Settings, n_series: int) -> int:
    """The partitions a panel of ``n_series`` is split into (1: the single-job path)."""
    if settings.partitions:
        return settings.partitions
    return auto_partitions(n_series, settings.partition_series)


def partitioned(settings: Settings, store: CountStore) -> bool:
    """Whether model work on this city runs as a partitioned run (by region, if so set, or by a
    hash of the area into :func:`partition_count` partitions)."""
    return partition_count(settings, len(store.series())) > 1


def _regions(rt: Runtime) -> dict[str, str] | None:
    if rt.settings.partition_by != "region":
        return None
    from .report.build import region_map

    regions = region_map(rt.client, rt.keys)[0]
    if not regions:
        log.warning("CRIMECAST_PARTITION_BY=region but no reference data names regions: by area")
    return regions or None


# --- step 1: the global pieces ------------------------------------------------------------------
def train_global(rt: Runtime, store: CountStore, through: str):
    """A new served model fitted on the sample of whole areas, with the city's totals."""
    from .learnable import learnable_panel

    settings = rt.settings
    raw = store.panel(end=through)
    raw = raw.loc[:, [c for c in raw.columns if c <= through]]
    keep = sample_series(list(raw.index), settings.sample_series, settings.seed)
    panel = learnable_panel(CensoredCells(rt.client, rt.keys), raw.loc[keep])
    model = build_served(
        seed=settings.seed,
        memory_mb=settings.train_memory_mb,
        sample_rows=settings.train_sample_rows,
    )
    give_totals(model, category_totals(raw))
    model.learn_many(panel)
    lstm = model.members.get("lstm")
    if lstm is not None and lstm._net is None and lstm.history_.shape[1] >= 3:
        lstm.full_train()
    return model, list(panel.columns)


def learn_months(rt: Runtime, store: CountStore, model, months: list[str]) -> None:
    """The global model steps on ``months`` (its own areas' counts; the city's totals grow)."""
    from .learnable import learnable_counts

    cells = CensoredCells(rt.client, rt.keys)
    areas = set(model.communities_)
    totals = totals_of(model)
    for m in months:
        counts = store.month_counts(m)
        if totals is not None:
            col = {}
            for (_, cat), n in counts.items():
                col[cat] = col.get(cat, 0.0) + float(n)
            totals = totals.reindex(index=sorted(set(totals.index) | set(col)), fill_value=0.0)
            totals[m] = [col.get(c, 0.0) for c in totals.index]
            give_totals(model, totals)
        own = learnable_counts(store, cells, m, model)
        model.learn_one(m, {s: v for s, v in own.items() if s[0] in areas})


def newest_global(reg: Registry):
    """The newest saved served model (current or staged by a run in flight), or None."""
    from .model_jobs import MODEL_NAME, _load_version

    versions = reg.versions(MODEL_NAME)
    return _load_version(reg, versions[-1]) if versions else (None, None)


def start_run(rt: Runtime, reg: Registry, model, kind: str, lock: ModelLock) -> dict:
    """Stage ``model`` (its global pieces fitted) and queue one job per partition."""
    from .model_jobs import MODEL_NAME
    from online_model.served import health_figures

    lock.check()
    saved = reg.save(
        MODEL_NAME,
        model,
        data_through=model.last_month,
        metrics=health_figures(model),
        make_current=False,
    )
    c, k, settings = rt.client, rt.keys, rt.settings
    series = CountStore(c, k).series()
    n = partition_count(settings, len(series))
    parts = [p for p in assign(series, n, _regions(rt)) if p]
    run = int(c.incr(k.model_run_seq))
    pipe = c.pipeline(transaction=True)
    pipe.hset(
        k.model_run(run),
        mapping={
            "kind": kind,
            "version": saved.version,
            "data_through": model.last_month or "",
            "partitions": len(parts),
            "series": sum(len(p) for p in parts),
            "sample": model.n_series,
            "status": "running",
            "started": round(time.time(), 3),
        },
    )
    pipe.hset(k.model_run_parts(run), mapping={str(i): json.dumps(p) for i, p in enumerate(parts)})
    pipe.zadd(k.model_runs_active, {str(run): run})
    pipe.execute()
    queue = rt.queue("models")
    for i in range(len(parts)):
        job = queue.enqueue_call(
            "workers.partitioned.partition_job",
            args=(run, i),
            timeout=settings.partition_timeout_s,
            retry=Retry(max=settings.partition_retries) if settings.partition_retries else None,
            description=f"model run {run} ({kind}): partition {i + 1} of {len(parts)}",
            failure_ttl=RUN_TTL_S,
        )
        c.hset(k.model_run(run), f"job:{i}", job.id)
    log.info("run %d (%s): v%d staged, %d partitions queued", run, kind, saved.version, len(parts))
    return {
        "run": run,
        "version": saved.version,
        "partitions": len(parts),
        "series": sum(len(p) for p in parts),
    }


# --- step 2: one partition ----------------------------------------------------------------------
def read_panel(client, keys, series: list[tuple[str, str]], months: list[str]):
    """The counts of ``series`` over ``months`` (a series' hash each: what a partition costs)."""
    import pandas as pd

    pipe = client.pipeline(transaction=False)
    for c, k in series:
        pipe.hgetall(keys.series_counts(c, k))
    rows = []
    for raw in pipe.execute():
        got = {(m.decode() if isinstance(m, bytes) else m): int(v) for m, v in raw.items()}
        rows.append([got.get(m, 0) for m in months])
    index = pd.MultiIndex.from_tuples(series, names=["community", "category"])
    return pd.DataFrame(rows, index=index, columns=pd.Index(months, name="month"), dtype="int64")


def run_info(client, keys, run: int) -> dict[str, str]:
    raw = client.hgetall(keys.model_run(run))
    return {
        (a.decode() if isinstance(a, bytes) else a): (b.decode() if isinstance(b, bytes) else b)
        for a, b in raw.items()
    }


def partition_job(run: int, part: int) -> dict:
    """Forecast partition ``part`` of run ``run`` and stage the forecasts; the job that stages
    the last partition swaps the run's set in."""
    from online_model.rebase import rebase

    from .learnable import learnable_panel
    from .model_jobs import MODEL_NAME, forecast_entries

    settings = Settings()
    started = time.perf_counter()
    with runtime(settings) as rt:
        c, k = rt.client, rt.keys
        info = run_info(c, k, run)
        skip = _why_skip(c, k, run, part, info)
        if skip:
            return {"status": "skipped", "reason": skip, "run": run, "partition": part}
        claim = ModelLock(c, k.model_run_claim(run, part), settings.model_lock_ttl_s)
        if not claim.acquire(0):
            return {"status": "skipped", "reason": "another worker holds it", "run": run}
        try:
            c.hincrby(k.model_run(run), f"attempts:{part}", 1)
            version = int(info["version"])
            model, _ = Registry(settings.models_path).load(MODEL_NAME, version)
            series = [tuple(s) for s in json.loads(c.hget(k.model_run_parts(run), str(part)))]
            panel = read_panel(c, k, series, list(model.months_))
            panel = learnable_panel(CensoredCells(c, k), panel)
            arr = rebase(model, panel).forecast_arrays(HORIZON)
            entries = forecast_entries(arr, f"{model.kind}@{version}", model.last_month)
            claim.check()  # a claim taken over while this job stalled: the other one writes
            pipe = c.pipeline(transaction=True)
            pipe.hset(
                k.model_run_staged(run),
                mapping={series_field(e.community, e.category): e.to_json() for e in entries},
            )
            pipe.sadd(k.model_run_done(run), str(part))
            pipe.execute()
        finally:
            claim.release()
        took = round(time.perf_counter() - started, 2)
        c.hset(k.model_run(run), f"seconds:{part}", took)
        out = {
            "status": "ok",
            "run": run,
            "partition": part,
            "series": len(entries),
            "seconds": took,
        }
        if c.scard(k.model_run_done(run)) >= int(info["partitions"]):
            out["swap"] = swap(rt, run)
        from .partition_watch import watch

        watch(rt)  # a partition whose worker died is retried now, not at the next maintenance
        return out


def _why_skip(c, k, run: int, part: int, info: dict) -> str | None:
    if not info:
        return f"run {run} is unknown (expired?)"
    if info.get("status") != "running":
        return f"run {run} is {info.get('status')}"
    if c.sismember(k.model_run_done(run), str(part)):
        return f"partition {part} of run {run} is done"
    if run < int(c.get(k.model_run_served) or 0):
        end_run(c, k, run, "superseded")
        return f"a newer run than {run} is served"
    return None


# --- step 3: the swap ---------------------------------------------------------------------------
def swap(rt: Runtime, run: int) -> str:
    """Serve run ``run``'s set if every partition is staged and no newer run is served."""
    from .model_jobs import MODEL_NAME, _load_version, serve

    c, k, settings = rt.client, rt.keys, rt.settings
    with ModelLock(c, k.model_run_swap, settings.model_lock_ttl_s).held(SWAP_WAIT_S):
        info = run_info(c, k, run)
        if info.get("status") != "running":
            return info.get("status", "unknown")
        if c.scard(k.model_run_done(run)) < int(info["partitions"]):
            return "waiting"
        if run < int(c.get(k.model_run_served) or 0):
            end_run(c, k, run, "superseded")
            return "superseded"
        raw = c.hgetall(k.model_run_staged(run))
        entries = [CachedForecast.from_json(v) for v in raw.values()]
        if len(entries) != int(info["series"]):
            end_run(c, k, run, "failed", f"{len(entries)} forecasts staged of {info['series']}")
            return "failed"
        reg = Registry(settings.models_path)
        version = int(info["version"])
        model, _ = _load_version(reg, version)
        reg.set_current(MODEL_NAME, version)
        serve(rt, model, version, entries, {"run": str(run), "partitions": info["partitions"]})
        c.set(k.model_run_served, run)
        end_run(c, k, run, "served")
        log.info("run %d served: v%d, %d forecasts", run, version, len(entries))
        return "served"


def end_run(c, k, run: int, status: str, reason: str = "") -> None:
    """Mark a run ended (``served``, ``superseded``, ``failed``); its staged set is dropped."""
    pipe = c.pipeline(transaction=True)
    pipe.hset(k.model_run(run), mapping={"status": status, "finished": round(time.time(), 3)})
    if reason:
        pipe.hset(k.model_run(run), "reason", reason)
    pipe.zrem(k.model_runs_active, str(run))
    pipe.delete(k.model_run_staged(run))
    for key in (k.model_run(run), k.model_run_parts(run), k.model_run_done(run)):
        pipe.expire(key, RUN_TTL_S)
    pipe.execute()
