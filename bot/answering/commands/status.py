"""Status: the data, the served forecasts, the model and its recent accuracy, reference data."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Mapping

from bot.answering.answer import Answer
from bot.language.question import Question
from bot.language.resolve import NO_FORECASTS
from bot.rendering.header import footer, model_label, warnings


def answer(engine, question: Question, context=None) -> Answer:
    state = engine.state()
    a = Answer(
        "status", "crimecast status", footer=footer(state), warnings=warnings(state, engine.today())
    )
    meta = state.meta
    months, n_series = state.months, len(state.catalog.series)
    a.fields.append(
        (
            "Data",
            f"{len(months)} months "
            f"({months[0] if months else '-'} – "
            f"{months[-1] if months else '-'}), {n_series:,} "
            f"series; newest complete month {state.last_closed or 'none closed'}"
            + (f"; latest record {state.watermark}" if state.watermark else ""),
        )
    )
    if state.version:
        a.fields.append(
            (
                "Forecasts",
                f"{state.forecast_series:,} series, months "
                f"{', '.join(state.forecasts.months[:6])}; rest on data through "
                f"{state.data_through()}",
            )
        )
        a.fields.append(("Model", model_label(state)))
        if meta.get("updated_at"):
            try:
                ts = datetime.fromtimestamp(float(meta["updated_at"]), timezone.utc)
                a.fields.append(("Refreshed", ts.strftime("%Y-%m-%d %H:%M UTC")))
            except ValueError:
                a.fields.append(("Refreshed", meta["updated_at"][:40]))
        acc = accuracy_text(meta)
        if acc:
            a.fields.append(("Recent accuracy", acc))
        shown = {"version", "data_through", "model", "updated_at"} | ({"health"} if acc else set())
        for key, value in meta.items():
            if key in shown:
                continue
            a.fields.append((key.replace("_", " ").capitalize()[:256], _meta_text(value)))
    else:
        a.lines.append(NO_FORECASTS)
    a.fields.append(("Reference data", engine.names.reference_text(len(state.reference))))
    a.fields = a.fields[:20]
    a.data.update(
        {
            "data_through": state.data_through(),
            "model": meta.get("model", ""),
            "model_version": state.version,
            "months": months[-1:],
            "meta": {k: _meta_value(v) for k, v in meta.items()},
        }
    )
    return a


def accuracy_text(meta: Mapping[str, str]) -> str | None:
    """Recent MAE of the served model against the baselines, from the forecast meta, in words.

    >>> accuracy_text({"mae": '{"model": 0.8, "snaive": 1.0}'})
    'mean absolute error 0.80 per series-month vs seasonal naive 1.00 (20% lower)'
    """
    found: dict[str, float] = {}
    for key in ("health", "accuracy", "mae", "metrics"):
        data = _meta_value(meta.get(key, ""))
        if isinstance(data, dict):
            inner = data.get("mae") if isinstance(data.get("mae"), dict) else data
            for name, value in inner.items():
                if isinstance(value, (int, float)):
                    found.setdefault(str(name).removeprefix("mae_"), float(value))
    for key, value in meta.items():
        if key.startswith("mae_"):
            try:
                found.setdefault(key[4:], float(value))
            except ValueError:
                pass
    model = found.get("model", found.get("served"))
    if model is None:
        return None
    text = f"mean absolute error {model:.2f} per series-month"
    labels = {"snaive": "seasonal naive", "ses": "smoothing"}
    for base in ("snaive", "ses"):
        if found.get(base):
            b = found[base]
            word = "lower" if model < b else "higher"
            text += f" vs {labels[base]} {b:.2f} ({abs(model - b) / b:.0%} {word})"
    return text


def _meta_value(v: str):
    try:
        return json.loads(v)
    except (ValueError, TypeError):
        return v


def _meta_text(v: str) -> str:
    val = _meta_value(v)
    if isinstance(val, dict):
        parts = []
        for k, x in list(val.items())[:8]:
            x = round(x, 3) if isinstance(x, float) else x
            if isinstance(x, dict):
                x = (
                    "{"
                    + ", ".join(
                        f"{a}: {round(b, 3) if isinstance(b, float) else b}"
                        for a, b in list(x.items())[:8]
                    )
                    + "}"
                )
            parts.append(f"{k}: {x}")
        return ", ".join(parts)[:1000]
    return str(val)[:1000]
