"""Worker processes and jobs: the stream consumer, rq jobs, the scheduler, settings."""

from .settings import Settings

__all__ = ["Settings"]
