"""The console commands: ask (text, --json, --chart), chat, reference load, alerts, bot."""

from __future__ import annotations

import io
import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.transports.console import chat
from bot.answering.engine import Engine

runner = CliRunner()


def test_ask_prints_answer(settings_env, filled):
    """`crimecast ask` prints the forecast with its month, range and data month."""
    res = runner.invoke(app, ["ask", "forecast", "Beltline", "next", "month"])
    assert res.exit_code == 0, res.output
    assert "BELTLINE" in res.output and "80% range" in res.output and "2023-12" in res.output
    assert "**" not in res.output


def test_ask_json_and_chart(settings_env, filled, tmp_path):
    """--json gives the structured answer; --chart writes the PNG."""
    out = tmp_path / "c.png"
    res = runner.invoke(
        app, ["ask", "car thefts in forest lawn next 3 months", "--json", "--chart", str(out)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["intent"] == "forecast" and data["place"]["communities"] == ["FOREST LAWN"]
    assert data["categories"] == ["Theft OF Vehicle"]
    assert data["months"] == ["2024-01", "2024-02", "2024-03"]
    assert data["lo80"] <= data["mean"] <= data["hi80"]
    assert data["data_through"] == "2023-12" and data["model"] == "meanlast6-nb"
    assert data["model_version"] == 1 and data["chart_file"] == str(out)
    assert out.read_bytes().startswith(b"\x89PNG")


def test_ask_unknown_gets_help_not_traceback(settings_env, filled):
    """A question it cannot resolve exits 1 with suggestions, never a traceback."""
    res = runner.invoke(app, ["ask", "forecast forrest"])
    assert res.exit_code == 0 and "FOREST LAWN" in res.output
    res = runner.invoke(app, ["ask", "forecast gotham"])
    assert res.exit_code == 1 and "couldn't find" in res.output and "Traceback" not in res.output


def test_reference_load(settings_env, filled, reference_files):
    """`crimecast reference load` stores sectors and population; rates then work."""
    res = runner.invoke(
        app,
        [
            "reference",
            "load",
            "--communities",
            str(reference_files[0]),
            "--population",
            str(reference_files[1]),
        ],
    )
    assert res.exit_code == 0 and "loaded 312 communities" in res.output
    res = runner.invoke(app, ["ask", "beltline per 1000", "--json"])
    assert json.loads(res.output)["rate_per_1000"] > 0


def test_reference_load_finds_the_profile_s_population_file(settings_env, filled, reference_files):
    """Without --population, the file the profile names is found beside the areas file."""
    res = runner.invoke(app, ["reference", "load", "--areas", str(reference_files[0])])
    assert res.exit_code == 0 and "no population" not in res.output, res.output
    res = runner.invoke(app, ["ask", "beltline per 1000", "--json"])
    assert json.loads(res.output)["rate_per_1000"] > 0


def test_reference_load_bad_file(settings_env, tmp_path):
    """A file without the expected columns is a clear error."""
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    res = runner.invoke(app, ["reference", "load", "--communities", str(bad)])
    assert res.exit_code == 2 and "lacks column" in res.output


def test_alerts_preview_json(settings_env, filled, reference_files):
    """`alerts preview --json` shows the alert and the embed that would be posted."""
    from workers.alerts import Subscription, SubscriptionStore

    r, keys = filled
    SubscriptionStore(r, keys).add(Subscription("55", "communities", communities=["BELTLINE"]))
    res = runner.invoke(app, ["alerts", "preview", "--as-of", "2024-01-15", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["alert"]["channel_id"] == "55" and data["embed"]["title"].startswith("Weekly")
    res = runner.invoke(app, ["alerts", "preview", "--as-of", "2024-01-15"])
    assert "Running hot" in res.output
    assert runner.invoke(app, ["alerts", "preview", "--as-of", "soon"]).exit_code == 2


def test_alerts_post_without_sender_reports(settings_env, filled):
    """`alerts post` with a queued alert and no token reports the failure and exits 1."""
    from workers.alerts import Subscription, build_alert, enqueue_alert

    r, keys = filled
    enqueue_alert(r, keys, build_alert(r, Subscription("56", "city"), "2024-01-15", keys=keys))
    res = runner.invoke(app, ["alerts", "post", "--attempts", "1"])
    assert res.exit_code == 1 and "no bot token" in res.output


def test_bot_without_token_says_so_once_and_stays_down(settings_env, monkeypatch):
    """`crimecast bot` without a token says so in one line and exits 0, which compose's
    `restart: on-failure` leaves down: no crash loop."""
    monkeypatch.delenv("CRIMECAST_DISCORD_TOKEN", raising=False)
    res = runner.invoke(app, ["bot"])
    assert res.exit_code == 0 and "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "CRIMECAST_DISCORD_TOKEN is not set" in lines[0]
    import yaml

    compose = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()
    )
    assert compose["services"]["bot"]["restart"] == "on-failure"


def test_chat_answers_until_quit(filled, today):
    """`crimecast chat` answers each line and stops at 'quit'."""
    r, keys = filled
    lines = iter(["forecast beltline", "", "trend forest lawn", "quit", "never read"])
    out = io.StringIO()
    n = chat(Engine(r, keys, today=today), read=lambda _: next(lines), out=out)
    assert n == 2 and "Trend: FOREST LAWN" in out.getvalue()
