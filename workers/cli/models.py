"""Commands: models (registered on workers.cli.base.app)."""

from .base import app  # noqa: F401
