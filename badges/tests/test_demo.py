"""The demo seed's badges verify for real, offline (a did:key OB 3.0 issuer), and keep verifying."""

from __future__ import annotations

import random

import pytest

from badges.models import Badge, BadgeStatus
from badges.services import verify_badge

pytestmark = pytest.mark.django_db


def test_demo_badges_are_verified_offline_and_idempotent(settings):
    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset()
    from badges import demo
    from profiles import demo as profiles_demo

    org = profiles_demo.seed(random.Random(2026))
    demo.seed(random.Random(2026), org)
    badges = list(Badge.objects.all())
    statuses = sorted(b.status for b in badges)
    assert statuses.count(BadgeStatus.VERIFIED) >= 5, [(b.name, b.verification_errors) for b in badges]
    assert statuses.count(BadgeStatus.EXPIRED) == 1
    assert all(b.member_skill_id for b in badges)
    assert Badge.objects.filter(public=False).count() == 1
    verified = next(b for b in badges if b.status == BadgeStatus.VERIFIED)
    assert verify_badge(verified.pk).status == BadgeStatus.VERIFIED  # re-checking needs no network either
    demo.seed(random.Random(2026), org)
    assert Badge.objects.count() == len(badges)
