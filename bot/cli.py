"""The ``crimecast`` console command: the operator commands of :mod:`workers.cli` plus the bot's."""

from workers.cli import app

__all__ = ["app"]

if __name__ == "__main__":  # pragma: no cover
    app()
