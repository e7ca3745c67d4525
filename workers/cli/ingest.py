"""Commands: ingest (registered on workers.cli.base.app)."""

from .base import app  # noqa: F401
