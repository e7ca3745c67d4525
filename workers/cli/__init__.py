"""The operator commands, one module per group (``ingest``, ``ops``, ``models``, ``profile``, ``report``).

Each module holds its own ``typer.Typer()`` instances and registers nothing anywhere else:
``bot/cli.py`` composes every group into the ``crimecast`` entry point. Importing this package
adds no command.
"""
