"""Pending requests expire after ENDORSEMENT_REQUEST_TTL_DAYS: read as EXPIRED at once, stored so by the sweep."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from endorsements.models import EndorsementRequest, RequestStatus
from endorsements.services import expire_endorsement_requests, request_endorsement
from endorsements.tests.factories import listing
from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(settings):
    settings.ENDORSEMENT_REQUEST_TTL_DAYS = 7
    ana = make_member("ana")
    out = []
    for i, skill in enumerate(("Go", "SQL")):
        listing(ana, skill)
        out.append(request_endorsement(ana, recipient=make_member(f"rec{i}"), skill=skill, relationship="PEER"))
    return out


def test_requests_expire_after_the_configured_days(requests):
    r = requests[0]
    assert r.expires_at - r.created_at == timedelta(days=7)
    assert expire_endorsement_requests(now=timezone.now() + timedelta(days=6)) == 0
    assert expire_endorsement_requests(now=timezone.now() + timedelta(days=7, seconds=1)) == 2
    assert set(EndorsementRequest.objects.values_list("status", flat=True)) == {RequestStatus.EXPIRED}


def test_an_overdue_request_reads_expired_before_the_sweep(requests):
    EndorsementRequest.objects.filter(pk=requests[0].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    first = EndorsementRequest.objects.get(pk=requests[0].pk)
    assert first.status == RequestStatus.PENDING and first.effective_status == RequestStatus.EXPIRED
    assert EndorsementRequest.objects.get(pk=requests[1].pk).effective_status == RequestStatus.PENDING


def test_management_command_sweeps_overdue_requests(requests):
    EndorsementRequest.objects.filter(pk=requests[0].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("expire_endorsement_requests", stdout=out)
    assert "1 endorsement request(s) expired" in out.getvalue()
    assert list(EndorsementRequest.objects.order_by("pk").values_list("status", flat=True)) == ["EXPIRED", "PENDING"]
