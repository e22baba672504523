"""Who sees which badge, through every entry point; setBadgePublic; deleteBadge; report redaction; SQL counts."""

from __future__ import annotations

import itertools
import json

import pytest

from badges.models import Badge, BadgeStatus, IssuerTrust, SourceKind
from badges.selectors import badge_for_page, report_for
from badges.tests.helpers import gid, import_url
from badges.tests.issuer import hashed
from profiles.models import Profile, Visibility
from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import CountQueries, client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

MEMBER_BADGES = """query($u: String!) { member(username: $u) {
  badges { id name status public verificationErrors memberSkill { skill { name } } }
  skills { skill { name } badges { id name status } } } }"""
NODE = "query($id: ID!) { node(id: $id) { ... on Badge { id name status } } }"
BADGE = "query($id: ID!) { badge(id: $id) { id name status verificationReport } }"
SET_PUBLIC = """mutation($input: SetBadgePublicInput!) {
  setBadgePublic(input: $input) { badge { id public } errors { field code } } }"""
DELETE = (
    """mutation($input: DeleteBadgeInput!) { deleteBadge(input: $input) { deletedBadgeId errors { field code } } }"""
)


def _badge(owner, status=BadgeStatus.VERIFIED, name="Badge", **kwargs) -> Badge:
    return Badge.objects.create(
        owner=owner,
        status=status,
        name=name,
        source_kind=SourceKind.URL,
        source_url=f"https://example.org/{name}",
        source_digest=f"{owner.pk}-{name}",
        **{"issuer_trust": IssuerTrust.DOMAIN_BOUND, **kwargs},
    )


def _names(body: dict) -> list[str]:
    return sorted(b["name"] for b in data_of(body)["member"]["badges"])


def test_others_see_only_verified_public_badges_and_the_owner_sees_all():
    ana = make_member("ana")
    for status in BadgeStatus.values:
        _badge(ana, status=status, name=status.lower())
    _badge(ana, name="private", public=False)
    assert _names(gql(client_for(ana), MEMBER_BADGES, {"u": "ana"})) == sorted(
        ["pending", "verified", "failed", "revoked", "expired", "private"]
    )
    for viewer in (None, make_member("ben")):
        assert _names(gql(client_for(viewer), MEMBER_BADGES, {"u": "ana"})) == ["verified"]


@pytest.mark.parametrize(
    "status,public", [(BadgeStatus.VERIFIED, False), (BadgeStatus.FAILED, True), (BadgeStatus.PENDING, True)]
)
def test_a_badge_others_may_not_see_is_hidden_from_every_entry_point(status, public):
    ana = make_member("ana")
    ms = add_skill(ana, name="Python")
    badge = _badge(ana, status=status, public=public, member_skill=ms)
    for viewer in (None, make_member("ben")):
        client = client_for(viewer)
        member = data_of(gql(client, MEMBER_BADGES, {"u": "ana"}))["member"]
        assert member["badges"] == [] and member["skills"][0]["badges"] == []
        assert data_of(gql(client, NODE, {"id": gid(badge)}))["node"] is None
        assert data_of(gql(client, BADGE, {"id": gid(badge)}))["badge"] is None
        assert data_of(gql(client, BADGE, {"id": badge.public_id}))["badge"] is None
        assert badge_for_page(viewer, badge.public_id) is None
    owner = client_for(ana)
    assert data_of(gql(owner, NODE, {"id": gid(badge)}))["node"]["name"] == "Badge"
    assert data_of(gql(owner, BADGE, {"id": badge.public_id}))["badge"]["status"] == status
    assert badge_for_page(ana, badge.public_id) == badge


def test_a_public_verified_badge_is_reachable_by_public_id_and_global_id():
    ana = make_member("ana")
    badge = _badge(ana)
    for ident in (badge.public_id, gid(badge)):
        assert badge_for_page(None, ident) == badge
        assert data_of(gql(client_for(None), BADGE, {"id": ident}))["badge"]["id"] == gid(badge)
    assert badge_for_page(None, "no-such-badge") is None


def test_badges_of_a_members_only_profile_are_hidden_from_anonymous_visitors():
    ana = make_member("ana")
    Profile.objects.filter(user=ana).update(visibility=Visibility.MEMBERS)
    badge = _badge(ana)
    assert badge_for_page(None, badge.public_id) is None
    assert data_of(gql(client_for(None), NODE, {"id": gid(badge)}))["node"] is None
    assert badge_for_page(make_member("ben"), badge.public_id) == badge


def test_verification_report_never_shows_the_recipient_to_others(issuer, django_capture_on_commit_callbacks):
    ana = make_member("ana", email="ana@example.com")
    import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com", salt="s4lt"))
    badge = Badge.objects.get(owner=ana)
    secret_hash = hashed("ana@example.com", "s4lt")
    own = report_for(ana, badge)
    assert own["assertion"]["recipient"]["identity"] == secret_hash  # the owner's own data, as stored
    for viewer in (None, make_member("ben")):
        body = gql(client_for(viewer), BADGE, {"id": badge.public_id})
        text = body["data"]["badge"]["verificationReport"]
        assert "ana@example.com" not in text and secret_hash[7:] not in text and "s4lt" not in text
        shown = json.loads(text)
        assert shown["recipient_matched"] is True
        assert any(c["name"] == "Recipient" and c["passed"] for c in shown["checks"])
        assert shown["assertion"]["recipient"] == "[hidden]"


def test_plain_email_recipients_are_hidden_too(issuer, django_capture_on_commit_callbacks):
    ana = make_member("ana", email="ana@example.com")
    import_url(django_capture_on_commit_callbacks, client_for(ana), issuer.hosted("ana@example.com", plain=True))
    badge = Badge.objects.get(owner=ana)
    assert badge.status == BadgeStatus.VERIFIED
    assert "ana@example.com" not in json.dumps(report_for(None, badge))


# --- setBadgePublic ----------------------------------------------------------------------------------------------
def test_owner_makes_a_badge_private_and_back():
    ana = make_member("ana")
    badge = _badge(ana)
    owner, anon = client_for(ana), client_for(None)
    payload = data_of(gql(owner, SET_PUBLIC, {"input": {"badgeId": gid(badge), "public": False}}))["setBadgePublic"]
    assert payload == {"badge": {"id": gid(badge), "public": False}, "errors": []}
    assert _names(gql(anon, MEMBER_BADGES, {"u": "ana"})) == []
    assert _names(gql(owner, MEMBER_BADGES, {"u": "ana"})) == ["Badge"]
    data_of(gql(owner, SET_PUBLIC, {"input": {"badgeId": gid(badge), "public": True}}))
    assert _names(gql(anon, MEMBER_BADGES, {"u": "ana"})) == ["Badge"]


def test_set_public_on_another_members_badge_is_not_found_and_changes_nothing():
    ana = make_member("ana")
    badge = _badge(ana)
    payload = data_of(
        gql(client_for(make_member("ben")), SET_PUBLIC, {"input": {"badgeId": gid(badge), "public": False}})
    )["setBadgePublic"]
    assert error_codes(payload) == ["NOT_FOUND"] and payload["badge"] is None
    badge.refresh_from_db()
    assert badge.public is True


def test_set_public_anonymously_is_unauthenticated():
    badge = _badge(make_member("ana"))
    assert unauthenticated(gql(client_for(None), SET_PUBLIC, {"input": {"badgeId": gid(badge), "public": False}}))
    badge.refresh_from_db()
    assert badge.public is True


def test_set_public_with_a_bad_id_is_not_found():
    payload = data_of(gql(client_for(make_member("ana")), SET_PUBLIC, {"input": {"badgeId": "x", "public": False}}))[
        "setBadgePublic"
    ]
    assert error_codes(payload) == ["NOT_FOUND"]


# --- deleteBadge -------------------------------------------------------------------------------------------------
def test_owner_deletes_a_badge():
    ana = make_member("ana")
    badge = _badge(ana)
    payload = data_of(gql(client_for(ana), DELETE, {"input": {"badgeId": gid(badge)}}))["deleteBadge"]
    assert payload == {"deletedBadgeId": gid(badge), "errors": []}
    assert not Badge.objects.filter(pk=badge.pk).exists()


def test_deleting_another_members_badge_is_not_found_and_deletes_nothing():
    badge = _badge(make_member("ana"))
    payload = data_of(gql(client_for(make_member("ben")), DELETE, {"input": {"badgeId": gid(badge)}}))["deleteBadge"]
    assert error_codes(payload) == ["NOT_FOUND"]
    assert Badge.objects.filter(pk=badge.pk).exists()


def test_delete_anonymously_is_unauthenticated():
    badge = _badge(make_member("ana"))
    assert unauthenticated(gql(client_for(None), DELETE, {"input": {"badgeId": gid(badge)}}))
    assert Badge.objects.filter(pk=badge.pk).exists()


# --- no query per row ------------------------------------------------------------------------------------------------
PROFILE_WITH_BADGES = """query($u: String!) { member(username: $u) {
  username
  badges { id name status issuerName imageUrl verificationErrors verificationReport pageUrl
           memberSkill { id skill { name } } }
  skills { skill { name } badges { id name status memberSkill { skill { name } } } } } }"""
MEMBERS_WITH_BADGES = """{ members(first: 20) { edges { node {
  username badges { name status } skills { skill { name } badges { name } } } } } }"""


_skill_seq = itertools.count(1)


def _fill(member, n: int) -> None:
    for _ in range(n):
        i = next(_skill_seq)
        ms = add_skill(member, name=f"Skill {member.username} {i}")
        _badge(member, name=f"{member.username}-{i}", member_skill=ms)
        _badge(member, name=f"{member.username}-{i}-pending", status=BadgeStatus.PENDING, member_skill=ms)


def _count(client, query, variables=None) -> int:
    with CountQueries() as counted:
        data_of(gql(client, query, variables))
    return counted.count


@pytest.mark.parametrize("as_owner", [True, False])
def test_profile_with_badges_costs_a_constant_number_of_queries(as_owner):
    ana = make_member("ana")
    viewer = ana if as_owner else make_member("ben")
    client = client_for(viewer)
    _fill(ana, 1)
    small = _count(client, PROFILE_WITH_BADGES, {"u": "ana"})
    _fill(make_member("zed"), 1)
    Badge.objects.all().delete()
    _fill(ana, 6)
    large = _count(client, PROFILE_WITH_BADGES, {"u": "ana"})
    assert small == large
    # session + user, member + profile, skills, badges under skills, member badges.
    assert large == 6


def test_member_list_with_badges_costs_a_constant_number_of_queries():
    client = client_for(None)
    for name in ("ana", "ben"):
        _fill(make_member(name), 1)
    small = _count(client, MEMBERS_WITH_BADGES)
    for name in ("cleo", "dan", "eve", "fay"):
        _fill(make_member(name), 3)
    assert _count(client, MEMBERS_WITH_BADGES) == small
