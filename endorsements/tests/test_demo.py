"""The demo network's endorsements: a realistic spread, correct scores, idempotent."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from endorsements import demo as endorsements_demo
from endorsements import weighting
from endorsements.models import Endorsement, EndorsementRequest
from profiles import demo as profiles_demo
from skills.models import MemberSkill

pytestmark = pytest.mark.django_db


def seed():
    org = profiles_demo.seed(random.Random(2026))
    endorsements_demo.seed(random.Random(2026), org)
    return org


def snapshot():
    return (
        sorted(
            Endorsement.objects.values_list(
                "endorser__username", "member__username", "skill__name", "relationship", "hidden"
            )
        ),
        sorted(
            EndorsementRequest.objects.values_list(
                "requester__username", "recipient__username", "skill__name", "status"
            )
        ),
    )


def test_demo_has_managers_peers_reports_hidden_and_requests_with_correct_scores():
    org = seed()
    relationships = Counter(Endorsement.objects.values_list("relationship", flat=True))
    assert relationships["MANAGER"] >= 30 and relationships["PEER"] >= 10 and relationships["REPORT"] >= 5
    assert relationships["OTHER"] >= 1
    assert 1 <= Endorsement.objects.filter(hidden=True).count() <= 5
    statuses = Counter(EndorsementRequest.objects.values_list("status", flat=True))
    assert statuses["PENDING"] >= 3 and statuses["DECLINED"] >= 1 and statuses["ACCEPTED"] >= 1
    # Managers endorse their own reports as MANAGER.
    for e in Endorsement.objects.filter(relationship="MANAGER").select_related("endorser", "member")[:20]:
        assert org.manager_of[e.member.username] == e.endorser.username
    # Established members' endorsements count in full; interns' are new accounts.
    assert Endorsement.objects.filter(from_established=True).count() > Endorsement.objects.count() * 0.8

    # Scores equal the formula over the visible endorsements.
    for ms in MemberSkill.objects.all():
        visible = list(Endorsement.objects.filter(member_skill=ms, hidden=False))
        assert ms.endorsement_count == len(visible)
        assert ms.score == weighting.score(
            [e.weight for e in visible if e.from_established], [e.weight for e in visible if not e.from_established]
        )
    assert MemberSkill.objects.filter(score__gt=0).count() > 40


def test_demo_is_idempotent_and_deterministic():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    Endorsement.objects.all().delete()
    EndorsementRequest.objects.all().delete()
    from endorsements.models import DailyCount

    DailyCount.objects.all().delete()
    seed()
    assert snapshot() == first
