"""BADGE_VERIFY_MODE=background: the import answers PENDING at once; a pool thread verifies after commit."""

from __future__ import annotations

import pytest

from badges import services, tasks
from badges.models import Badge, BadgeStatus
from profiles.tests.factories import make_member


@pytest.mark.django_db(transaction=True)
def test_background_mode_verifies_in_a_pool_thread_after_commit(issuer, settings, monkeypatch):
    settings.BADGE_VERIFY_MODE = "background"
    futures = []
    schedule = tasks.schedule_verification
    monkeypatch.setattr(tasks, "schedule_verification", lambda pk: futures.append(schedule(pk)))
    ana = make_member("ana", email="ana@example.com")
    badge = services.import_badge(ana, url=issuer.hosted("ana@example.com"))
    assert badge.status == BadgeStatus.PENDING  # the request does not wait for the issuer
    assert len(futures) == 1 and futures[0] is not None
    futures[0].result(timeout=30)
    badge.refresh_from_db()
    assert badge.status == BadgeStatus.VERIFIED


@pytest.mark.django_db
def test_a_full_queue_leaves_the_badge_pending_for_reverify_badges(settings, monkeypatch):
    settings.BADGE_VERIFY_MODE = "background"
    executor, slots = tasks._pool()
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        assert tasks.schedule_verification(123456) is None
    finally:
        for _ in range(taken):
            slots.release()


@pytest.mark.django_db
def test_off_mode_schedules_nothing(settings):
    settings.BADGE_VERIFY_MODE = "off"
    assert tasks.schedule_verification(1) is None
    assert Badge.objects.count() == 0
