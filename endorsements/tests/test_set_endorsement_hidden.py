"""`setEndorsementHidden`: the endorsed member hides an endorsement from everyone else, and shows it again."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established, refreshed
from notifications.models import Notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

HIDE = """
mutation($id: ID!, $hidden: Boolean!) {
  setEndorsementHidden(input: {endorsementId: $id, hidden: $hidden}) {
    endorsement { id hidden endorser { username } }
    memberSkill { score endorsementCount }
    errors { field code }
  }
}
"""
PROFILE = """
query {
  member(username: "ana") {
    skills { score endorsementCount
      endorsements(first: 10) { totalCount edges { node { endorser { username } hidden } } }
      topEndorsers { username } }
  }
}
"""
RANKING = """query { members(skill: "Go") { edges { node { username } } } }"""


@pytest.fixture
def given():
    ana = make_established("ana")
    ben = make_established("ben")
    ms = listing(ana, "Go")
    listing(ben, "Go")
    maria = make_established("maria", seniority="MANAGER")
    kwame = make_established("kwame", seniority="JUNIOR")
    top = endorse(maria, member=ana, skill="Go", relationship="MANAGER")
    endorse(kwame, member=ana, skill="Go", relationship="PEER")
    endorse(kwame, member=ben, skill="Go", relationship="PEER")
    endorse(make_established("lena", seniority="JUNIOR"), member=ben, skill="Go", relationship="PEER")
    return dict(ana=ana, maria=maria, kwame=kwame, ms=ms, endorsement=top, gid=encode_id("Endorsement", top.pk))


def hide(user, gid, hidden=True):
    return data_of(gql(client_for(user), HIDE, {"id": gid, "hidden": hidden}))["setEndorsementHidden"]


def profile(user):
    return data_of(gql(client_for(user), PROFILE))["member"]["skills"][0]


def ranking(user=None):
    return [e["node"]["username"] for e in data_of(gql(client_for(user), RANKING))["members"]["edges"]]


def test_hidden_endorsement_disappears_for_everyone_else_but_not_for_the_member(given):
    assert ranking() == ["ana", "ben"]
    notes = Notification.objects.count()
    payload = hide(given["ana"], given["gid"])
    assert payload["errors"] == [] and payload["endorsement"]["hidden"] is True
    assert payload["memberSkill"]["endorsementCount"] == 1

    for viewer in (None, given["maria"], given["kwame"]):
        seen = profile(viewer)
        assert seen["endorsementCount"] == 1
        assert seen["endorsements"]["totalCount"] == 1
        assert [e["node"] for e in seen["endorsements"]["edges"]] == [
            {"endorser": {"username": "kwame"}, "hidden": None}
        ]
        assert seen["topEndorsers"] == [{"username": "kwame"}]
    own = profile(given["ana"])
    assert own["endorsementCount"] == 1  # the public count, even for the owner
    assert own["endorsements"]["totalCount"] == 2
    assert [e["node"] for e in own["endorsements"]["edges"]] == [
        {"endorser": {"username": "maria"}, "hidden": True},
        {"endorser": {"username": "kwame"}, "hidden": False},
    ]
    assert own["topEndorsers"] == [{"username": "kwame"}]
    # Search ranking by the skill follows the public score.
    assert ranking() == ["ben", "ana"]
    # Nobody is told: not the endorser, not anyone.
    assert Notification.objects.count() == notes


def test_showing_again_restores_score_and_count(given):
    before = refreshed(given["ms"]).score
    hide(given["ana"], given["gid"])
    payload = hide(given["ana"], given["gid"], hidden=False)
    assert payload["errors"] == [] and payload["endorsement"]["hidden"] is False
    ms = refreshed(given["ms"])
    assert (ms.score, ms.endorsement_count) == (before, 2)
    assert ranking() == ["ana", "ben"]


def test_hiding_twice_is_harmless(given):
    hide(given["ana"], given["gid"])
    assert hide(given["ana"], given["gid"])["errors"] == []
    assert refreshed(given["ms"]).endorsement_count == 1


@pytest.mark.parametrize("who", ["maria", "kwame", "stranger"])
def test_only_the_endorsed_member_may_hide(given, who):
    user = given.get(who) or make_member("stranger")
    payload = hide(user, given["gid"])
    assert error_codes(payload) == ["NOT_FOUND"] and payload["endorsement"] is None
    assert not Endorsement.objects.filter(hidden=True).exists()
    assert refreshed(given["ms"]).endorsement_count == 2


def test_anonymous_cannot_hide(given):
    assert unauthenticated(gql(Client(), HIDE, {"id": given["gid"], "hidden": True}))
    assert not Endorsement.objects.filter(hidden=True).exists()


@pytest.mark.parametrize("bad", ["", "!!", encode_id("Endorsement", 0), encode_id("Endorsement", 424242)])
def test_bad_ids_are_not_found(given, bad):
    assert error_codes(hide(given["ana"], bad)) == ["NOT_FOUND"]
    assert not Endorsement.objects.filter(hidden=True).exists()


def test_a_hidden_endorsement_is_not_found_by_node_for_others(given):
    hide(given["ana"], given["gid"])
    query = "query($id: ID!) { node(id: $id) { ... on Endorsement { id hidden } } }"
    assert data_of(gql(client_for(given["maria"]), query, {"id": given["gid"]}))["node"] is None
    assert data_of(gql(Client(), query, {"id": given["gid"]}))["node"] is None
    assert data_of(gql(client_for(given["ana"]), query, {"id": given["gid"]}))["node"] == {
        "id": given["gid"],
        "hidden": True,
    }
