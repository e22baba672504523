"""Where verification runs (docs/badges.md, "Execution").

`schedule_verification(badge_id)` is called by services with transaction.on_commit, so a verification never sees a
badge that is not committed yet. BADGE_VERIFY_MODE decides what happens then:

* ``background`` (default): a bounded in-process thread pool (BADGE_VERIFY_WORKERS threads, at most
  BADGE_VERIFY_QUEUE jobs waiting). The request returns at once with the badge PENDING. A job refused because the
  queue is full, or lost in a restart, stays PENDING and `manage.py reverify_badges` picks it up.
* ``inline``: verify right away in the calling thread (tests, the demo seed, single-user set-ups).
* ``off``: do nothing; only `reverify_badges` verifies (a deployment that runs it from a scheduler).

Verification is I/O bound (a few HTTP fetches) and its state is all in the database, so threads are enough: no
broker, no extra process.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_slots: threading.BoundedSemaphore | None = None


def _pool() -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    global _executor, _slots
    with _lock:
        if _executor is None or _slots is None:
            _executor = ThreadPoolExecutor(max_workers=settings.BADGE_VERIFY_WORKERS, thread_name_prefix="badge-verify")
            _slots = threading.BoundedSemaphore(settings.BADGE_VERIFY_QUEUE)
        return _executor, _slots


def _run(badge_id: int) -> None:
    from badges.services import verify_badge

    try:
        verify_badge(badge_id)
    except Exception:  # a failed job leaves the badge PENDING for reverify_badges; never kill the worker
        log.exception("badge %s: background verification failed", badge_id)
    finally:
        connections.close_all()  # this thread's connections; the pool thread may idle for long


def schedule_verification(badge_id: int) -> Future[None] | None:
    mode = settings.BADGE_VERIFY_MODE
    if mode == "off":
        return None
    if mode == "inline":
        from badges.services import verify_badge

        verify_badge(badge_id)
        return None
    executor, slots = _pool()
    if not slots.acquire(blocking=False):
        log.warning("badge %s: verification queue full; left PENDING for reverify_badges", badge_id)
        return None
    future = executor.submit(_run, badge_id)
    future.add_done_callback(lambda _f: slots.release())
    return future
