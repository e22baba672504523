"""`requestEndorsement`: ask a named member for one of your listed skills; every refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from endorsements.models import EndorsementRequest
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established
from notifications.models import Notification
from profiles.services import block_member
from profiles.tests.factories import make_member
from skills.services import set_endorsements_enabled
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

REQUEST = """
mutation($recipient: String!, $skill: String!, $relationship: Relationship!, $message: String) {
  requestEndorsement(input: {recipient: $recipient, skill: $skill, relationship: $relationship, message: $message}) {
    endorsementRequest { id status relationship message expiresAt
      requester { username } recipient { username } skill { name } endorsement { id } }
    errors { field code }
  }
}
"""


@pytest.fixture
def ana():
    user = make_member("ana", display_name="Ana Lima")
    listing(user, "Kubernetes")
    return user


@pytest.fixture
def maria():
    return make_established("maria", seniority="MANAGER")


def ask(user, recipient="maria", skill="Kubernetes", relationship="MANAGER", message=None):
    body = gql(
        client_for(user), REQUEST, dict(recipient=recipient, skill=skill, relationship=relationship, message=message)
    )
    return data_of(body)["requestEndorsement"]


def test_member_asks_their_manager_and_the_manager_is_notified(ana, maria, settings):
    settings.ENDORSEMENT_REQUEST_TTL_DAYS = 30
    payload = ask(ana, skill="k8s", message="Could you vouch for the cluster work?")
    assert payload["errors"] == []
    r = payload["endorsementRequest"]
    assert r["status"] == "PENDING" and r["relationship"] == "MANAGER" and r["endorsement"] is None
    assert (r["requester"]["username"], r["recipient"]["username"], r["skill"]["name"]) == (
        "ana",
        "maria",
        "Kubernetes",
    )
    stored = EndorsementRequest.objects.get()
    assert abs((stored.expires_at - stored.created_at) - timedelta(days=30)) < timedelta(seconds=1)
    note = Notification.objects.get(recipient=maria)
    assert note.kind == "endorsement_request.received"
    assert note.payload == {
        "requestId": r["id"],
        "requester": {"username": "ana", "displayName": "Ana Lima", "url": "/m/ana/"},
        "skill": {"name": "Kubernetes", "slug": "kubernetes"},
        "relationship": "MANAGER",
        "message": "Could you vouch for the cluster work?",
        "url": f"/requests/#request-{stored.pk}",
    }


def test_anonymous_cannot_request(ana, maria):
    assert unauthenticated(gql(Client(), REQUEST, dict(recipient="maria", skill="Kubernetes", relationship="PEER")))
    assert not EndorsementRequest.objects.exists()


def refused(user, code, field=None, **kw):
    before = (EndorsementRequest.objects.filter(status="PENDING").count(), Notification.objects.count())
    payload = ask(user, **kw)
    assert payload["endorsementRequest"] is None
    assert error_codes(payload) == [code], payload["errors"]
    if field:
        assert payload["errors"][0]["field"] == field
    assert (EndorsementRequest.objects.filter(status="PENDING").count(), Notification.objects.count()) == before


def test_asking_yourself_is_refused(ana):
    refused(ana, "SELF_ENDORSEMENT", "recipient", recipient="ana")


def test_unknown_or_deactivated_recipient_is_not_found(ana, maria):
    refused(ana, "NOT_FOUND", "recipient", recipient="ghost")
    maria.is_active = False
    maria.save()
    refused(ana, "NOT_FOUND", "recipient")


def test_only_your_listed_skills_can_be_requested(ana, maria):
    listing(maria, "Python")  # the recipient's skills do not matter
    refused(ana, "SKILL_NOT_LISTED", "skill", skill="Python")
    refused(ana, "SKILL_NOT_LISTED", "skill", skill="   ")


def test_a_second_pending_request_for_the_same_skill_is_refused(ana, maria):
    assert ask(ana)["errors"] == []
    refused(ana, "ALREADY_REQUESTED", "recipient", relationship="PEER")
    # Another skill, or another recipient, is fine.
    listing(ana, "Go")
    assert ask(ana, skill="Go")["errors"] == []
    make_member("kwame")
    assert ask(ana, recipient="kwame")["errors"] == []


def test_an_overdue_pending_request_makes_room_for_a_new_one(ana, maria):
    assert ask(ana)["errors"] == []
    EndorsementRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ask(ana)["errors"] == []
    assert sorted(EndorsementRequest.objects.values_list("status", flat=True)) == ["EXPIRED", "PENDING"]


def test_asking_someone_who_already_endorsed_that_skill_is_refused(ana, maria):
    endorse(maria, member=ana, skill="Kubernetes", relationship="MANAGER")
    refused(ana, "ALREADY_ENDORSED", "skill")


@pytest.mark.parametrize("who_blocks", ["requester", "recipient"])
def test_blocked_members_cannot_request(ana, maria, who_blocks):
    if who_blocks == "recipient":
        block_member(maria, member=ana)
    else:
        block_member(ana, member=maria)
    refused(ana, "BLOCKED")


def test_a_skill_with_endorsements_off_cannot_be_requested(ana, maria):
    set_endorsements_enabled(ana, member_skill_id=ana.member_skills.get().pk, enabled=False)
    refused(ana, "ENDORSEMENTS_OFF", "skill")


def test_daily_cap_on_requests(ana, settings):
    settings.ENDORSEMENT_REQUESTS_PER_DAY = 2
    for name in ("rec1", "rec2", "rec3"):
        make_member(name)
    assert ask(ana, recipient="rec1")["errors"] == []
    assert ask(ana, recipient="rec2")["errors"] == []
    refused(ana, "RATE_LIMITED", recipient="rec3")
    # Cancelling does not give the quota back.
    from endorsements.services import cancel_endorsement_request

    cancel_endorsement_request(ana, request_id=EndorsementRequest.objects.first().pk)
    refused(ana, "RATE_LIMITED", recipient="rec3")


def test_oversized_message_is_refused(ana, maria):
    refused(ana, "MAX_LENGTH", "message", message="m" * 501)
    assert ask(ana, message="m" * 500)["errors"] == []
