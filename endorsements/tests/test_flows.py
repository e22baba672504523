"""End to end through GraphQL: ask, accept from the inbox, see it weighed and explained, hide, show, rank, withdraw."""

from __future__ import annotations

import pytest

from endorsements.tests.factories import make_established
from notifications.models import Notification
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, gql

pytestmark = pytest.mark.django_db

ADD_SKILL = "mutation($n: String!) { addSkill(input: {name: $n}) { memberSkill { id } errors { code } } }"
REQUEST = """mutation($to: String!, $skill: String!) { requestEndorsement(input: {recipient: $to, skill: $skill,
  relationship: MANAGER, message: "Could you vouch for my Kubernetes work?"}) {
  endorsementRequest { id } errors { code } } }"""
INBOX = """{ endorsementRequests(direction: INCOMING, status: PENDING, first: 10) { totalCount edges { node { id message
  requester { username } skill { name } } } } }"""
ACCEPT = """mutation($id: ID!) { respondToEndorsementRequest(input: {requestId: $id, accept: true, comment: "Solid."}) {
  endorsement { id weight weightExplanation } errors { code } } }"""
ENDORSE = """mutation($m: String!, $s: String!, $r: Relationship!) {
  endorse(input: {member: $m, skill: $s, relationship: $r}) { endorsement { id weight } errors { code } } }"""
HIDE = """mutation($id: ID!, $h: Boolean!) {
  setEndorsementHidden(input: {endorsementId: $id, hidden: $h}) { errors { code } } }"""
WITHDRAW = """mutation($id: ID!) { withdrawEndorsement(input: {endorsementId: $id}) { errors { code } } }"""
PROFILE = """{ member(username: "ana") { skills { skill { name } score endorsementCount
  topEndorsements(limit: 3) { endorser { username } weight weightExplanation } } } }"""
RANK = """{ members(skill: "kubernetes", first: 10) { edges { node { username } } } }"""


def test_request_accept_weigh_hide_show_rank_withdraw():
    ana = make_member("ana", seniority="MID", display_name="Ana")
    ben = make_member("ben", seniority="MID")
    maria = make_established("maria", seniority="MANAGER")
    peer = make_established("peer", seniority="JUNIOR")
    a, m, p, b = (client_for(u) for u in (ana, maria, peer, ben))
    for client in (a, b):
        assert data_of(gql(client, ADD_SKILL, {"n": "Kubernetes"}))["addSkill"]["errors"] == []

    # Ana asks her manager; Maria sees it in her inbox and accepts.
    assert data_of(gql(a, REQUEST, {"to": "maria", "skill": "k8s"}))["requestEndorsement"]["errors"] == []
    inbox = data_of(gql(m, INBOX))["endorsementRequests"]
    assert inbox["totalCount"] == 1
    node = inbox["edges"][0]["node"]
    assert (node["requester"]["username"], node["skill"]["name"]) == ("ana", "Kubernetes")
    accepted = data_of(gql(m, ACCEPT, {"id": node["id"]}))["respondToEndorsementRequest"]
    assert accepted["errors"] == []
    manager_endorsement = accepted["endorsement"]
    assert manager_endorsement["weightExplanation"].startswith("Maria, Manager (confirmed), managed Ana: counts 3.0×")
    assert Notification.objects.filter(recipient=ana, kind="endorsement_request.answered").count() == 1
    assert data_of(gql(m, INBOX))["endorsementRequests"]["totalCount"] == 0

    # A junior peer endorses Ben directly: the manager's endorsement counts more.
    peer_endorsement = data_of(gql(p, ENDORSE, {"m": "ben", "s": "Kubernetes", "r": "PEER"}))["endorse"]["endorsement"]
    assert manager_endorsement["weight"] > peer_endorsement["weight"]
    assert [e["node"]["username"] for e in data_of(gql(client_for(None), RANK))["members"]["edges"]] == ["ana", "ben"]

    # Ana hides Maria's endorsement: it leaves her public score and the ranking; showing restores both.
    assert data_of(gql(a, HIDE, {"id": manager_endorsement["id"], "h": True}))["setEndorsementHidden"]["errors"] == []
    public = data_of(gql(client_for(None), PROFILE))["member"]["skills"][0]
    assert (public["score"], public["endorsementCount"], public["topEndorsements"]) == (0.0, 0, [])
    assert [e["node"]["username"] for e in data_of(gql(client_for(None), RANK))["members"]["edges"]] == ["ben", "ana"]
    assert data_of(gql(a, HIDE, {"id": manager_endorsement["id"], "h": False}))["setEndorsementHidden"]["errors"] == []
    public = data_of(gql(client_for(None), PROFILE))["member"]["skills"][0]
    assert public["endorsementCount"] == 1 and public["topEndorsements"][0]["endorser"]["username"] == "maria"

    # Maria withdraws: Ana's score is back to zero.
    assert data_of(gql(m, WITHDRAW, {"id": manager_endorsement["id"]}))["withdrawEndorsement"]["errors"] == []
    public = data_of(gql(client_for(None), PROFILE))["member"]["skills"][0]
    assert (public["score"], public["endorsementCount"]) == (0.0, 0)
