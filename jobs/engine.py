"""Jobs on Django's Tasks API (the `django-tasks` backport on Django 5.2; `django.tasks` from Django 6).

Write a job as a module-level function with the Tasks API decorator, and enqueue it after the transaction commits:

    from django_tasks import task            # Django 6: from django.tasks import task
    from jobs.engine import enqueue_on_commit, retrying

    @task(priority=10)
    @retrying(retries=5, backoff=30)
    def send_notification_email(notification_id: int) -> None: ...

    enqueue_on_commit(send_notification_email, notification.pk)

The backend is django-tasks-db (settings.TASKS): a job is a row in the same database, run by `manage.py run_jobs`
workers (jobs.worker), which add what the plain backend lacks: a lost worker's jobs are run again, periodic jobs
run once per interval across all workers, and /healthz sees the workers. Delivery is at least once, so every job
must be idempotent (safe to run twice) and must finish quietly when what it works on was deleted meanwhile.

`retrying` gives a job retries with exponential backoff: on an exception the job enqueues a fresh copy of itself
with `run_after` later (attempt 2, 3, … up to `retries` + 1) and re-raises, so the failed attempt stays visible as a
FAILED row with its traceback. Raise `Permanent` for a failure that retrying cannot fix (no retry).
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
ATTEMPT_KWARG = "_attempt"


class Permanent(Exception):
    """A job failure that another attempt cannot fix: recorded, never retried."""


def backoff_delay(attempt: int, base: float, *, cap: float = 6 * 3600) -> float:
    """Seconds to wait before attempt `attempt + 1`: base, 2·base, 4·base, … (±20 % jitter), at most `cap`."""
    return min(cap, base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)


def retrying(*, retries: int = 3, backoff: float = 30.0) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
            try:
                return func(*args, **kwargs)
            except Permanent:
                raise
            except Exception:
                if attempt > retries:
                    log.error("job %s failed for good after %s attempts", func.__qualname__, attempt)
                    raise
                _enqueue_retry(func, args, kwargs, attempt, backoff)
                raise

        run.retries = retries  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate


def _enqueue_retry(func: Callable[..., Any], args: tuple, kwargs: dict, attempt: int, backoff: float) -> None:
    # The module attribute is the Task object the decorator made of `run` (functools.wraps kept the name).
    task = import_string(f"{func.__module__}.{func.__qualname__}")
    delay = backoff_delay(attempt, backoff)
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay))
    log.warning("job %s attempt %s failed; retrying in %.0f s", func.__qualname__, attempt, delay)
    task.enqueue(*args, **{**kwargs, ATTEMPT_KWARG: attempt + 1})


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` once the surrounding transaction commits (right away outside one).

    A job never sees rows that are not committed, and a rolled-back request enqueues nothing.
    """
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


def enqueue_in_transaction(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` as part of the surrounding transaction: on the database backend its row commits with the
    change that owes it (a rollback drops it, a crash after the commit cannot lose it; workers see it only once
    committed). The immediate backend (the unit tests' default) runs it right here, in the transaction, and lets
    its exception propagate, so a test sees a failing job fail."""
    from django_tasks.backends.immediate import ImmediateBackend

    if isinstance(task.get_backend(), ImmediateBackend):
        task.call(*args, **kwargs)
    else:
        task.enqueue(*args, **kwargs)


def owe(key: str) -> None:
    """Record, in the current transaction, work a job will do at most once (`settle`). Idempotent."""
    from jobs.models import Owed

    Owed.objects.bulk_create([Owed(key=key)], ignore_conflicts=True)


def settle(key: str) -> bool:
    """Claim the work `owe(key)` recorded: True exactly once per `owe`, for whichever caller deletes the key first
    (the job, a second run of it, or a change that makes the work moot); False when there is nothing owed."""
    from jobs.models import Owed

    return bool(Owed.objects.filter(key=key).delete()[0])
