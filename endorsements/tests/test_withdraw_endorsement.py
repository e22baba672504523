"""`withdrawEndorsement`: only the endorser; the score follows; nobody is told."""

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

WITHDRAW = """
mutation($id: ID!) {
  withdrawEndorsement(input: {endorsementId: $id}) {
    withdrawnEndorsementId
    memberSkill { score endorsementCount }
    errors { field code }
  }
}
"""


@pytest.fixture
def given():
    ana = make_established("ana")
    ms = listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    kwame = make_established("kwame", seniority="LEAD")
    first = endorse(maria, member=ana, skill="Go", relationship="MANAGER")
    endorse(kwame, member=ana, skill="Go", relationship="PEER")
    return dict(ana=ana, maria=maria, kwame=kwame, ms=ms, endorsement=first, gid=encode_id("Endorsement", first.pk))


def withdraw(user, gid):
    return data_of(gql(client_for(user), WITHDRAW, {"id": gid}))["withdrawEndorsement"]


def test_endorser_withdraws_and_the_score_drops(given):
    before = refreshed(given["ms"]).score
    notes = Notification.objects.count()
    payload = withdraw(given["maria"], given["gid"])
    assert payload["errors"] == [] and payload["withdrawnEndorsementId"] == given["gid"]
    assert payload["memberSkill"]["endorsementCount"] == 1
    assert payload["memberSkill"]["score"] < before
    ms = refreshed(given["ms"])
    assert ms.endorsement_count == 1 and ms.score == payload["memberSkill"]["score"]
    assert not Endorsement.objects.filter(pk=given["endorsement"].pk).exists()
    assert Notification.objects.count() == notes  # nobody is notified


@pytest.mark.parametrize("who", ["ana", "kwame", "stranger"])
def test_another_member_gets_not_found_and_nothing_changes(given, who):
    user = given.get(who) or make_member("stranger")
    before = refreshed(given["ms"]).score
    payload = withdraw(user, given["gid"])
    assert error_codes(payload) == ["NOT_FOUND"] and payload["errors"][0]["field"] == "endorsementId"
    assert Endorsement.objects.filter(pk=given["endorsement"].pk).exists()
    assert refreshed(given["ms"]).score == before


def test_anonymous_cannot_withdraw(given):
    assert unauthenticated(gql(Client(), WITHDRAW, {"id": given["gid"]}))
    assert Endorsement.objects.count() == 2


@pytest.mark.parametrize("bad", ["", "nonsense", encode_id("MemberSkill", 1), encode_id("Endorsement", 999999)])
def test_bad_ids_are_not_found(given, bad):
    assert error_codes(withdraw(given["maria"], bad)) == ["NOT_FOUND"]
    assert Endorsement.objects.count() == 2


def test_withdrawing_twice_is_not_found(given):
    assert withdraw(given["maria"], given["gid"])["errors"] == []
    assert error_codes(withdraw(given["maria"], given["gid"])) == ["NOT_FOUND"]
    assert refreshed(given["ms"]).endorsement_count == 1


def test_withdrawing_a_hidden_endorsement_leaves_the_public_score(given):
    from endorsements.services import set_endorsement_hidden

    set_endorsement_hidden(given["ana"], endorsement_id=given["endorsement"].pk, hidden=True)
    before = refreshed(given["ms"])
    assert withdraw(given["maria"], given["gid"])["errors"] == []
    after = refreshed(given["ms"])
    assert (after.score, after.endorsement_count) == (before.score, before.endorsement_count) == (after.score, 1)
