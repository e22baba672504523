"""What `manage.py run_jobs` adds to django-tasks-db's worker loop (docs/architecture.md, "Jobs").

django-tasks-db claims a job with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; an exclusive transaction on
SQLite) and marks it RUNNING; it has no notion of a worker that died mid-job, of periodic jobs, or of a worker's
health. A thread beside the loop does those, every JOBS_HEARTBEAT_SECONDS:

1. heartbeat: upsert this worker's `WorkerHeartbeat` row;
2. reclaim: a RUNNING job whose worker (the last id in `worker_ids`) has no heartbeat newer than
   JOBS_WORKER_LEASE_SECONDS died with that worker (SIGKILL, OOM, a lost machine): it is set READY again with a
   conditional UPDATE (only if still RUNNING with the same start), so exactly one worker reclaims it and the next
   free worker runs it (attempt n + 1). After JOBS_MAX_ATTEMPTS it is marked FAILED (a job that kills its worker
   every time must not kill them all);
3. schedule: each periodic job (settings.PERIODIC_JOBS) whose `Schedule.next_run_at` has passed is claimed with a
   conditional UPDATE that moves `next_run_at` one interval on; the worker whose UPDATE changed the row enqueues
   the run, in the same transaction. Other workers' UPDATEs match nothing: one run per interval across all workers.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult, get_date_max

from jobs.models import Schedule, WorkerHeartbeat

log = logging.getLogger("jobs.worker")

READY, RUNNING, FAILED = "READY", "RUNNING", "FAILED"


def lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_WORKER_LEASE_SECONDS)


def beat(worker_id: str, *, started_at: datetime, now: datetime | None = None) -> None:
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        create_defaults={
            "last_seen": now,
            "started_at": started_at,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def live_worker_ids(now: datetime | None = None) -> set[str]:
    now = now or timezone.now()
    return set(WorkerHeartbeat.objects.filter(last_seen__gte=now - lease()).values_list("worker_id", flat=True))


def reclaim_lost(now: datetime | None = None) -> dict[str, int]:
    """Put back in the queue the RUNNING jobs whose worker is gone. Returns {"requeued": n, "failed": m}."""
    now = now or timezone.now()
    alive = live_worker_ids(now)
    counts = {"requeued": 0, "failed": 0}
    running = DBTaskResult.objects.filter(status=RUNNING, started_at__lt=now - lease()).only(
        "id", "worker_ids", "started_at", "task_path"
    )
    for row in running:
        owner = row.worker_ids[-1] if row.worker_ids else None
        if owner in alive:
            continue
        same = DBTaskResult.objects.filter(pk=row.pk, status=RUNNING, started_at=row.started_at)
        if len(row.worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
            done = same.update(
                status=FAILED,
                finished_at=now,
                exception_class_path="jobs.worker.WorkerLost",
                traceback=f"The worker running this job died {len(row.worker_ids)} times (last: {owner}); given up.",
            )
            counts["failed"] += done
            if done:
                log.error("job %s (%s) lost its worker %s times; marked FAILED", row.pk, row.task_path, done)
        else:
            done = same.update(status=READY)
            counts["requeued"] += done
            if done:
                log.warning("job %s (%s): worker %s is gone; back in the queue", row.pk, row.task_path, owner)
    # Rows of workers gone for a day tell nothing any more.
    WorkerHeartbeat.objects.filter(last_seen__lt=now - timedelta(days=1)).delete()
    return counts


def periodic_jobs() -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in settings.PERIODIC_JOBS.items() if spec.get("every", 0) > 0}


def tick_schedules(worker_id: str, now: datetime | None = None) -> list[str]:
    """Enqueue the periodic jobs that are due, each once across all workers. Returns the names enqueued here."""
    now = now or timezone.now()
    enqueued: list[str] = []
    for name, spec in periodic_jobs().items():
        every = timedelta(seconds=spec["every"])
        Schedule.objects.get_or_create(name=name, defaults={"next_run_at": now})
        with transaction.atomic():
            # Due, or scheduled further out than one interval (the interval was shortened since).
            due = Q(next_run_at__lte=now) | Q(next_run_at__gt=now + every)
            won = Schedule.objects.filter(Q(name=name) & due).update(
                next_run_at=now + every, last_run_at=now, last_worker=worker_id, runs=F("runs") + 1
            )
            if won:
                # Same database as the schedule row: the claim and the job commit together or not at all.
                import_string(spec["task"]).enqueue()
                enqueued.append(name)
    if enqueued:
        log.info("scheduled %s", ", ".join(enqueued))
    return enqueued


class Housekeeper(threading.Thread):
    """The heartbeat/reclaim/schedule thread of one worker process (dies with it, as it should)."""

    def __init__(self, worker_id: str, *, schedule: bool = True) -> None:
        super().__init__(name="jobs-housekeeper", daemon=True)
        self.worker_id = worker_id
        self.schedule = schedule
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.step()
            self.stopping.wait(settings.JOBS_HEARTBEAT_SECONDS)
        connections.close_all()

    def step(self) -> None:
        close_old_connections()
        for action in (self._beat, reclaim_lost, self._schedule):
            try:
                action()
            except Exception:  # a database hiccup must not end the thread: the next step tries again
                log.warning("jobs housekeeping: %s failed", getattr(action, "__name__", action), exc_info=True)

    def _beat(self) -> None:
        beat(self.worker_id, started_at=self.started_at)

    def _schedule(self) -> None:
        if self.schedule:
            tick_schedules(self.worker_id)

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()  # a clean exit is not a lost worker
        except Exception:
            log.warning("could not remove the heartbeat of %s", self.worker_id, exc_info=True)


# --- what /healthz reports ------------------------------------------------------------------------------------------
def queue_status(now: datetime | None = None) -> dict[str, Any]:
    """Live workers, waiting jobs and the age of the oldest waiting one (seconds), for /healthz."""
    now = now or timezone.now()
    waiting = DBTaskResult.objects.filter(status=READY).filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    age = 0.0
    if oldest is not None:
        enqueued_at, run_after = oldest
        since = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        age = max(0.0, (now - since).total_seconds())
    return {
        "workers": len(live_worker_ids(now)),
        "workers_seen": WorkerHeartbeat.objects.exists(),
        "waiting": waiting.count(),
        "running": DBTaskResult.objects.filter(status=RUNNING).count(),
        "oldest_waiting_seconds": round(age, 1),
    }
