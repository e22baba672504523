"""attachBadge / detachBadge: own badges to own listed skills; evidence shows on the skill only when verified."""

from __future__ import annotations

import pytest

from badges.models import Badge, BadgeStatus, IssuerTrust, SourceKind
from badges.tests.helpers import gid
from profiles.tests.factories import make_member
from skills.services import add_skill, remove_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

ATTACH = """
mutation($input: AttachBadgeInput!) {
  attachBadge(input: $input) { badge { id status memberSkill { id skill { name } } } errors { field code } }
}
"""
DETACH = """
mutation($input: DetachBadgeInput!) {
  detachBadge(input: $input) { badge { id memberSkill { id } } errors { field code } }
}
"""
SKILL_BADGES = "query($u: String!) { member(username: $u) { skills { skill { name } badges { name status } } } }"


def _badge(owner, status=BadgeStatus.VERIFIED, name="Python Practitioner", **kwargs) -> Badge:
    return Badge.objects.create(
        owner=owner,
        status=status,
        name=name,
        source_kind=SourceKind.URL,
        source_url=f"https://example.org/{name}",
        source_digest=f"{owner.pk}-{name}",
        **{"issuer_trust": IssuerTrust.DOMAIN_BOUND, **kwargs},
    )


def _ms_id(ms) -> str:
    return encode_id("MemberSkill", ms.pk)


def test_owner_attaches_a_verified_badge_and_it_shows_on_the_skill_to_everyone():
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana)
    payload = data_of(gql(client_for(ana), ATTACH, {"input": {"badgeId": gid(badge), "memberSkillId": _ms_id(ms)}}))
    assert payload["attachBadge"]["errors"] == []
    assert payload["attachBadge"]["badge"]["memberSkill"]["skill"]["name"] == "Python"
    for viewer in (None, make_member("ben"), ana):
        skills = data_of(gql(client_for(viewer), SKILL_BADGES, {"u": "ana"}))["member"]["skills"]
        assert skills == [
            {"skill": {"name": "Python"}, "badges": [{"name": "Python Practitioner", "status": "VERIFIED"}]}
        ]


@pytest.mark.parametrize("status", [BadgeStatus.PENDING, BadgeStatus.FAILED, BadgeStatus.REVOKED, BadgeStatus.EXPIRED])
def test_an_unverified_badge_may_be_attached_but_only_its_owner_sees_it(status):
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, status=status)
    payload = data_of(gql(client_for(ana), ATTACH, {"input": {"badgeId": gid(badge), "memberSkillId": _ms_id(ms)}}))
    assert payload["attachBadge"]["errors"] == []
    others = data_of(gql(client_for(make_member("ben")), SKILL_BADGES, {"u": "ana"}))["member"]["skills"]
    assert others[0]["badges"] == []
    own = data_of(gql(client_for(ana), SKILL_BADGES, {"u": "ana"}))["member"]["skills"]
    assert own[0]["badges"] == [{"name": "Python Practitioner", "status": status}]


def test_attaching_another_members_badge_is_not_found_and_changes_nothing():
    ana, ben = make_member("ana"), make_member("ben")
    ms = add_skill(ben, name="Python")
    badge = _badge(ana)
    payload = data_of(gql(client_for(ben), ATTACH, {"input": {"badgeId": gid(badge), "memberSkillId": _ms_id(ms)}}))
    assert error_codes(payload["attachBadge"]) == ["NOT_FOUND"]
    assert payload["attachBadge"]["errors"][0]["field"] == "badgeId"
    badge.refresh_from_db()
    assert badge.member_skill_id is None


def test_attaching_to_another_members_skill_is_not_found_and_changes_nothing():
    ana, ben = make_member("ana"), make_member("ben")
    theirs = add_skill(ben, name="Python")
    badge = _badge(ana)
    payload = data_of(gql(client_for(ana), ATTACH, {"input": {"badgeId": gid(badge), "memberSkillId": _ms_id(theirs)}}))
    assert error_codes(payload["attachBadge"]) == ["NOT_FOUND"]
    assert payload["attachBadge"]["errors"][0]["field"] == "memberSkillId"
    badge.refresh_from_db()
    assert badge.member_skill_id is None


@pytest.mark.parametrize(
    "badge_id,skill_id,field",
    [
        ("bogus", None, "badgeId"),
        (encode_id("Skill", 1), None, "badgeId"),
        (None, "bogus", "memberSkillId"),
    ],
)
def test_attach_with_malformed_ids_is_not_found(badge_id, skill_id, field):
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana)
    variables = {"input": {"badgeId": badge_id or gid(badge), "memberSkillId": skill_id or _ms_id(ms)}}
    payload = data_of(gql(client_for(ana), ATTACH, variables))["attachBadge"]
    assert error_codes(payload) == ["NOT_FOUND"] and payload["errors"][0]["field"] == field
    badge.refresh_from_db()
    assert badge.member_skill_id is None


def test_attach_and_detach_anonymously_are_unauthenticated():
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, member_skill=ms)
    anon = client_for(None)
    assert unauthenticated(gql(anon, ATTACH, {"input": {"badgeId": gid(badge), "memberSkillId": _ms_id(ms)}}))
    assert unauthenticated(gql(anon, DETACH, {"input": {"badgeId": gid(badge)}}))
    badge.refresh_from_db()
    assert badge.member_skill_id == ms.pk


def test_owner_detaches_and_the_skill_no_longer_shows_it():
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, member_skill=ms)
    payload = data_of(gql(client_for(ana), DETACH, {"input": {"badgeId": gid(badge)}}))["detachBadge"]
    assert payload == {"badge": {"id": gid(badge), "memberSkill": None}, "errors": []}
    skills = data_of(gql(client_for(None), SKILL_BADGES, {"u": "ana"}))["member"]["skills"]
    assert skills[0]["badges"] == []


def test_detaching_another_members_badge_is_not_found_and_changes_nothing():
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, member_skill=ms)
    payload = data_of(gql(client_for(make_member("ben")), DETACH, {"input": {"badgeId": gid(badge)}}))["detachBadge"]
    assert error_codes(payload) == ["NOT_FOUND"]
    badge.refresh_from_db()
    assert badge.member_skill_id == ms.pk


def test_removing_the_skill_detaches_the_badge_and_keeps_it():
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, member_skill=ms)
    remove_skill(ana, member_skill_id=ms.pk)
    badge.refresh_from_db()
    assert badge.member_skill_id is None and badge.status == BadgeStatus.VERIFIED
