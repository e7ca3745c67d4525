"""A model job says where it is (``keys.model_progress``: ``crimecast status`` shows it).

The job's long work reports through :mod:`online_model.progress`; this writes the newest report to
Redis at most every second while the job runs and removes it when the job ends.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator

from .runtime import Runtime

PROGRESS_EVERY_S = 1.0  # a job writes its progress at most this often
PROGRESS_TTL_S = 3600  # a job that died leaves its last progress this long at most


@contextlib.contextmanager
def progress(rt: Runtime, job: str) -> Iterator[None]:
    """Write where this job is (``keys.model_progress``: ``crimecast status`` shows it) while it
    runs, at most every second; removed when the job ends."""
    from online_model.progress import reporting

    key, last = rt.keys.model_progress, [0.0]
    started = time.time()

    def listen(phase: str, done: int, total: int, left: float | None) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and done < total:
            return
        last[0] = now
        with contextlib.suppress(Exception):  # progress never fails a job
            rt.client.hset(
                key,
                mapping={
                    "job": job,
                    "phase": phase,
                    "done": done,
                    "total": total,
                    "left_s": "" if left is None else round(left, 1),
                    "started": round(started, 1),
                    "updated": round(time.time(), 1),
                },
            )
            rt.client.expire(key, PROGRESS_TTL_S)

    try:
        with reporting(listen):
            yield
    finally:
        with contextlib.suppress(Exception):
            rt.client.delete(key)
