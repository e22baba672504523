"""`respondToEndorsementRequest`: the recipient accepts (creating the endorsement) or declines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from endorsements.models import Endorsement, EndorsementRequest, RequestStatus
from endorsements.services import endorse, request_endorsement
from endorsements.tests.factories import listing, make_established, refreshed
from notifications.models import Notification
from profiles.services import block_member
from profiles.tests.factories import make_member
from skills.services import set_endorsements_enabled
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

RESPOND = """
mutation($id: ID!, $accept: Boolean!, $comment: String) {
  respondToEndorsementRequest(input: {requestId: $id, accept: $accept, comment: $comment}) {
    endorsementRequest { id status endorsement { id } }
    endorsement { id comment relationship weight weightExplanation endorser { username } member { username } }
    errors { field code }
  }
}
"""


@pytest.fixture
def given():
    ana = make_established("ana", display_name="Ana Lima")
    ms = listing(ana, "Kubernetes")
    maria = make_established("maria", seniority="MANAGER", display_name="Maria Okafor")
    request = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="MANAGER", message="Please?")
    Notification.objects.all().delete()
    return dict(ana=ana, maria=maria, ms=ms, request=request, gid=encode_id("EndorsementRequest", request.pk))


def respond(user, gid, accept=True, comment=None):
    body = gql(client_for(user), RESPOND, {"id": gid, "accept": accept, "comment": comment})
    return data_of(body)["respondToEndorsementRequest"]


def test_accepting_creates_the_endorsement_with_the_comment(given):
    payload = respond(given["maria"], given["gid"], comment="Led the migration.")
    assert payload["errors"] == []
    e = payload["endorsement"]
    assert e["comment"] == "Led the migration." and e["relationship"] == "MANAGER"
    assert (e["endorser"]["username"], e["member"]["username"]) == ("maria", "ana")
    assert e["weight"] == 3.0 and "managed Ana Lima: counts 3.0×" in e["weightExplanation"]
    assert payload["endorsementRequest"] == {"id": given["gid"], "status": "ACCEPTED", "endorsement": {"id": e["id"]}}
    ms = refreshed(given["ms"])
    assert ms.endorsement_count == 1 and ms.score > 0
    request = EndorsementRequest.objects.get()
    assert request.responded_at is not None


def test_the_requester_is_told_it_was_accepted(given):
    payload = respond(given["maria"], given["gid"])
    note = Notification.objects.get()
    assert note.recipient == given["ana"] and note.kind == "endorsement_request.answered"
    assert note.payload == {
        "requestId": given["gid"],
        "recipient": {"username": "maria", "displayName": "Maria Okafor", "url": "/m/maria/"},
        "skill": {"name": "Kubernetes", "slug": "kubernetes"},
        "status": "ACCEPTED",
        "endorsementId": payload["endorsement"]["id"],
        "url": "/m/ana/",
    }


def test_declining_tells_the_requester_without_any_comment(given):
    payload = respond(given["maria"], given["gid"], accept=False, comment="Not really my call to make.")
    assert payload["errors"] == [] and payload["endorsement"] is None
    assert payload["endorsementRequest"]["status"] == "DECLINED"
    assert not Endorsement.objects.exists()
    note = Notification.objects.get()
    assert note.recipient == given["ana"] and note.payload["status"] == "DECLINED"
    assert "endorsementId" not in note.payload
    assert "Not really" not in str(note.payload) and "comment" not in note.payload


def test_accepting_twice_yields_one_endorsement(given):
    assert respond(given["maria"], given["gid"])["errors"] == []
    again = respond(given["maria"], given["gid"])
    assert error_codes(again) == ["INVALID_STATE"] and again["endorsement"] is None
    assert Endorsement.objects.count() == 1
    assert error_codes(respond(given["maria"], given["gid"], accept=False)) == ["INVALID_STATE"]
    assert EndorsementRequest.objects.get().status == RequestStatus.ACCEPTED


@pytest.mark.parametrize("who", ["ana", "stranger"])
def test_only_the_recipient_may_answer(given, who):
    user = given.get(who) or make_member("stranger")
    for accept in (True, False):
        payload = respond(user, given["gid"], accept=accept)
        assert error_codes(payload) == ["NOT_FOUND"] and payload["errors"][0]["field"] == "requestId"
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING
    assert not Endorsement.objects.exists() and not Notification.objects.exists()


def test_anonymous_cannot_answer(given):
    assert unauthenticated(gql(Client(), RESPOND, {"id": given["gid"], "accept": True}))
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING


@pytest.mark.parametrize("bad", ["", "zzz", encode_id("Endorsement", 1), encode_id("EndorsementRequest", 99999)])
def test_bad_ids_are_not_found(given, bad):
    assert error_codes(respond(given["maria"], bad)) == ["NOT_FOUND"]
    assert not Endorsement.objects.exists()


def test_an_overdue_request_cannot_be_answered(given):
    EndorsementRequest.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert error_codes(respond(given["maria"], given["gid"])) == ["INVALID_STATE"]
    assert error_codes(respond(given["maria"], given["gid"], accept=False)) == ["INVALID_STATE"]
    assert not Endorsement.objects.exists()


def test_a_cancelled_request_cannot_be_answered(given):
    from endorsements.services import cancel_endorsement_request

    cancel_endorsement_request(given["ana"], request_id=given["request"].pk)
    assert error_codes(respond(given["maria"], given["gid"])) == ["INVALID_STATE"]


def test_accepting_after_a_block_is_refused(given):
    # Blocking cancels the pending requests between the two, so there is nothing left to accept.
    block_member(given["ana"], member=given["maria"])
    assert error_codes(respond(given["maria"], given["gid"])) == ["INVALID_STATE"]
    assert EndorsementRequest.objects.get().status == RequestStatus.CANCELLED and not Endorsement.objects.exists()


def test_accepting_after_endorsements_were_turned_off_is_refused(given):
    set_endorsements_enabled(given["ana"], member_skill_id=given["ms"].pk, enabled=False)
    assert error_codes(respond(given["maria"], given["gid"])) == ["ENDORSEMENTS_OFF"]
    # Declining still works.
    assert respond(given["maria"], given["gid"], accept=False)["errors"] == []


def test_oversized_comment_is_refused_and_nothing_written(given):
    assert error_codes(respond(given["maria"], given["gid"], comment="c" * 1001)) == ["MAX_LENGTH"]
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING and not Endorsement.objects.exists()


def test_accepting_counts_against_the_daily_cap(given, settings):
    settings.ENDORSEMENTS_PER_DAY = 1
    listing(make_member("ben"), "Go")
    endorse(given["maria"], member="ben", skill="Go", relationship="PEER")
    assert error_codes(respond(given["maria"], given["gid"])) == ["RATE_LIMITED"]
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING
