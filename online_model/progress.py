"""Progress of long model work (a full train, a backtest), reported to whoever listens.

The models say where they are (``report("LSTM training", done, total)``: a phase, the steps of it
done and planned); a caller that wants to show it (the CLI's rich bar, a model job writing its
progress where ``crimecast status`` reads it) installs a listener for the block. Without one,
reporting costs a context-variable lookup. Each listener call also gets an estimate of the phase's
seconds left, from its own rate so far.

>>> seen = []
>>> with reporting(lambda phase, done, total, left: seen.append((phase, done, total))):
...     report("fit", 1, 4)
...     report("fit", 4, 4)
>>> seen
[('fit', 1, 4), ('fit', 4, 4)]
>>> report("fit", 1, 4)  # nobody listening: nothing happens
"""

from __future__ import annotations

import contextlib
import time
from contextvars import ContextVar
from typing import Callable, Iterator

Listener = Callable[[str, int, int, "float | None"], None]

_listener: ContextVar[Listener | None] = ContextVar("crimecast_progress", default=None)
_started: ContextVar[dict | None] = ContextVar("crimecast_progress_started", default=None)


@contextlib.contextmanager
def reporting(listener: Listener) -> Iterator[None]:
    """Send every :func:`report` in the block to ``listener(phase, done, total, seconds_left)``
    (and on to a listener installed outside the block: a CLI bar around a job's own listener)."""
    outer = _listener.get()
    if outer is not None:
        inner = listener

        def listener(*args) -> None:
            inner(*args)
            outer(*args)

    token = _listener.set(listener)
    started = _started.set({})
    try:
        yield
    finally:
        _listener.reset(token)
        _started.reset(started)


def report(phase: str, done: int, total: int) -> None:
    """``done`` of ``total`` steps of ``phase`` are done (the first report of a phase starts its
    clock: report ``0`` before the first step for an estimate from the start)."""
    listener = _listener.get()
    if listener is None:
        return
    starts = _started.get() or {}
    now = time.monotonic()
    t0 = starts.setdefault(phase, (now, done))
    left = None
    if done > t0[1] and total:
        rate = (done - t0[1]) / max(now - t0[0], 1e-9)
        left = max(total - done, 0) / rate
    listener(phase, done, total, left)
