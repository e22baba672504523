"""The `endorse` mutation: as the endorser, as the endorsed member, anonymously, and every refusal."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement, EndorsementRequest, RequestStatus
from endorsements.services import request_endorsement
from endorsements.tests.factories import listing, make_established, refreshed
from notifications.models import Notification
from profiles.models import Block, Visibility
from profiles.services import block_member
from profiles.tests.factories import make_member
from skills.services import set_endorsements_enabled
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

ENDORSE = """
mutation($member: String!, $skill: String!, $relationship: Relationship!, $comment: String) {
  endorse(input: {member: $member, skill: $skill, relationship: $relationship, comment: $comment}) {
    endorsement { id weight weightExplanation relationship comment hidden
                  endorser { username } member { username } skill { name } }
    memberSkill { score endorsementCount }
    errors { field code message }
  }
}
"""


@pytest.fixture
def ana():
    user = make_established("ana", seniority="SENIOR", display_name="Ana Lima")
    listing(user, "Kubernetes")
    return user


@pytest.fixture
def maria():
    return make_established("maria", seniority="MANAGER", display_name="Maria Okafor")


def endorse(user, member="ana", skill="Kubernetes", relationship="MANAGER", comment=None):
    body = gql(client_for(user), ENDORSE, dict(member=member, skill=skill, relationship=relationship, comment=comment))
    return data_of(body)["endorse"]


def test_manager_endorses_a_listed_skill_with_an_explained_weight(ana, maria):
    payload = endorse(maria, skill="k8s", comment="Ran our cluster migration.")
    assert payload["errors"] == []
    e = payload["endorsement"]
    assert e["endorser"]["username"] == "maria" and e["member"]["username"] == "ana"
    assert e["skill"]["name"] == "Kubernetes" and e["relationship"] == "MANAGER"
    assert e["weight"] == 3.0
    assert e["weightExplanation"] == "Maria Okafor, Manager (confirmed), managed Ana Lima: counts 3.0×. Weight 3.0."
    assert e["hidden"] is None  # only the endorsed member learns whether it is hidden
    assert payload["memberSkill"]["endorsementCount"] == 1
    assert payload["memberSkill"]["score"] == pytest.approx(25.9182)
    stored = Endorsement.objects.get()
    assert stored.comment == "Ran our cluster migration." and stored.weight_inputs["seniority"] == "MANAGER"


def test_the_endorsed_member_is_notified_with_who_which_skill_and_links(ana, maria):
    payload = endorse(maria, comment="Great")
    note = Notification.objects.get(recipient=ana)
    assert note.kind == "endorsement.received"
    assert note.payload == {
        "endorsementId": payload["endorsement"]["id"],
        "endorser": {"username": "maria", "displayName": "Maria Okafor", "url": "/m/maria/"},
        "skill": {"name": "Kubernetes", "slug": "kubernetes"},
        "memberSkillId": encode_id("MemberSkill", ana.member_skills.get().pk),
        "relationship": "MANAGER",
        "comment": "Great",
        "url": "/m/ana/",
    }
    assert not Notification.objects.filter(recipient=maria).exists()


def test_endorsing_fulfils_a_pending_request_for_that_skill(ana, maria):
    request = request_endorsement(ana, recipient=maria, skill="Kubernetes", relationship="MANAGER")
    payload = endorse(maria)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert encode_id("Endorsement", request.endorsement_id) == payload["endorsement"]["id"]


def test_anonymous_cannot_endorse(ana):
    body = gql(Client(), ENDORSE, dict(member="ana", skill="Kubernetes", relationship="PEER"))
    assert unauthenticated(body)
    assert not Endorsement.objects.exists()


def assert_refused(user, code, field=None, **kw):
    payload = endorse(user, **kw)
    assert payload["endorsement"] is None
    assert error_codes(payload) == [code], payload["errors"]
    if field is not None:
        assert payload["errors"][0]["field"] == field
    return payload


def test_self_endorsement_is_refused(ana):
    assert_refused(ana, "SELF_ENDORSEMENT", "member")
    assert not Endorsement.objects.exists()


def test_endorsing_twice_is_refused(ana, maria):
    endorse(maria)
    assert_refused(maria, "ALREADY_ENDORSED", "skill", skill="KUBERNETES ")
    assert Endorsement.objects.count() == 1
    assert Notification.objects.filter(recipient=ana).count() == 1


def test_unlisted_and_unknown_skills_are_refused(ana, maria):
    assert_refused(maria, "SKILL_NOT_LISTED", "skill", skill="Python")
    assert_refused(maria, "SKILL_NOT_LISTED", "skill", skill="No Such Skill At All")
    assert_refused(maria, "SKILL_NOT_LISTED", "skill", skill="")
    assert not Endorsement.objects.exists()


def test_unknown_or_deactivated_members_are_not_found(ana, maria):
    assert_refused(maria, "NOT_FOUND", "member", member="nobody")
    assert_refused(maria, "NOT_FOUND", "member", member="x" * 500)
    ana.is_active = False
    ana.save()
    assert_refused(maria, "NOT_FOUND", "member")
    assert not Endorsement.objects.exists()


def test_members_only_profiles_can_be_endorsed_by_members(ana, maria):
    ana.profile.visibility = Visibility.MEMBERS
    ana.profile.save()
    assert endorse(maria)["errors"] == []


def test_skill_with_endorsements_turned_off_is_refused(ana, maria):
    set_endorsements_enabled(ana, member_skill_id=ana.member_skills.get().pk, enabled=False)
    assert_refused(maria, "ENDORSEMENTS_OFF", "skill")
    assert refreshed(ana.member_skills.get()).endorsement_count == 0


@pytest.mark.parametrize("who_blocks", ["member", "endorser"])
def test_blocked_members_cannot_endorse(ana, maria, who_blocks):
    if who_blocks == "member":
        block_member(ana, member=maria)
    else:
        block_member(maria, member=ana)
    assert_refused(maria, "BLOCKED")
    assert not Endorsement.objects.exists() and not Notification.objects.exists()
    Block.objects.all().delete()
    assert endorse(maria)["errors"] == []


def test_daily_cap_on_endorsements(settings, maria):
    settings.ENDORSEMENTS_PER_DAY = 2
    for name in ("ana", "ben", "cyd"):
        listing(make_member(name), "Go")
    assert endorse(maria, member="ana", skill="Go")["errors"] == []
    assert endorse(maria, member="ben", skill="Go")["errors"] == []
    assert_refused(maria, "RATE_LIMITED", member="cyd", skill="Go")
    assert Endorsement.objects.count() == 2


def test_withdrawing_and_endorsing_again_still_counts_against_the_cap(settings, ana, maria):
    from endorsements.services import withdraw_endorsement

    settings.ENDORSEMENTS_PER_DAY = 2
    for _ in range(2):
        payload = endorse(maria)
        assert payload["errors"] == []
        withdraw_endorsement(maria, endorsement_id=Endorsement.objects.get().pk)
    assert_refused(maria, "RATE_LIMITED")
    assert Notification.objects.filter(recipient=ana).count() == 2


def test_oversized_comment_is_refused(ana, maria):
    assert_refused(maria, "MAX_LENGTH", "comment", comment="x" * 1001)
    assert not Endorsement.objects.exists()
    assert endorse(maria, comment="x" * 1000)["errors"] == []


def test_unknown_relationship_is_a_graphql_error(ana, maria):
    body = gql(client_for(maria), ENDORSE, dict(member="ana", skill="Kubernetes", relationship="BOSS"))
    assert body.get("errors")
    assert not Endorsement.objects.exists()


def test_refusals_write_nothing(ana, maria):
    set_endorsements_enabled(ana, member_skill_id=ana.member_skills.get().pk, enabled=False)
    before = (Endorsement.objects.count(), Notification.objects.count(), EndorsementRequest.objects.count())
    for kw in (dict(), dict(member="ana", skill="Go"), dict(member="maria")):
        assert endorse(maria, **kw)["errors"]
    assert (Endorsement.objects.count(), Notification.objects.count(), EndorsementRequest.objects.count()) == before
    from endorsements.models import DailyCount

    assert not DailyCount.objects.filter(count__gt=0).exists()  # refused attempts do not use up the quota
