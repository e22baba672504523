"""`endorsementRequests(direction:, status:)`: the inbox and the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from endorsements.models import EndorsementRequest
from endorsements.services import cancel_endorsement_request, request_endorsement, respond_to_endorsement_request
from endorsements.tests.factories import listing
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import CountQueries, client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

REQUESTS = """
query($direction: RequestDirection!, $status: RequestStatus, $first: Int) {
  endorsementRequests(direction: $direction, status: $status, first: $first) {
    totalCount
    edges { node { id status relationship message createdAt
      requester { username displayName } recipient { username displayName } skill { name slug }
      endorsement { id weight endorser { username } } } }
  }
}
"""

INBOX = """
query($first: Int) {
  endorsementRequests(direction: INCOMING, first: $first) {
    totalCount edges { node { id status requester { username } skill { name } endorsement { id weight } } }
  }
}
"""


def listed(user, direction, status=None, first=10):
    body = gql(client_for(user), REQUESTS, {"direction": direction, "status": status, "first": first})
    return data_of(body)["endorsementRequests"]


@pytest.fixture
def given():
    ana, maria, kwame = make_member("ana"), make_member("maria"), make_member("kwame")
    for skill in ("Go", "Python", "SQL"):
        listing(ana, skill)
    listing(kwame, "Go")
    r_go = request_endorsement(ana, recipient=maria, skill="Go", relationship="MANAGER", message="please")
    r_py = request_endorsement(ana, recipient=maria, skill="Python", relationship="PEER")
    r_sql = request_endorsement(ana, recipient=maria, skill="SQL", relationship="OTHER")
    r_kw = request_endorsement(kwame, recipient=ana, skill="Go", relationship="PEER")
    respond_to_endorsement_request(maria, request_id=r_go.pk, accept=True, comment="yes")
    cancel_endorsement_request(ana, request_id=r_py.pk)
    return dict(ana=ana, maria=maria, kwame=kwame, go=r_go, py=r_py, sql=r_sql, kw=r_kw)


def ids(conn):
    return [e["node"]["id"] for e in conn["edges"]]


def gid(r):
    return encode_id("EndorsementRequest", r.pk)


def test_inbox_and_outbox_newest_first(given):
    assert ids(listed(given["maria"], "INCOMING")) == [gid(given["sql"]), gid(given["py"]), gid(given["go"])]
    assert ids(listed(given["ana"], "OUTGOING")) == [gid(given["sql"]), gid(given["py"]), gid(given["go"])]
    assert ids(listed(given["ana"], "INCOMING")) == [gid(given["kw"])]
    assert listed(given["maria"], "OUTGOING") == {"totalCount": 0, "edges": []}
    accepted = listed(given["maria"], "INCOMING", "ACCEPTED")["edges"][0]["node"]
    assert accepted["status"] == "ACCEPTED" and accepted["message"] == "please"
    assert accepted["endorsement"]["endorser"]["username"] == "maria"
    assert accepted["requester"]["username"] == "ana" and accepted["skill"]["slug"] == "go"


def test_status_filter_treats_overdue_pending_as_expired(given):
    assert ids(listed(given["maria"], "INCOMING", "PENDING")) == [gid(given["sql"])]
    assert ids(listed(given["maria"], "INCOMING", "CANCELLED")) == [gid(given["py"])]
    EndorsementRequest.objects.filter(pk=given["sql"].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert listed(given["maria"], "INCOMING", "PENDING")["edges"] == []
    expired = listed(given["maria"], "INCOMING", "EXPIRED")
    assert ids(expired) == [gid(given["sql"])] and expired["edges"][0]["node"]["status"] == "EXPIRED"


def test_a_third_member_sees_nothing_and_cannot_fetch_by_node(given):
    stranger = make_member("stranger")
    assert listed(stranger, "INCOMING")["edges"] == [] and listed(stranger, "OUTGOING")["edges"] == []
    query = "query($id: ID!) { node(id: $id) { id } }"
    assert data_of(gql(client_for(stranger), query, {"id": gid(given["go"])}))["node"] is None
    assert data_of(gql(client_for(given["maria"]), query, {"id": gid(given["go"])}))["node"] == {"id": gid(given["go"])}


def test_anonymous_gets_unauthenticated(given):
    assert unauthenticated(gql(Client(), REQUESTS, {"direction": "INCOMING", "first": 5}))


def test_a_hidden_endorsement_is_not_shown_to_the_endorser_through_the_request(given):
    from endorsements.services import set_endorsement_hidden

    given["go"].refresh_from_db()
    set_endorsement_hidden(given["ana"], endorsement_id=given["go"].endorsement_id, hidden=True)
    node = listed(given["maria"], "INCOMING", "ACCEPTED")["edges"][0]["node"]
    assert node["endorsement"] is None
    assert listed(given["ana"], "OUTGOING", "ACCEPTED")["edges"][0]["node"]["endorsement"] is not None


def test_inbox_sql_count_does_not_grow_with_requests():
    maria = make_member("maria")
    client = client_for(maria)

    def add_requests(n, start):
        for i in range(start, start + n):
            requester = make_member(f"asker{i}")
            listing(requester, "Go")
            r = request_endorsement(requester, recipient=maria, skill="Go", relationship="PEER")
            if i % 2:
                respond_to_endorsement_request(maria, request_id=r.pk, accept=True)

    def count():
        with CountQueries() as q:
            data = data_of(gql(client, INBOX, {"first": 30}))
        return q.count, len(data["endorsementRequests"]["edges"])

    add_requests(2, 0)
    small, n_small = count()
    add_requests(28, 2)
    large, n_large = count()
    assert (n_small, n_large) == (2, 30)
    assert small == large
