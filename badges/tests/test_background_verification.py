"""BADGE_VERIFY_MODE=background: the import answers PENDING at once and a job verifies it after commit, on the real
django-tasks-db backend, fair per member (one verification in flight per member). Worker processes on PostgreSQL:
tests/test_mail_worker.py and jobs/tests/test_worker_processes.py."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badges import services, tasks
from badges.models import Badge, BadgeStatus
from jobs.models import Turn
from jobs.testing import run_worker_batch
from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def background(settings, database_backend):
    settings.BADGE_VERIFY_MODE = "background"


def test_background_mode_enqueues_a_job_after_commit_and_a_worker_verifies(issuer, background):
    ana = make_member("ana", email="ana@example.com")
    badge = services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    assert badge.status == BadgeStatus.PENDING  # the request does not wait for the issuer
    job = DBTaskResult.objects.get()
    assert job.task_path == "badges.tasks.verify_next_badge" and job.args_kwargs["args"] == [ana.pk]
    run_worker_batch()
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.VERIFIED
    assert not Turn.objects.exists()  # the turn is handed back when nothing more waits


def test_a_rolled_back_import_enqueues_nothing(issuer, background):
    from django.db import transaction

    ana = make_member("ana", email="ana@example.com")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.import_badge(ana, url=issuer.hosted("ana@example.com"))
        raise RuntimeError("the request failed after the import")
    assert not DBTaskResult.objects.exists() and not Badge.objects.exists()


def test_one_member_flooding_imports_does_not_starve_another(issuer, background):
    ana, ben = make_member("ana", email="ana@example.com"), make_member("ben", email="ben@example.com")
    for _ in range(4):
        services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    services.import_badge(ben, url=issuer.hosted("ben@example.com"))
    # One job in the queue per member, whatever the number of imports.
    assert sorted(DBTaskResult.objects.values_list("args_kwargs__args", flat=True)) == sorted([[ana.pk], [ben.pk]])
    run_worker_batch()
    order = list(Badge.objects.order_by("last_checked_at").values_list("owner__username", flat=True))
    assert set(Badge.objects.values_list("status", flat=True)) == {BadgeStatus.VERIFIED}
    # Ana's first badge, then Ben's (he waited for ONE of hers), then the rest of hers.
    assert order == ["ana", "ben", "ana", "ana", "ana"]
    assert DBTaskResult.objects.filter(task_path="badges.tasks.verify_next_badge").count() == 5
    assert not Turn.objects.exists()


def test_a_job_whose_badge_was_deleted_finishes_quietly(issuer, background):
    ana = make_member("ana", email="ana@example.com")
    badge = services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    services.delete_badge(ana, badge_id=badge.pk)
    run_worker_batch()
    job = DBTaskResult.objects.get()
    assert job.status == "SUCCESSFUL" and job.return_value is None


def test_a_job_whose_member_was_deleted_finishes_quietly(issuer, background):
    ana = make_member("ana", email="ana@example.com")
    services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    ana.delete()
    run_worker_batch()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_periodic_sweep_rechecks_due_badges_through_the_fair_lane(issuer, background, settings):
    ana = make_member("ana", email="ana@example.com")
    badge = services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    run_worker_batch()
    long_ago = timezone.now() - timezone.timedelta(hours=settings.BADGE_REVERIFY_AFTER_HOURS + 1)
    Badge.objects.filter(pk=badge.pk).update(last_checked_at=long_ago, verification_requested_at=long_ago)
    tasks.reverify_due_badges.enqueue()
    run_worker_batch()
    badge.refresh_from_db()
    assert badge.last_checked_at > long_ago + timezone.timedelta(hours=1)


def test_a_turn_left_by_a_job_that_died_for_good_is_released_by_the_sweep(issuer, background, settings):
    ana = make_member("ana", email="ana@example.com")
    badge = services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    DBTaskResult.objects.all().delete()  # the job is gone; the turn stays behind
    stale = timezone.now() - timezone.timedelta(minutes=settings.BADGE_PENDING_STALE_MINUTES + 1)
    Turn.objects.update(created_at=stale)
    Badge.objects.filter(pk=badge.pk).update(verification_requested_at=stale)
    tasks.reverify_due_badges.enqueue()
    run_worker_batch()
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.VERIFIED


def test_off_mode_schedules_nothing(settings, database_backend):
    settings.BADGE_VERIFY_MODE = "off"
    assert tasks.schedule_verification(1) is None
    assert not DBTaskResult.objects.exists()
