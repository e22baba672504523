"""`cancelEndorsementRequest`: the requester withdraws a pending request."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import EndorsementRequest, RequestStatus
from endorsements.services import request_endorsement, respond_to_endorsement_request
from endorsements.tests.factories import listing
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

CANCEL = """
mutation($id: ID!) {
  cancelEndorsementRequest(input: {requestId: $id}) { endorsementRequest { id status } errors { field code } }
}
"""


@pytest.fixture
def given():
    ana = make_member("ana")
    listing(ana, "Go")
    maria = make_member("maria")
    request = request_endorsement(ana, recipient=maria, skill="Go", relationship="PEER")
    return dict(ana=ana, maria=maria, request=request, gid=encode_id("EndorsementRequest", request.pk))


def cancel(user, gid):
    return data_of(gql(client_for(user), CANCEL, {"id": gid}))["cancelEndorsementRequest"]


def test_requester_cancels_a_pending_request(given):
    payload = cancel(given["ana"], given["gid"])
    assert payload == {"endorsementRequest": {"id": given["gid"], "status": "CANCELLED"}, "errors": []}
    assert EndorsementRequest.objects.get().status == RequestStatus.CANCELLED


@pytest.mark.parametrize("who", ["maria", "stranger"])
def test_others_get_not_found(given, who):
    user = given.get(who) or make_member("stranger")
    assert error_codes(cancel(user, given["gid"])) == ["NOT_FOUND"]
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING


def test_anonymous_cannot_cancel(given):
    assert unauthenticated(gql(Client(), CANCEL, {"id": given["gid"]}))
    assert EndorsementRequest.objects.get().status == RequestStatus.PENDING


@pytest.mark.parametrize("bad", ["", "bad", encode_id("EndorsementRequest", 77777)])
def test_bad_ids_are_not_found(given, bad):
    assert error_codes(cancel(given["ana"], bad)) == ["NOT_FOUND"]


def test_only_pending_requests_can_be_cancelled(given):
    respond_to_endorsement_request(given["maria"], request_id=given["request"].pk, accept=False)
    assert error_codes(cancel(given["ana"], given["gid"])) == ["INVALID_STATE"]
    assert EndorsementRequest.objects.get().status == RequestStatus.DECLINED


def test_cancelling_twice_is_invalid_state(given):
    assert cancel(given["ana"], given["gid"])["errors"] == []
    assert error_codes(cancel(given["ana"], given["gid"])) == ["INVALID_STATE"]
