"""The job engine in this process, on the real django-tasks-db backend: retries with backoff, periodic jobs once per
interval, lost-job reclaim rules, /healthz's queue report. (Worker processes: test_worker_processes.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import worker
from jobs.models import Schedule, WorkerHeartbeat
from jobs.testing import run_worker_batch
from jobs.tests.sample_jobs import flaky, slow

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failing_job_is_retried_later_with_backoff_then_succeeds(database_backend, tmp_path):
    log = tmp_path / "attempts"
    flaky.enqueue(str(log), 1)
    run_worker_batch()
    failed = DBTaskResult.objects.get(status="FAILED")
    assert "attempt 1 fails on purpose" in failed.traceback
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    # Backoff: 60 s ± 20 % from now, so a batch run now does not pick it up.
    wait = (retry.run_after - timezone.now()).total_seconds()
    assert 40 < wait < 75
    run_worker_batch()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker_batch()
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL" and retry.return_value == 2
    assert log.read_text().count("attempt") == 2


def test_retries_stop_after_the_last_attempt(database_backend, tmp_path):
    log = tmp_path / "attempts"
    flaky.enqueue(str(log), 99)
    for _ in range(5):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker_batch()
    # retries=2: three attempts, three FAILED rows, nothing left waiting.
    assert DBTaskResult.objects.filter(status="FAILED").count() == 3
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert log.read_text().count("attempt") == 3


def test_a_periodic_job_is_enqueued_once_per_interval_whoever_ticks(database_backend, settings):
    settings.PERIODIC_JOBS = {"expire": {"task": "endorsements.tasks.expire_requests", "every": 3600}}
    now = timezone.now()
    assert worker.tick_schedules("w1", now) == ["expire"]
    # Other workers (and the same one) ticking within the interval claim nothing.
    assert worker.tick_schedules("w2", now) == []
    assert worker.tick_schedules("w1", now + timedelta(minutes=59)) == []
    assert DBTaskResult.objects.filter(task_path="endorsements.tasks.expire_requests").count() == 1
    assert worker.tick_schedules("w2", now + timedelta(minutes=61)) == ["expire"]
    schedule = Schedule.objects.get(name="expire")
    assert schedule.runs == 2 and schedule.last_worker == "w2"
    assert DBTaskResult.objects.filter(task_path="endorsements.tasks.expire_requests").count() == 2


def test_a_shortened_interval_takes_effect_at_once(database_backend, settings):
    settings.PERIODIC_JOBS = {"expire": {"task": "endorsements.tasks.expire_requests", "every": 86400}}
    now = timezone.now()
    worker.tick_schedules("w1", now)
    settings.PERIODIC_JOBS = {"expire": {"task": "endorsements.tasks.expire_requests", "every": 60}}
    assert worker.tick_schedules("w1", now + timedelta(seconds=1)) == ["expire"]


def _running(job, worker_ids, started_ago: float):
    result = job.enqueue("/dev/null", 0)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=worker_ids, started_at=timezone.now() - timedelta(seconds=started_ago)
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_reclaim_requeues_jobs_of_dead_workers_only(database_backend, settings):
    settings.JOBS_WORKER_LEASE_SECONDS = 30
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", started_at=now, last_seen=now)
    WorkerHeartbeat.objects.create(worker_id="dead", started_at=now, last_seen=now - timedelta(minutes=5))
    of_alive = _running(slow, ["alive"], 120)
    of_dead = _running(slow, ["dead"], 120)
    of_unknown = _running(slow, ["never-seen"], 120)
    just_started = _running(slow, ["starting"], 1)  # its worker may not have beaten yet: leave it
    assert worker.reclaim_lost(now) == {"requeued": 2, "failed": 0}
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[of_alive.pk] == "RUNNING" and statuses[just_started.pk] == "RUNNING"
    assert statuses[of_dead.pk] == "READY" and statuses[of_unknown.pk] == "READY"
    # A second reclaim (another worker's) finds nothing more to do.
    assert worker.reclaim_lost(now) == {"requeued": 0, "failed": 0}


def test_a_job_that_keeps_losing_its_worker_is_given_up(database_backend, settings):
    settings.JOBS_MAX_ATTEMPTS = 3
    job = _running(slow, ["a", "b", "c"], 120)
    assert worker.reclaim_lost() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "FAILED" and job.exception_class_path == "jobs.worker.WorkerLost"


def test_healthz_reports_the_queue_and_fails_when_workers_are_gone(database_backend, settings, tmp_path):
    client = Client()
    body = client.get("/healthz").json()
    assert body["checks"]["jobs"] == "ok"  # no worker ever, nothing waiting: a fresh development server
    assert body["queue"] == {"workers": 0, "waiting": 0, "running": 0, "oldest_waiting_seconds": 0.0}

    slow.enqueue(str(tmp_path / "log"), 0)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(seconds=settings.JOBS_MAX_WAIT_SECONDS + 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"]["waiting"] == 1
    assert response.json()["queue"]["oldest_waiting_seconds"] > settings.JOBS_MAX_WAIT_SECONDS

    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w", started_at=now, last_seen=now)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["queue"]["workers"] == 1

    WorkerHeartbeat.objects.update(last_seen=now - timedelta(seconds=settings.JOBS_WORKER_LEASE_SECONDS + 1))
    DBTaskResult.objects.all().delete()
    response = client.get("/healthz")
    assert response.status_code == 503  # the worker that was there stopped beating: gone
    assert "no live job worker" in response.json()["checks"]["jobs"]


def test_a_clean_worker_exit_removes_its_heartbeat(database_backend):
    run_worker_batch(worker_id="batch-worker")
    assert not WorkerHeartbeat.objects.filter(worker_id="batch-worker").exists()
