"""Commands: ``crimecast train``, ``crimecast forecast`` and ``crimecast backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from core.caveats import CAVEAT

from .base import console, err_console, fail, load_settings, model_progress, setup_logging

app = typer.Typer()  # this module's commands; bot/cli.py composes them into `crimecast`


@app.command("train")
def train_cmd(
    queue: bool = typer.Option(
        False, "--queue", help="Enqueue on the models queue instead of training in this process."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Train every model from scratch on the closed months in Redis and refresh the forecasts."""
    setup_logging(verbose)
    settings = load_settings()
    if queue:
        from ..runtime import runtime

        try:
            with runtime(settings) as rt:
                job = rt.queue("models").enqueue("workers.model_jobs.full_train", job_timeout=3600)
        except Exception as exc:
            raise fail(f"cannot use Redis: {exc}") from exc
        console.print(f"full train queued (job {job.id}) on {rt.queue('models').name}")
        return
    from .. import model_jobs

    try:
        with model_progress():
            out = model_jobs.full_train()
    except Exception as exc:  # Redis down, disk full: say so plainly
        raise fail(f"training failed: {exc}") from exc
    if out.get("status") != "ok":
        raise fail(out.get("reason", "nothing to train on"))
    if "run" in out:  # a partitioned run: the models workers forecast the partitions
        run = out["run"]
        console.print(
            f"global pieces trained on {out['months']} months through {out['data_through']} "
            f"({out['seconds']}s), model version {out['version']} staged; run {run['run']}: "
            f"{run['partitions']} partitions of {out['series']:,} series queued, served when "
            "`crimecast rq-worker --queue models` workers have done them (`crimecast status`)"
        )
        return
    console.print(
        f"trained on {out['months']} months through {out['data_through']}: "
        f"{out['series']:,} series forecast, model version {out['version']} "
        f"({out['seconds']}s)"
    )


def _resolve(names: list[str], raw: str, what: str) -> str:
    from rapidfuzz import process

    key = " ".join(raw.split()).casefold()
    exact = [n for n in names if " ".join(n.split()).casefold() == key]
    if exact:
        return exact[0]
    best = process.extract(raw, names, limit=3)
    if best and best[0][1] >= 90 and (len(best) == 1 or best[1][1] < best[0][1]):
        return best[0][0]
    hint = ", ".join(b[0] for b in best) if best else "none"
    raise fail(f"unknown {what} {raw!r}; did you mean: {hint}?")


@app.command("forecast")
def forecast_cmd(
    community: str = typer.Argument(..., help="Area, as the data spell it."),
    category: Optional[str] = typer.Argument(
        None, help="Crime category; all categories if omitted."
    ),
    horizon: int = typer.Option(1, "--horizon", "-h", min=1, max=6, help="Months ahead (1-6)."),
) -> None:
    """Print the served forecast of one community (one category, or every category and the total)."""
    import pandas as pd

    from online_model.aggregate import aggregate
    from stream.forecast_cache import ForecastCache

    from ..runtime import runtime

    settings = load_settings()
    try:
        with runtime(settings) as rt:
            cache = ForecastCache(rt.client, rt.keys)
            forecasts = cache.read_all()
            meta = cache.meta()
    except Exception as exc:
        raise fail(f"cannot use Redis: {exc}") from exc
    if not forecasts:
        raise fail("no forecasts yet: ingest data and run `crimecast train`")
    comm = _resolve(sorted({c for c, _ in forecasts}), community, "community")
    cats = sorted(k for c, k in forecasts if c == comm)
    if category is not None:
        cats = [_resolve(cats, category, "category")]
    rows = []
    for cat in cats:
        f = forecasts[(comm, cat)]
        for h in range(min(horizon, len(f.months))):
            rows.append(
                {
                    "community": comm,
                    "category": cat,
                    "h": h + 1,
                    "month": f.months[h],
                    "mean": f.mean[h],
                    "dispersion": f.dispersion[h],
                    "lo80": f.lo80[h],
                    "hi80": f.hi80[h],
                }
            )
    frame = pd.DataFrame(rows)
    through = meta.get("data_through", "?")
    table = Table(title=f"{comm}: forecast from data through {through} ({meta.get('model', '?')})")
    for col in ("category", "month", "expected", "80% range"):
        table.add_column(col, justify="right" if col != "category" else "left")
    for r in frame.itertuples():
        table.add_row(r.category, r.month, f"{r.mean:.1f}", f"{r.lo80}-{r.hi80}")
    if category is None and len(cats) > 1:
        tot = aggregate(frame, by="community")
        for r in tot.itertuples():
            table.add_row(
                "[bold]all categories[/bold]", r.month, f"{r.mean:.1f}", f"{r.lo80}-{r.hi80}"
            )
    console.print(table)
    console.print(CAVEAT)


@app.command("backtest")
def backtest_cmd(
    data: List[Path] = typer.Option(
        ...,
        "--data",
        help="Counts in the Calgary portal layout "
        "(repeat; a later file replaces the months it holds).",
    ),
    start: str = typer.Option(..., "--start", help="First target month, YYYY-MM."),
    end: str = typer.Option(..., "--end", help="Last target month, YYYY-MM."),
    horizon: int = typer.Option(1, "--horizon", min=1, max=6, help="Months ahead (1-6)."),
    out: Path = typer.Option(..., "--out", help="PREDS.csv to write."),
    no_lstm: bool = typer.Option(False, "--no-lstm", help="Leave the LSTM out (faster)."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Forecast each target month using only data through month - horizon; write PREDS.csv."""
    from online_model.backtest import MODELS, BacktestError, run_backtest, write_preds
    from online_model.data import DataError, read_many

    setup_logging(verbose)
    settings = load_settings()
    try:
        long = read_many(data)
        models = [m for m in MODELS if not (no_lstm and m == "lstm")]
        with model_progress():
            preds = run_backtest(
                long,
                start,
                end,
                horizon,
                models=models,
                seed=settings.seed,
                include_lstm=not no_lstm,
                progress=lambda s: err_console.print(f"[dim]{s}[/dim]"),
            )
    except (DataError, BacktestError, ValueError) as exc:
        raise fail(str(exc)) from exc
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_preds(preds, out)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc}") from exc
    scored = preds[preds["nll"].notna()]
    table = Table(
        title=f"backtest {start}..{end}, horizon {horizon} ({len(preds):,} rows -> {out})"
    )
    for col in ("model", "MAE", "deviance", "NLL", "cover80", "width80"):
        table.add_column(col, justify="right")
    if not scored.empty:
        actual = _actuals(long, scored)
        for name, g in scored.assign(actual=actual).groupby("model", sort=False):
            s = _summ(g)
            table.add_row(
                name, *(f"{s[k]:.3f}" for k in ("MAE", "deviance", "NLL", "cover80", "width80"))
            )
        console.print(table)
    else:
        console.print(f"wrote {len(preds):,} rows to {out} (no target month in the data to score)")


def _actuals(long, scored):
    look = long.set_index(["community", "category", "month"])["count"]
    idx = list(zip(scored["community"], scored["category"], scored["month"]))
    return look.reindex(idx).fillna(0).to_numpy()


def _summ(g):
    from online_model.metrics import coverage, mae, mean_width, poisson_deviance

    return {
        "MAE": mae(g["actual"], g["mean"]),
        "deviance": poisson_deviance(g["actual"], g["mean"]),
        "NLL": float(g["nll"].mean()),
        "cover80": coverage(g["actual"], g["lo80"], g["hi80"]),
        "width80": mean_width(g["lo80"], g["hi80"]),
    }
