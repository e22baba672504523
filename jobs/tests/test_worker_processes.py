"""Real worker processes (`manage.py run_jobs`) on PostgreSQL: a worker SIGKILLed mid-job loses nothing, and two
workers run a periodic job once per interval. Skipped without PostgreSQL; under CI=true they must run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs.models import Schedule, WorkerHeartbeat
from jobs.testing import wait_for
from jobs.tests.sample_jobs import slow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_job_whose_worker_is_killed_mid_job_is_run_again_by_another_worker(worker_factory, tmp_path):
    log = tmp_path / "slow.log"
    result = slow.enqueue(str(log), 4)
    first = worker_factory("worker-a")
    wait_for(lambda: log.exists() and "started" in log.read_text(), what="worker A to start the job", workers=(first,))
    first.kill()  # SIGKILL: no clean-up, the row stays RUNNING
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING" and row.worker_ids == ["worker-a"]

    second = worker_factory("worker-b")
    wait_for(
        lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL",
        timeout=45,
        what="worker B to reclaim and finish the job",
        workers=(second,),
    )
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.worker_ids == ["worker-a", "worker-b"]  # attempt 2, on the other worker
    lines = log.read_text().splitlines()
    assert [line.split()[0] for line in lines] == ["started", "started", "done"]
    assert lines[0].split()[1] == str(first.process.pid) and lines[2].split()[1] == str(second.process.pid)


def test_two_workers_run_a_periodic_job_once_per_interval(worker_factory):
    from endorsements.models import EndorsementRequest, RequestStatus
    from endorsements.services import request_endorsement
    from endorsements.tests.factories import listing
    from profiles.tests.factories import make_member

    ana = make_member("ana")
    listing(ana, "Go")
    request = request_endorsement(ana, recipient=make_member("ben"), skill="Go", relationship="PEER")
    EndorsementRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now() - timedelta(days=1))
    env = {"EXPIRE_REQUESTS_EVERY_SECONDS": "3600"}
    workers = (worker_factory("tick-a", env=env), worker_factory("tick-b", env=env))
    wait_for(lambda: WorkerHeartbeat.objects.count() == 2, what="both workers to beat", workers=workers)
    path = "endorsements.tasks.expire_requests"
    wait_for(
        lambda: DBTaskResult.objects.filter(task_path=path, status="SUCCESSFUL").exists(),
        what="the scheduled run",
        workers=workers,
    )
    # Let both workers tick several more times (heartbeat 1 s) within the interval.
    started = {w: WorkerHeartbeat.objects.get(worker_id=w).last_seen for w in ("tick-a", "tick-b")}
    wait_for(
        lambda: all(
            WorkerHeartbeat.objects.get(worker_id=w).last_seen > started[w] + timedelta(seconds=3) for w in started
        ),
        what="more ticks",
        workers=workers,
    )
    assert DBTaskResult.objects.filter(task_path=path).count() == 1
    schedule = Schedule.objects.get(name="endorsements.expire_requests")
    assert schedule.runs == 1 and schedule.last_worker in {"tick-a", "tick-b"}
    assert EndorsementRequest.objects.get(pk=request.pk).status == RequestStatus.EXPIRED
