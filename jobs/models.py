"""What the job engine keeps beside django-tasks-db's own `DBTaskResult` rows (docs/architecture.md, "Jobs").

- `WorkerHeartbeat`: each running worker (`manage.py run_jobs`) refreshes its row every few seconds. A RUNNING job
  whose worker has no fresh heartbeat died with it and is put back in the queue (`jobs.worker.reclaim_lost`);
  /healthz reports the live workers.
- `Schedule`: one row per periodic job (settings.PERIODIC_JOBS). Whichever worker first moves `next_run_at` forward
  with a conditional UPDATE enqueues that run, so each interval runs once across all workers.
- `Turn`: at most one job in flight per (lane, member): the fair queue of badge verification (`jobs.fairness`).
- `Owed`: work a request left to a job that must happen at most once although the job may run twice (at-least-once
  delivery): the request writes the key in its transaction, and whoever deletes it (`jobs.engine.settle`) does the
  work: the job, or a later change that makes the work moot (`jobs.engine.owe`).
"""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.IntegerField(default=0)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class Schedule(models.Model):
    name = models.CharField(max_length=64, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    runs = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%Y-%m-%d %H:%M:%S}"


class Turn(models.Model):
    lane = models.CharField(max_length=32)
    member_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lane", "member_id"], name="jobs_turn_unique")]

    def __str__(self) -> str:
        return f"{self.lane}:{self.member_id}"


class Owed(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
