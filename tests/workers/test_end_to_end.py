"""The whole back end through its commands: ingest, count and close, model update, weekly alert."""

from __future__ import annotations

import importlib.util

import pytest
from typer.testing import CliRunner

from stream.forecast_cache import ForecastCache
from workers.alerts import Alert
from bot.cli import app

runner = CliRunner()


@pytest.mark.skipif(
    importlib.util.find_spec("workers.model_jobs") is None,
    reason="needs the model wiring (workers.model_jobs)",
)
def test_ingest_worker_models_and_weekly_alert(settings_env, r, keys, calgary_slice):
    """Real slice -> `worker --burst` -> `rq-worker --queue models --burst` -> weekly alert job."""
    steps = [
        ["ingest", "calgary", str(calgary_slice)],
        ["worker", "--burst"],
        ["rq-worker", "--queue", "models", "--burst"],
        ["alerts", "subscribe", "42", "--community", "BELTLINE", "--community", "FOREST LAWN"],
    ]
    for argv in steps:
        result = runner.invoke(app, argv)
        assert result.exit_code == 0, (argv, result.output)
    meta = ForecastCache(r, keys).meta()
    assert meta["data_through"] == "2023-11"  # the last closed month (14 days' grace)

    r.delete(keys.alert_outbox)
    from workers.jobs import weekly_alert

    summary = weekly_alert(as_of="2024-01-01")
    assert summary["queued"] == 1 and summary["failed"] == []
    ((_, fields),) = r.xrange(keys.alert_outbox)
    alert = Alert.from_json(fields["alert"])
    assert alert.iso_week == "2023-W52" and alert.data_through == "2023-11"
    assert alert.scope_label == "BELTLINE, FOREST LAWN"
    # the portal publishes whole months: the alert leads with December against its forecast
    assert alert.resolution == "month" and alert.week is None and alert.month_to_date is None
    assert alert.last_month["month"] == "2023-12" and alert.last_month["expected"] is not None
    assert alert.fdr["month"] == "2023-12" and alert.fdr["whole_month"]
    assert {t["community"] for t in alert.top_next_month} == {"BELTLINE", "FOREST LAWN"}
    assert all(
        t["month"] == "2024-01" and t["lo80"] <= t["mean"] <= t["hi80"]
        for t in alert.top_next_month
    )
    assert alert.health["model"] == meta["model"]
    assert all(isinstance(alert.health["mae"][k], float) for k in ("model", "snaive", "ses"))
    assert alert.fdr["tested"] > 0
