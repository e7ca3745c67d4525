"""One settings object, read from the environment (``CRIMECAST_*``) in each process's entry point.

Secrets (the Discord token, the webhook URL, a password inside ``REDIS_URL`` or
``CRIMECAST_QUEUE_URL``) are ``SecretStr``:
they never appear in a repr, a log line or an error message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of crimecast. Built once per process and passed down; frozen."""

    model_config = SettingsConfigDict(env_prefix="CRIMECAST_", frozen=True, extra="ignore")

    # Redis
    redis_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "CRIMECAST_REDIS_URL"),
        description="Redis URL of the streams, counts, forecasts and alerts; redis+cluster://host:port "
        "(rediss+cluster:// with TLS) for a Redis Cluster; unset = embedded Redis in the "
        "state directory.",
    )
    redis_cluster: bool = Field(
        default=False,
        description="true: REDIS_URL names a Redis Cluster node even though it reads redis:// (a "
        "managed Cluster's endpoint).",
    )
    queue_url: SecretStr | None = Field(
        default=None,
        description="Plain Redis for the rq job queues (rq does not support Cluster); unset = "
        "REDIS_URL. Required when REDIS_URL is a Cluster.",
    )
    state_dir: Path = Field(
        default=Path(".state"), description="Embedded Redis data, models, charts."
    )
    key_prefix: str = Field(default="crimecast", description="Prefix of every Redis key.")

    # city
    city_file: Path | None = Field(
        default=None,
        description="City profile YAML (name, area words, categories, places, source); default Calgary's.",
    )

    config_dir: Path | None = Field(
        default=None,
        description="Folder of city profiles and reference files (compose mounts ./config at /config); files a profile names are looked for here when not beside it.",
    )

    # stream
    batch_size: int = Field(default=500, ge=1, description="Records per consumer batch.")
    block_ms: int = Field(default=1000, ge=0, description="XREADGROUP block time.")
    claim_idle_ms: int = Field(
        default=60_000, ge=1000, description="Reclaim entries idle this long."
    )
    max_deliveries: int = Field(default=5, ge=1, description="Deliveries before dead-lettering.")
    grace_days: int = Field(
        default=14, ge=0, description="Days after a month's end before it closes."
    )
    categories_file: Path | None = Field(
        default=None, description="YAML/JSON category set; default the city profile's."
    )

    # models
    model_dir: Path | None = Field(
        default=None,
        description="Model registry root, one folder per key prefix (city) inside; default STATE_DIR/models.",
    )
    seed: int = Field(default=42, description="Seed for training.")
    train_memory_mb: int = Field(
        default=1024,
        ge=64,
        description="Memory one fit of a global model "
        "(online GLM, LSTM) may hold for its rows, on top of the model "
        "itself; the default fits a 2 GB worker at any number of series.",
    )
    train_sample_rows: int = Field(
        default=300_000,
        ge=1000,
        description="Rows (origin x series "
        "windows) one fit of a global model samples at most: bounds "
        "its time; a city's panel is under it and learned whole.",
    )
    partitions: int = Field(
        default=0,
        ge=0,
        description="Jobs a full train and a month close are split into "
        "(by a hash of the area); 0: one per CRIMECAST_PARTITION_SERIES series, so a city "
        "under it trains in one job as before.",
    )
    partition_series: int = Field(
        default=6000,
        ge=100,
        description="Series per partition when CRIMECAST_PARTITIONS is 0.",
    )
    partition_by: Literal["area", "region"] = Field(
        default="area",
        description="How series are split: area (a hash of the area's name) or "
        "region (one partition per region of the reference data).",
    )
    sample_series: int = Field(
        default=6000,
        ge=100,
        description="Series (whole areas, a seeded sample) the global "
        "pieces of a partitioned train learn from; a panel under it is learned whole.",
    )
    partition_timeout_s: int = Field(
        default=900, ge=10, description="rq timeout of one partition job."
    )
    partition_retries: int = Field(
        default=3, ge=0, description="Retries of a failed or killed partition job."
    )
    partition_watch_s: float = Field(
        default=10.0,
        gt=0,
        description="How often a models worker looks for partition jobs whose "
        "worker died (and retries them).",
    )
    model_lock_ttl_s: float = Field(
        default=15.0,
        ge=1.0,
        description="Heartbeat TTL of the model "
        "lock: a model job that died frees it within this (at once on "
        "its own host).",
    )

    # scheduler
    timezone: str | None = Field(
        default=None, description="Scheduler time zone; default the city profile's."
    )
    alert_cron: str = Field(default="mon 08:00", description="Weekly alert time (day HH:MM).")
    finetune_cron: str = Field(default="sun 03:00", description="Weekly LSTM fine-tune time.")
    misfire_grace_s: int = Field(
        default=6 * 3600, ge=1, description="A missed run still fires within this."
    )

    # bot
    discord_token: SecretStr | None = Field(default=None, description="Discord bot token (secret).")
    discord_guild_ids: list[int] = Field(
        default_factory=list, description="Guilds the bot serves (JSON list, e.g. [123,456])."
    )
    discord_channel_ids: list[int] = Field(
        default_factory=list, description="Channels allowed (JSON list); empty = any."
    )
    discord_role_ids: list[int] = Field(
        default_factory=list, description="Roles allowed (JSON list); empty = any."
    )
    discord_admin_role_ids: list[int] = Field(
        default_factory=list,
        description="Roles that manage alerts (JSON list); empty = server admins.",
    )
    webhook_url: SecretStr | None = Field(
        default=None, description="Discord webhook for alerts (secret)."
    )
    rate_limit_per_minute: int = Field(
        default=10, ge=1, description="Bot queries per user per minute."
    )

    ingest_token: SecretStr | None = Field(
        default=None,
        description="Bearer token `crimecast ingest serve` requires of producers posting records (secret); unset = none.",
    )

    # audit log
    audit_retention_days: int = Field(
        default=365, ge=1, description="Days the bot's audit log keeps each question."
    )
    audit_keep_names: bool = Field(
        default=False,
        description="true: the audit log keeps Discord user ids and names; false: a salted-hash pseudonym only.",
    )
    audit_salt: SecretStr | None = Field(
        default=None,
        description="Salt of the audit log's user pseudonyms (secret); unset = a random one made once per deployment.",
    )

    @field_validator("city_file")
    @classmethod
    def _usable_profile(cls, v: Path | None) -> Path | None:
        """A city profile that cannot be used stops every command at start, with its problems."""
        if v is not None:
            from core.profile import load_profile

            load_profile(v)  # ProfileError (a ValueError) lists each problem with its line
        return v

    def zone(self) -> str:
        """The scheduler's time zone: ``timezone`` when set, else the city profile's."""
        if self.timezone:
            return self.timezone
        from core.profile import load_profile

        return load_profile(self.city_file).timezone

    @property
    def models_path(self) -> Path:
        """This prefix's model registry, ``<model_dir or STATE_DIR/models>/<prefix>``: several
        cities (prefixes) share one state directory without overwriting each other's models.

        >>> Settings(state_dir=Path("/s"), key_prefix="yyc").models_path.as_posix()
        '/s/models/yyc'
        """
        root = self.model_dir or (self.state_dir / "models")
        return root / re.sub(r"[^A-Za-z0-9._-]", "_", self.key_prefix)


def env_name(name: str, field) -> str:
    """The environment variable a settings field is read from (``REDIS_URL`` for the URL)."""
    alias = field.validation_alias
    if alias is not None and hasattr(alias, "choices"):
        return str(alias.choices[0])
    return f"CRIMECAST_{name.upper()}"


def settings_table() -> str:
    """The table of environment variables (docs/reference.md), generated from :class:`Settings`.

    >>> "| `REDIS_URL` |" in settings_table()
    True
    """
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "unset" if default in (None, [], "") else f"`{default}`"
        if isinstance(default, list) and default:
            shown = "`" + ",".join(map(str, default)) + "`"
        rows.append(f"| `{env_name(name, field)}` | {shown} | {field.description or ''} |")
    return "\n".join(rows)
