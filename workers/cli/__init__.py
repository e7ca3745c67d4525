"""The ``crimecast`` command line: ``app`` plus one module per group of commands."""

from .base import app, console, load_settings

# Each module registers its commands on ``app`` when imported.
from . import ingest as _ingest  # noqa: F401,E402
from . import ops as _ops  # noqa: F401,E402
from . import models as _models  # noqa: F401,E402
from . import profile as _profile  # noqa: F401,E402

__all__ = ["app", "console", "load_settings"]
