"""What every command shares: settings, runtime, console, errors (the app itself is composed in
``bot/cli.py``)."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING, Iterator

import redis
import typer
from rich.console import Console
from rich.text import Text

from ..settings import Settings

if TYPE_CHECKING:
    from ..runtime import Runtime

console = Console()
err_console = Console(stderr=True)


def load_settings() -> Settings:
    """Settings from the environment; a bad value stops with a clear message, not a traceback."""
    try:
        return Settings()
    except Exception as exc:  # pydantic ValidationError; its text never includes secret values
        err_console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


CLAIM_PATIENCE_S = 60.0  # how long a starting process waits for a restarting Redis


def claim_city_or_exit(rt: "Runtime") -> None:
    """One prefix, one city: record this prefix's city (the first time) or stop with one line
    when it holds another city's data (:func:`workers.city.claim_city`)."""
    from core.profile import load_profile

    from ..city import CityMismatch, claim_city

    profile = load_profile(rt.settings.city_file)
    deadline = time.monotonic() + CLAIM_PATIENCE_S
    delay = 0.1
    while True:
        try:
            claim_city(rt.client, rt.keys, profile)
            return
        except CityMismatch as exc:
            raise fail(str(exc)) from None
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            # a Redis restarting (refused, or loading its data) is a wait, not a crash: a worker
            # started beside a restart must come up once the server does
            if time.monotonic() >= deadline:
                raise fail(f"cannot use Redis to check this prefix's city: {exc}") from None
            time.sleep(delay)
            delay = min(2 * delay, 2.0)


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a user-facing error and return the exit to raise."""
    # data text is never markup; one message is one line however narrow the terminal (copyable)
    err_console.print(Text.assemble(("error:", "red"), " ", message), soft_wrap=True)
    return typer.Exit(code)


def open_runtime_or_exit(settings: Settings) -> "Runtime":
    """Connect (or start the embedded Redis); an unreachable or too-old server is one clear line
    on stderr and exit code 1, never a traceback. The caller closes the runtime."""
    from ..runtime import open_runtime

    try:
        return open_runtime(settings)
    except Exception as exc:  # ConnectionError, RedisVersionError, embedded start failure
        raise fail(f"cannot use Redis: {exc}") from None


@contextlib.contextmanager
def model_progress() -> Iterator[None]:
    """A rich bar per phase of long model work (GLM fit, LSTM training, backtest months), each with
    its estimate of what is left (:mod:`online_model.progress`)."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from online_model.progress import reporting

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        tasks: dict[str, int] = {}

        def listen(phase: str, done: int, total: int, left: float | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        with reporting(listen):
            yield
