"""Jobs used by the engine's own tests (real jobs of the engine's, run by real workers; imported by path)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from jobs.engine import retrying


@task()
@retrying(retries=2, backoff=60)
def flaky(path: str, fail_times: int) -> int:
    """Appends a line per attempt to `path`; fails while it has written at most `fail_times` lines."""
    log = Path(path)
    with log.open("a") as f:
        f.write("attempt\n")
    attempts = len(log.read_text().splitlines())
    if attempts <= fail_times:
        raise RuntimeError(f"attempt {attempts} fails on purpose")
    return attempts


@task()
def slow(path: str, seconds: float) -> str:
    """Writes `started <pid>`, sleeps, then writes `done <pid>`: a job long enough to kill its worker mid-way."""
    import os

    log = Path(path)
    with log.open("a") as f:
        f.write(f"started {os.getpid()}\n")
    time.sleep(seconds)
    with log.open("a") as f:
        f.write(f"done {os.getpid()}\n")
    return "done"
