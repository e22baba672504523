"""Test helpers (fixtures registered in the root conftest.py) for tests that run jobs on the real backend: in this
process (`database_backend`) or in worker processes (`worker_factory`) against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_backend(settings) -> None:
    """Jobs enqueued in this test are rows of the django-tasks-db backend (run them with `run_worker_batch`)."""
    settings.TASKS = DATABASE_TASKS
    settings.JOBS_BACKEND = "database"


def run_worker_batch(**options: Any) -> None:
    """`manage.py run_jobs --batch` in this process: runs every job ready now, then returns (periodic jobs are
    not enqueued unless `no_schedule=False`)."""
    from django.core.management import call_command

    options.setdefault("no_schedule", True)
    call_command("run_jobs", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0, **options)


class WorkerProcess:
    """`manage.py run_jobs` in its own interpreter, against the test's database (PostgreSQL)."""

    def __init__(self, env: dict[str, str], worker_id: str, *args: str) -> None:
        self.worker_id = worker_id
        # Kept open for the worker's lifetime (its stdout), so no context manager.
        self.log = tempfile.NamedTemporaryFile(prefix=f"vouch-{worker_id}-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_jobs",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")


@pytest.fixture
def worker_env(postgres, settings, database_backend) -> dict[str, str]:
    """The environment of a worker process pointed at this test's PostgreSQL database."""
    from django.db import connection

    from tests.live_server import postgres_env, server_env

    env = server_env(postgres_env(connection.settings_dict))
    env.update(
        {
            "JOBS_BACKEND": "database",
            "JOBS_HEARTBEAT_SECONDS": "1",
            "JOBS_WORKER_LEASE_SECONDS": "3",
            "BADGE_REVERIFY_EVERY_SECONDS": "0",
            "EXPIRE_REQUESTS_EVERY_SECONDS": "0",
            "DIGESTS_EVERY_SECONDS": "0",
            "DB_POOL": "0",
        }
    )
    return env


@pytest.fixture
def worker_factory(worker_env) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def start(worker_id: str, *args: str, env: dict[str, str] | None = None) -> WorkerProcess:
        worker = WorkerProcess({**worker_env, **(env or {})}, worker_id, *args)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(predicate: Any, *, timeout: float = 30.0, what: str = "condition", workers: tuple = ()) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.worker_id}:\n{w.output()[-3000:]}" for w in workers)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
