"""The deployment files are consistent with the code: real commands, documented variables, no secrets.

Docker cannot run here, so this is the check: docker-compose.yml parses, every service runs a real
``crimecast`` command with valid options, every variable it uses is a settings field (or documented),
the example env file loads into :class:`workers.settings.Settings`, and the Dockerfile installs the
CPU build of torch before the project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
import yaml

from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
OPERATIONS = ROOT / "docs" / "operations.md"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
_ENV_LINE = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$")
SECRET_WORDS = ("TOKEN", "WEBHOOK", "PASSWORD", "SECRET")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def app_services(compose) -> dict:
    return {name: svc for name, svc in compose["services"].items() if name != "redis"}


def settings_env_names() -> set[str]:
    """Every environment variable Settings reads (``CRIMECAST_<FIELD>`` and aliases)."""
    names = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if alias is not None and hasattr(alias, "choices"):
            names.update(str(c).upper() for c in alias.choices)
        else:
            names.add(f"CRIMECAST_{field_name.upper()}")
    return names


def resolve_command(argv: list[str]):
    """The command ``crimecast argv...`` would run; raises if a name or option is wrong.

    (typer may vendor its own click, so groups are recognised by their ``commands``.)
    """
    from bot.cli import app  # the console entry point: operator commands plus the bot's

    cmd = typer.main.get_command(app)
    context = cmd.context_class
    ctx = context(cmd, info_name="crimecast")
    rest, name = list(argv), "crimecast"
    while hasattr(cmd, "commands"):
        assert rest, f"{argv}: names a command group, not a command"
        name, *rest = rest
        sub = cmd.get_command(ctx, name)
        assert sub is not None, f"{argv}: crimecast has no command {name!r}"
        cmd, ctx = sub, context(sub, info_name=name, parent=ctx)
    cmd.make_context(name, rest, parent=ctx.parent)  # parses the options: unknown ones raise
    return cmd


def test_compose_has_the_processes_of_a_deployment(app_services, compose):
    """redis, scalable stream workers, both rq workers, the scheduler and the bot are all there."""
    commands = {name: svc["command"] for name, svc in app_services.items()}
    assert set(compose["services"]) >= {
        "redis",
        "worker",
        "rq-models",
        "rq-default",
        "scheduler",
        "bot",
    }
    assert commands["worker"][0] == "worker"
    assert commands["rq-models"] == ["rq-worker", "--queue", "models"]
    assert commands["rq-default"] == ["rq-worker", "--queue", "default"]
    assert commands["scheduler"] == ["scheduler"] and commands["bot"] == ["bot"]
    worker = app_services["worker"]
    assert "container_name" not in worker  # a fixed name would forbid --scale
    assert worker.get("deploy", {}).get("replicas", 1) >= 2


@pytest.mark.parametrize("service", ["worker", "rq-models", "rq-default", "scheduler", "bot"])
def test_every_service_runs_a_real_crimecast_command(app_services, service):
    """Each service's command resolves against the typer app, options included."""
    resolve_command(app_services[service]["command"])


def test_resolver_rejects_made_up_commands_and_options():
    """The check above can fail: unknown commands and options are caught."""
    with pytest.raises(AssertionError):
        resolve_command(["serve-everything"])
    with pytest.raises(Exception, match="--queues"):
        resolve_command(["rq-worker", "--queues", "models"])


def test_redis_is_persistent_and_health_checked(compose, app_services):
    """Redis runs append-only on a named volume with a health check every app service waits for."""
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(v.split(":")[0] in compose["volumes"] for v in redis["volumes"])
    assert "redis-cli" in " ".join(redis["healthcheck"]["test"])
    for name, svc in app_services.items():
        assert svc["depends_on"]["redis"]["condition"] == "service_healthy", name
        assert svc["image"] == "crimecast:latest" and svc["build"] == ".", name


def test_every_variable_used_is_a_setting_or_documented(app_services):
    """Variables in the compose file and the example env are Settings fields or in the docs."""
    known = settings_env_names()
    docs = OPERATIONS.read_text()
    used = set(_VAR.findall(COMPOSE.read_text()))
    for svc in app_services.values():
        used.update(svc.get("environment", {}))
    used.update(
        m.group(1) for line in ENV_EXAMPLE.read_text().splitlines() if (m := _ENV_LINE.match(line))
    )
    assert used, "no variables found: the parser is broken"
    undocumented = sorted(v for v in used if v not in known and f"`{v}`" not in docs)
    assert not undocumented
    for var in used:
        assert f"`{var}`" in docs, f"{var} is not in the docs/operations.md table"


def test_no_secret_is_written_into_the_compose_file(app_services):
    """Secrets reach containers from the environment only; the default Redis URL has no password."""
    for name, svc in app_services.items():
        for var, value in (svc.get("environment") or {}).items():
            if any(word in var for word in SECRET_WORDS):
                pytest.fail(f"{name} sets secret {var} in the compose file")
            assert "@" not in str(value).split("${")[0], f"{name}: credentials in {var}"


def test_env_example_loads_into_settings(monkeypatch):
    """Every active line of .env.example is accepted by Settings (types, cron, zone)."""
    from workers.scheduler import parse_cron

    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key.strip(), value.strip())
    settings = Settings()
    parse_cron(settings.alert_cron, settings.timezone)
    parse_cron(settings.finetune_cron, settings.timezone)
    assert settings.discord_token is None  # secrets are left for the operator to fill in


def test_dockerfile_installs_cpu_torch_first():
    """One Dockerfile: torch 2.13.0 from the CPU index before the project; crimecast entry point."""
    text = DOCKERFILE.read_text()
    torch_at = text.index("torch==2.13.0")
    assert "download.pytorch.org/whl/cpu" in text[torch_at : text.index("\n", torch_at)]
    assert torch_at < re.search(r"pip install (-c constraints\.txt )?\.", text).start()
    assert 'ENTRYPOINT ["crimecast"]' in text
    assert not re.search(r"(?i)(token|password|webhook)\s*=", text)


def test_commands_named_in_the_operations_guide_exist():
    """Every `crimecast ...` the guide tells an operator to run names a real command."""
    text = OPERATIONS.read_text()
    named = re.findall(r"`crimecast ([a-z][^`]*)`", text)
    named += re.findall(r"docker compose run --rm worker ([a-z][a-z -]*)", text)
    assert len(named) >= 8
    for phrase in named:
        words = []
        for token in phrase.split():
            if not re.fullmatch(r"[a-z][a-z-]*", token):
                break
            words.append(token)
        cmd = typer.main.get_command(__import__("bot.cli", fromlist=["app"]).app)
        for word in words:
            if not hasattr(cmd, "commands"):
                break
            sub = cmd.commands.get(word)
            assert sub is not None, f"`crimecast {phrase}`: no command {word!r}"
            cmd = sub
        assert not hasattr(cmd, "commands"), f"`crimecast {phrase}` names a group, not a command"
