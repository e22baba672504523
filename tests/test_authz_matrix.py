"""The GraphQL authorization matrix: every root query, mutation and subscription field, and `node(id:)` for every
Node type, run as anonymous, as the owner and as another member (tests/authz_world.py), with the outcome each must
get. `test_every_operation_has_an_entry` fails when an operation is added (or removed) without its entry here.

Outcomes: data returned; the UNAUTHENTICATED GraphQL error; a NOT_FOUND (or other) payload error; null; a list
filtered to what the caller may see. Every refused mutation is also checked to have written nothing at all
(every row of the project's apps compared before and after).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from graphql import parse

from badges.models import Badge
from endorsements.models import EndorsementRequest
from notifications.models import Notification
from profiles.models import Block, Profile, User
from profiles.tests.factories import PASSWORD
from skills.models import MemberSkill
from tests.authz_world import ROLES, World, build_world, changes, snapshot
from vouch.graphql.schema import schema
from vouch.testing import client_for, error_codes, gql, unauthenticated

Check = Callable[[World, dict[str, Any], Callable[[], list[str]]], None]


@dataclass(frozen=True)
class Op:
    document: str
    anonymous: Check
    owner: Check
    other: Check
    variables: Callable[[World], dict[str, Any]] = field(default=lambda w: {})


# --- expected outcomes ------------------------------------------------------------------------------------------------
def data(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body["errors"]
    return body["data"]


def UNAUTH(w: World, body: dict[str, Any], wrote: Callable[[], list[str]]) -> None:  # reads as a constant
    """The UNAUTHENTICATED GraphQL error, no data, nothing written."""
    assert unauthenticated(body), body
    assert not any((body.get("data") or {}).values()), body
    assert wrote() == []


def refused(name: str, *codes: str) -> Check:
    """A payload error with these codes, and nothing written."""

    def check(w: World, body: dict[str, Any], wrote: Callable[[], list[str]]) -> None:
        payload = data(body)[name]
        assert error_codes(payload) == list(codes), payload
        assert wrote() == []

    return check


def null(name: str) -> Check:
    def check(w: World, body: dict[str, Any], wrote: Callable[[], list[str]]) -> None:
        assert data(body)[name] is None
        assert wrote() == []

    return check


def ok(name: str, then: Callable[[World, dict[str, Any]], None]) -> Check:
    """No payload error; `then` checks the answer and the database."""

    def check(w: World, body: dict[str, Any], wrote: Callable[[], list[str]]) -> None:
        payload = data(body)[name]
        if isinstance(payload, dict) and "errors" in payload:
            assert payload["errors"] == [], payload
        then(w, payload)

    return check


def answer(then: Callable[[World, dict[str, Any]], None]) -> Check:
    """A query: `then` checks the data; a query never writes."""

    def check(w: World, body: dict[str, Any], wrote: Callable[[], list[str]]) -> None:
        then(w, data(body))
        assert wrote() == []

    return check


def _usernames(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["username"] for edge in connection["edges"]]


def _ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


def _skill(member: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in member["skills"] if s["skill"]["name"] == name)


# --- queries ----------------------------------------------------------------------------------------------------------
ME = "{ me { username visibility } }"
COLLECTIONS = """query($shared: ID!, $priv: ID!) {
  shared: badgeCollection(id: $shared) { name badges { name } }
  priv: badgeCollection(id: $priv) { name badges { name } }
}"""
MEMBER = """query($u: String!) { member(username: $u) {
  username visibility badges { name }
  skills { skill { name } badges { name } endorsements { totalCount edges { node { comment hidden } } } } } }"""
MEMBERS = "{ members(first: 50) { totalCount edges { node { username visibility } } } }"
BLOCKED_MEMBERS = "{ blockedMembers { username } }"
SKILLS = '{ skills(search: "Pyth") { name slug } }'
SIMILAR_SKILLS = '{ similarSkills(name: "Pyhton") { name } }'
SKILL = '{ skill(slug: "python") { name } }'
BADGE = """query($priv: ID!, $pub: ID!) {
  priv: badge(id: $priv) { name sourceKind }
  pub: badge(id: $pub) { name sourceKind verificationReport } }"""
ENDORSEMENT_REQUESTS = """{
  inc: endorsementRequests(direction: INCOMING) { totalCount edges { node { id message requester { username } } } }
  out: endorsementRequests(direction: OUTGOING) { totalCount edges { node { id message } } } }"""
NOTIFICATIONS = "{ notifications(first: 50) { totalCount edges { node { id kind payload } } } }"
UNREAD = "{ unreadNotificationCount }"
PREFERENCES = "{ notificationPreferences { mutedKinds } }"
NODE_ROOT = "query($id: ID!) { node(id: $id) { id ... on Endorsement { comment hidden } } }"


def _olive_as_owner(w: World, d: dict[str, Any]) -> None:
    member = d["member"]
    assert member["visibility"] == "MEMBERS"
    assert sorted(b["name"] for b in member["badges"]) == ["Private badge", "Public badge"]
    go = _skill(member, "Go")["endorsements"]
    assert go["totalCount"] == 1 and go["edges"] == [{"node": {"comment": "Meh", "hidden": True}}]
    assert _skill(member, "Python")["endorsements"]["edges"] == [{"node": {"comment": "Great", "hidden": False}}]


def _olive_as_other(w: World, d: dict[str, Any]) -> None:
    member = d["member"]
    assert member["username"] == "olive" and member["visibility"] is None
    assert [b["name"] for b in member["badges"]] == ["Public badge"]
    go = _skill(member, "Go")["endorsements"]
    assert go == {"totalCount": 0, "edges": []}
    assert _skill(member, "Python")["endorsements"]["edges"] == [{"node": {"comment": "Great", "hidden": None}}]


def _badges_as_owner(w: World, d: dict[str, Any]) -> None:
    assert d["priv"] == {"name": "Private badge", "sourceKind": "URL"}
    assert d["pub"]["sourceKind"] == "URL"
    assert "olive@example.com" in d["pub"]["verificationReport"]


def _badges_as_other(w: World, d: dict[str, Any]) -> None:
    assert d["priv"] is None
    assert d["pub"]["name"] == "Public badge" and d["pub"]["sourceKind"] is None
    assert "olive@example.com" not in d["pub"]["verificationReport"]  # the recipient identity is the owner's


def _requests_as_owner(w: World, d: dict[str, Any]) -> None:
    assert _ids(d["inc"]) == [w.gid(w.r_incoming)] and d["inc"]["totalCount"] == 1
    assert _ids(d["out"]) == [w.gid(w.r_outgoing)] and d["out"]["totalCount"] == 1


def _olive_notifications(w: World) -> set[str]:
    return {w.gid(n) for n in Notification.objects.filter(recipient=w.olive)}


QUERIES: dict[str, Op] = {
    "me": Op(
        ME,
        anonymous=null("me"),
        owner=answer(lambda w, d: d["me"] == {"username": "olive", "visibility": "MEMBERS"} or pytest.fail(repr(d))),
        other=answer(lambda w, d: d["me"] == {"username": "otto", "visibility": "PUBLIC"} or pytest.fail(repr(d))),
    ),
    # Olive's profile is MEMBERS-only: nothing of it for anonymous visitors; no hidden endorsement,
    # private badge or visibility setting for other members.
    "member": Op(
        MEMBER,
        variables=lambda w: {"u": "olive"},
        anonymous=null("member"),
        owner=answer(_olive_as_owner),
        other=answer(_olive_as_other),
    ),
    "members": Op(
        MEMBERS,
        anonymous=answer(
            lambda w, d: _usernames(d["members"]) == ["bert", "carol", "otto", "pat"] or pytest.fail(repr(d))
        ),
        owner=answer(lambda w, d: "olive" in _usernames(d["members"]) or pytest.fail(repr(d))),
        other=answer(
            lambda w, d: (
                "olive" in _usernames(d["members"])
                and all(
                    e["node"]["visibility"] is None for e in d["members"]["edges"] if e["node"]["username"] != "otto"
                )
                or pytest.fail(repr(d))
            )
        ),
    ),
    "blockedMembers": Op(
        BLOCKED_MEMBERS,
        anonymous=UNAUTH,
        owner=answer(lambda w, d: d["blockedMembers"] == [{"username": "bert"}] or pytest.fail(repr(d))),
        other=answer(lambda w, d: d["blockedMembers"] == [] or pytest.fail(repr(d))),
    ),
    # Skill insights are public (aggregates only); the world has no rollups yet, so no skill reaches k.
    "skillInsights": Op(
        "query { skillInsights(first: 5) { skill { name } demand strongSupply scarcity } }",
        anonymous=answer(lambda w, d: expect(d["skillInsights"] == [], d)),
        owner=answer(lambda w, d: expect(d["skillInsights"] == [], d)),
        other=answer(lambda w, d: expect(d["skillInsights"] == [], d)),
    ),
    # The skill taxonomy is public.
    **{
        name: Op(doc, anonymous=answer(check), owner=answer(check), other=answer(check))
        for name, doc, check in (
            (
                "skills",
                SKILLS,
                lambda w, d: {"name": "Python", "slug": "python"} in d["skills"] or pytest.fail(repr(d)),
            ),
            ("skill", SKILL, lambda w, d: d["skill"] == {"name": "Python"} or pytest.fail(repr(d))),
            (
                "similarSkills",
                SIMILAR_SKILLS,
                lambda w, d: {"name": "Python"} in d["similarSkills"] or pytest.fail(repr(d)),
            ),
        )
    },
    "badge": Op(
        BADGE,
        variables=lambda w: {"priv": w.gid(w.b_private), "pub": w.b_public.public_id},
        anonymous=answer(
            lambda w, d: d == {"priv": None, "pub": None} or pytest.fail(repr(d))
        ),  # owner is MEMBERS-only
        owner=answer(_badges_as_owner),
        other=answer(_badges_as_other),
    ),
    "badgeCollection": Op(
        COLLECTIONS,
        variables=lambda w: {"shared": w.col_shared.public_id, "priv": w.gid(w.col_private)},
        anonymous=answer(lambda w, d: d == {"shared": None, "priv": None} or pytest.fail(repr(d))),
        owner=answer(
            lambda w, d: (
                (
                    sorted(b["name"] for b in d["shared"]["badges"]) == ["Private badge", "Public badge"]
                    and d["priv"]["name"] == "Private set"
                )
                or pytest.fail(repr(d))
            )
        ),
        other=answer(
            lambda w, d: (
                d == {"shared": {"name": "Shared set", "badges": [{"name": "Public badge"}]}, "priv": None}
                or pytest.fail(repr(d))
            )
        ),
    ),
    "badgeCollections": Op(
        '{ badgeCollections(username: "olive") { name public } }',
        anonymous=answer(lambda w, d: d["badgeCollections"] == [] or pytest.fail(repr(d))),
        owner=answer(lambda w, d: len(d["badgeCollections"]) == 2 or pytest.fail(repr(d))),
        other=answer(
            lambda w, d: d["badgeCollections"] == [{"name": "Shared set", "public": True}] or pytest.fail(repr(d))
        ),
    ),
    "endorsementRequests": Op(
        ENDORSEMENT_REQUESTS,
        anonymous=UNAUTH,
        owner=answer(_requests_as_owner),
        other=answer(lambda w, d: d["inc"]["edges"] == d["out"]["edges"] == [] or pytest.fail(repr(d))),
    ),
    "notifications": Op(
        NOTIFICATIONS,
        anonymous=UNAUTH,
        owner=answer(lambda w, d: set(_ids(d["notifications"])) == _olive_notifications(w) or pytest.fail(repr(d))),
        other=answer(lambda w, d: _ids(d["notifications"]) == [w.gid(w.n_otto)] or pytest.fail(repr(d))),
    ),
    "unreadNotificationCount": Op(
        UNREAD,
        anonymous=answer(lambda w, d: d["unreadNotificationCount"] == 0 or pytest.fail(repr(d))),
        owner=answer(
            lambda w, d: d["unreadNotificationCount"] == len(_olive_notifications(w)) > 1 or pytest.fail(repr(d))
        ),
        other=answer(lambda w, d: d["unreadNotificationCount"] == 1 or pytest.fail(repr(d))),
    ),
    "notificationPreferences": Op(
        PREFERENCES,
        anonymous=null("notificationPreferences"),
        owner=answer(
            lambda w, d: d["notificationPreferences"]["mutedKinds"] == ["badge.verified"] or pytest.fail(repr(d))
        ),
        other=answer(lambda w, d: d["notificationPreferences"]["mutedKinds"] == [] or pytest.fail(repr(d))),
    ),
    # A hidden endorsement by its global id: the endorsed member only (test_node_* covers every Node type).
    "node": Op(
        NODE_ROOT,
        variables=lambda w: {"id": w.gid(w.e_hidden)},
        anonymous=null("node"),
        owner=answer(lambda w, d: d["node"]["hidden"] is True or pytest.fail(repr(d))),
        other=null("node"),
    ),
}


# --- mutations --------------------------------------------------------------------------------------------------------
def _m(name: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection} errors {{ field code }} }} }}"


def _headline(user: Any) -> str:
    return Profile.objects.get(user=user).headline


def _olive_lists(w: World, name: str) -> bool:
    return MemberSkill.objects.filter(member=w.olive, skill__name=name).exists()


def _fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def _opted_out() -> list[str]:
    from insights.models import ViewsOptOut

    return sorted(ViewsOptOut.objects.values_list("member__username", flat=True))


def _gone(obj: Any) -> bool:
    return not type(obj).objects.filter(pk=obj.pk).exists()


def _muted(user: Any) -> list[str]:
    return Profile.objects.get(user=user).muted_kinds


def _channels(user: Any) -> dict[str, str]:
    return Profile.objects.get(user=user).notification_channels


def _stopped(user: Any) -> bool:
    from notifications.models import MailState

    return MailState.objects.filter(user=user).exclude(stopped_address="").exists()


def expect(condition: bool, what: Any = None) -> None:
    assert condition, what


MUTATIONS: dict[str, Op] = {
    "updateProfile": Op(
        _m("updateProfile", "UpdateProfileInput", "member { username headline }"),
        variables=lambda w: {"input": {"headline": "Changed"}},
        anonymous=UNAUTH,
        owner=ok(
            "updateProfile",
            lambda w, p: expect(
                p["member"] == {"username": "olive", "headline": "Changed"} and _headline(w.olive) == "Changed", p
            ),
        ),
        # Acts on the caller's own profile only: there is no way to name someone else's.
        other=ok(
            "updateProfile",
            lambda w, p: expect(
                p["member"]["username"] == "otto" and _headline(w.olive) == "" and _headline(w.otto) == "Changed", p
            ),
        ),
    ),
    "addSkill": Op(
        _m("addSkill", "AddSkillInput", "memberSkill { skill { name } member { username } }"),
        variables=lambda w: {"input": {"name": "Kotlin"}},
        anonymous=UNAUTH,
        owner=ok(
            "addSkill",
            lambda w, p: expect(p["memberSkill"]["member"]["username"] == "olive" and _olive_lists(w, "Kotlin"), p),
        ),
        other=ok(
            "addSkill",
            lambda w, p: expect(p["memberSkill"]["member"]["username"] == "otto" and not _olive_lists(w, "Kotlin"), p),
        ),
    ),
    "removeSkill": Op(
        _m("removeSkill", "RemoveSkillInput", "removedMemberSkillId"),
        variables=lambda w: {"input": {"memberSkillId": w.gid(w.ms_python)}},
        anonymous=UNAUTH,
        owner=ok("removeSkill", lambda w, p: expect(_gone(w.ms_python), p)),
        other=refused("removeSkill", "NOT_FOUND"),
    ),
    "reorderSkills": Op(
        _m("reorderSkills", "ReorderSkillsInput", "member { skills { skill { name } } }"),
        variables=lambda w: {"input": {"memberSkillIds": [w.gid(w.ms_go), w.gid(w.ms_python)]}},
        anonymous=UNAUTH,
        owner=ok(
            "reorderSkills",
            lambda w, p: expect([s["skill"]["name"] for s in p["member"]["skills"]] == ["Go", "Python"], p),
        ),
        other=refused("reorderSkills", "NOT_FOUND"),
    ),
    "setSkillEndorsementsEnabled": Op(
        _m("setSkillEndorsementsEnabled", "SetSkillEndorsementsEnabledInput", "memberSkill { endorsementsEnabled }"),
        variables=lambda w: {"input": {"memberSkillId": w.gid(w.ms_python), "enabled": False}},
        anonymous=UNAUTH,
        owner=ok(
            "setSkillEndorsementsEnabled",
            lambda w, p: expect(
                not _fresh(w.ms_python).endorsements_enabled and p["memberSkill"]["endorsementsEnabled"] is False, p
            ),
        ),
        other=refused("setSkillEndorsementsEnabled", "NOT_FOUND"),
    ),
    "blockMember": Op(
        _m("blockMember", "BlockMemberInput", "member { username }"),
        variables=lambda w: {"input": {"member": "carol"}},
        anonymous=UNAUTH,
        owner=ok("blockMember", lambda w, p: expect(Block.objects.filter(blocker=w.olive, blocked=w.carol).exists())),
        # Blocks are the caller's own: otto's block changes nothing of olive's.
        other=ok(
            "blockMember",
            lambda w, p: expect(
                Block.objects.filter(blocker=w.otto, blocked=w.carol).exists()
                and not Block.objects.filter(blocker=w.olive, blocked=w.carol).exists()
            ),
        ),
    ),
    "deleteAccount": Op(
        _m("deleteAccount", "DeleteAccountInput", ""),
        variables=lambda w: {"input": {"password": PASSWORD}},
        anonymous=UNAUTH,
        owner=ok("deleteAccount", lambda w, p: expect(not User.objects.filter(pk=w.olive.pk).exists())),
        # The account deleted is always the caller's own: otto's call never touches olive's.
        other=ok(
            "deleteAccount",
            lambda w, p: expect(
                not User.objects.filter(pk=w.otto.pk).exists() and User.objects.filter(pk=w.olive.pk).exists()
            ),
        ),
    ),
    "confirmSeniority": Op(
        _m("confirmSeniority", "ConfirmSeniorityInput", "member { username seniorityConfirmed }"),
        variables=lambda w: {"input": {"member": "dina"}},
        anonymous=UNAUTH,
        # olive administers dina's verified organisation; otto does not.
        owner=ok(
            "confirmSeniority",
            lambda w, p: expect(
                Profile.objects.get(user=w.dina).seniority_confirmed == "LEAD" and p["member"]["seniorityConfirmed"], p
            ),
        ),
        other=refused("confirmSeniority", "NOT_FOUND"),
    ),
    "unblockMember": Op(
        _m("unblockMember", "UnblockMemberInput", "member { username }"),
        variables=lambda w: {"input": {"member": "bert"}},
        anonymous=UNAUTH,
        owner=ok("unblockMember", lambda w, p: expect(not Block.objects.filter(blocker=w.olive).exists())),
        # otto never blocked bert: nothing to undo, and olive's block of bert stays.
        other=lambda w, body, wrote: (ok("unblockMember", lambda *_: None)(w, body, wrote), expect(wrote() == [])),
    ),
    "requestEndorsement": Op(
        _m("requestEndorsement", "RequestEndorsementInput", "endorsementRequest { requester { username } }"),
        variables=lambda w: {"input": {"recipient": "carol", "skill": "Go", "relationship": "PEER"}},
        anonymous=UNAUTH,
        owner=ok(
            "requestEndorsement",
            lambda w, p: expect(
                EndorsementRequest.objects.filter(requester=w.olive, recipient=w.carol, skill__name="Go").exists(), p
            ),
        ),
        # One can only ask for one's own listed skills: otto cannot ask on olive's behalf.
        other=refused("requestEndorsement", "SKILL_NOT_LISTED"),
    ),
    "respondToEndorsementRequest": Op(
        _m(
            "respondToEndorsementRequest",
            "RespondToEndorsementRequestInput",
            "endorsementRequest { status } endorsement { endorser { username } }",
        ),
        variables=lambda w: {"input": {"requestId": w.gid(w.r_incoming), "accept": True, "comment": "Sure"}},
        anonymous=UNAUTH,
        owner=ok(
            "respondToEndorsementRequest",
            lambda w, p: expect(
                p["endorsementRequest"]["status"] == "ACCEPTED" and p["endorsement"]["endorser"]["username"] == "olive",
                p,
            ),
        ),
        other=refused("respondToEndorsementRequest", "NOT_FOUND"),
    ),
    "cancelEndorsementRequest": Op(
        _m("cancelEndorsementRequest", "CancelEndorsementRequestInput", "endorsementRequest { status }"),
        variables=lambda w: {"input": {"requestId": w.gid(w.r_outgoing)}},
        anonymous=UNAUTH,
        owner=ok("cancelEndorsementRequest", lambda w, p: expect(_fresh(w.r_outgoing).status == "CANCELLED", p)),
        other=refused("cancelEndorsementRequest", "NOT_FOUND"),
    ),
    # Endorsing olive: she may not endorse herself; another member may.
    "endorse": Op(
        _m("endorse", "EndorseInput", "endorsement { endorser { username } member { username } }"),
        variables=lambda w: {"input": {"member": "olive", "skill": "Go", "relationship": "PEER"}},
        anonymous=UNAUTH,
        owner=refused("endorse", "SELF_ENDORSEMENT"),
        other=ok(
            "endorse",
            lambda w, p: expect(
                p["endorsement"] == {"endorser": {"username": "otto"}, "member": {"username": "olive"}}, p
            ),
        ),
    ),
    "withdrawEndorsement": Op(
        _m("withdrawEndorsement", "WithdrawEndorsementInput", "withdrawnEndorsementId"),
        variables=lambda w: {"input": {"endorsementId": w.gid(w.e_given)}},
        anonymous=UNAUTH,
        owner=ok("withdrawEndorsement", lambda w, p: expect(_gone(w.e_given), p)),
        other=refused("withdrawEndorsement", "NOT_FOUND"),
    ),
    # Showing from review (or showing a hidden one): only the endorsed member.
    "approveEndorsement": Op(
        _m("approveEndorsement", "ApproveEndorsementInput", "endorsement { status hidden }"),
        variables=lambda w: {"input": {"endorsementId": w.gid(w.e_hidden)}},
        anonymous=UNAUTH,
        owner=ok(
            "approveEndorsement",
            lambda w, p: expect(
                p["endorsement"] == {"status": "VISIBLE", "hidden": False} and not _fresh(w.e_hidden).hidden, p
            ),
        ),
        other=refused("approveEndorsement", "NOT_FOUND"),
    ),
    "updateEndorsementSettings": Op(
        _m(
            "updateEndorsementSettings",
            "UpdateEndorsementSettingsInput",
            "member { username endorsementSettings { whoMayEndorse reviewBeforeShowing } }",
        ),
        variables=lambda w: {"input": {"whoMayEndorse": "ONLY_ASKED", "reviewBeforeShowing": True}},
        anonymous=UNAUTH,
        owner=ok(
            "updateEndorsementSettings",
            lambda w, p: expect(
                p["member"]["username"] == "olive"
                and Profile.objects.filter(
                    user=w.olive, who_may_endorse="ONLY_ASKED", review_before_showing=True
                ).exists(),
                p,
            ),
        ),
        # The settings changed are always the caller's own: otto's call never touches olive's.
        other=ok(
            "updateEndorsementSettings",
            lambda w, p: expect(
                p["member"]["username"] == "otto"
                and Profile.objects.filter(user=w.olive, who_may_endorse="ANYONE").exists(),
                p,
            ),
        ),
    ),
    "setEndorsementHidden": Op(
        _m("setEndorsementHidden", "SetEndorsementHiddenInput", "endorsement { hidden }"),
        variables=lambda w: {"input": {"endorsementId": w.gid(w.e_visible), "hidden": True}},
        anonymous=UNAUTH,
        owner=ok(
            "setEndorsementHidden",
            lambda w, p: expect(p["endorsement"]["hidden"] is True and _fresh(w.e_visible).hidden, p),
        ),
        other=refused("setEndorsementHidden", "NOT_FOUND"),
    ),
    # "Still true?": olive asks about an endorsement she received (two years old in the world: younger ones are
    # TOO_RECENT), and re-confirms the one she gave.
    "requestReconfirmation": Op(
        _m("requestReconfirmation", "RequestReconfirmationInput", "endorsement { id }"),
        variables=lambda w: {"input": {"endorsementId": w.gid(w.e_visible)}},
        anonymous=UNAUTH,
        owner=ok(
            "requestReconfirmation",
            lambda w, p: expect(_fresh(w.e_visible).reconfirmation_requested_at is not None, p),
        ),
        other=refused("requestReconfirmation", "NOT_FOUND"),
    ),
    "reconfirmEndorsement": Op(
        _m("reconfirmEndorsement", "ReconfirmEndorsementInput", "endorsement { reconfirmedAt }"),
        variables=lambda w: {"input": {"endorsementId": w.gid(w.e_given)}},
        anonymous=UNAUTH,
        owner=ok("reconfirmEndorsement", lambda w, p: expect(_fresh(w.e_given).reconfirmed_at is not None, p)),
        other=refused("reconfirmEndorsement", "NOT_FOUND"),
    ),
    # Attaching to a listing on import: only one's own listings.
    "importBadge": Op(
        _m("importBadge", "ImportBadgeInput", "badge { status memberSkill { skill { name } } }"),
        variables=lambda w: {"input": {"assertion": '{"not": "a badge"}', "memberSkillId": w.gid(w.ms_python)}},
        anonymous=UNAUTH,
        owner=ok(
            "importBadge",
            lambda w, p: expect(
                p["badge"]["memberSkill"]["skill"]["name"] == "Python"
                and Badge.objects.filter(owner=w.olive).count() == 3,
                p,
            ),
        ),
        other=refused("importBadge", "NOT_FOUND"),
    ),
    "attachBadge": Op(
        _m("attachBadge", "AttachBadgeInput", "badge { memberSkill { skill { name } } }"),
        variables=lambda w: {"input": {"badgeId": w.gid(w.b_private), "memberSkillId": w.gid(w.ms_go)}},
        anonymous=UNAUTH,
        owner=ok("attachBadge", lambda w, p: expect(_fresh(w.b_private).member_skill_id == w.ms_go.pk, p)),
        other=refused("attachBadge", "NOT_FOUND"),
    ),
    "detachBadge": Op(
        _m("detachBadge", "DetachBadgeInput", "badge { memberSkill { id } }"),
        variables=lambda w: {"input": {"badgeId": w.gid(w.b_public)}},
        anonymous=UNAUTH,
        owner=ok("detachBadge", lambda w, p: expect(_fresh(w.b_public).member_skill_id is None, p)),
        other=refused("detachBadge", "NOT_FOUND"),
    ),
    "reverifyBadge": Op(
        _m("reverifyBadge", "ReverifyBadgeInput", "badge { name }"),
        variables=lambda w: {"input": {"badgeId": w.gid(w.b_private)}},
        anonymous=UNAUTH,
        owner=ok("reverifyBadge", lambda w, p: expect(_fresh(w.b_private).verification_requested_at is not None, p)),
        other=refused("reverifyBadge", "NOT_FOUND"),
    ),
    "setBadgePublic": Op(
        _m("setBadgePublic", "SetBadgePublicInput", "badge { public }"),
        variables=lambda w: {"input": {"badgeId": w.gid(w.b_private), "public": True}},
        anonymous=UNAUTH,
        owner=ok("setBadgePublic", lambda w, p: expect(_fresh(w.b_private).public, p)),
        other=refused("setBadgePublic", "NOT_FOUND"),
    ),
    "deleteBadge": Op(
        _m("deleteBadge", "DeleteBadgeInput", "deletedBadgeId"),
        variables=lambda w: {"input": {"badgeId": w.gid(w.b_private)}},
        anonymous=UNAUTH,
        owner=ok("deleteBadge", lambda w, p: expect(_gone(w.b_private), p)),
        other=refused("deleteBadge", "NOT_FOUND"),
    ),
    "createBadgeCollection": Op(
        _m("createBadgeCollection", "CreateBadgeCollectionInput", "collection { name badges { name } }"),
        variables=lambda w: {"input": {"name": "Mine", "badgeIds": [w.gid(w.b_private)]}},
        anonymous=UNAUTH,
        owner=ok(
            "createBadgeCollection", lambda w, p: expect(p["collection"]["badges"] == [{"name": "Private badge"}], p)
        ),
        other=refused("createBadgeCollection", "NOT_FOUND"),  # olive's badge is not otto's to collect
    ),
    "updateBadgeCollection": Op(
        _m("updateBadgeCollection", "UpdateBadgeCollectionInput", "collection { public }"),
        variables=lambda w: {"input": {"collectionId": w.gid(w.col_private), "public": True}},
        anonymous=UNAUTH,
        owner=ok("updateBadgeCollection", lambda w, p: expect(_fresh(w.col_private).public, p)),
        other=refused("updateBadgeCollection", "NOT_FOUND"),
    ),
    "deleteBadgeCollection": Op(
        _m("deleteBadgeCollection", "DeleteBadgeCollectionInput", "deletedCollectionId"),
        variables=lambda w: {"input": {"collectionId": w.gid(w.col_private)}},
        anonymous=UNAUTH,
        owner=ok("deleteBadgeCollection", lambda w, p: expect(_gone(w.col_private), p)),
        other=refused("deleteBadgeCollection", "NOT_FOUND"),
    ),
    # A member's own preference: olive's call sets hers, otto's sets his (never another member's).
    "setProfileViewsCounted": Op(
        _m("setProfileViewsCounted", "SetProfileViewsCountedInput", "counted"),
        variables=lambda w: {"input": {"counted": False}},
        anonymous=UNAUTH,
        owner=ok("setProfileViewsCounted", lambda w, p: expect(_opted_out() == ["olive"], p)),
        other=ok("setProfileViewsCounted", lambda w, p: expect(_opted_out() == ["otto"], p)),
    ),
    "markNotificationsRead": Op(
        _m("markNotificationsRead", "MarkNotificationsReadInput", "unreadCount"),
        variables=lambda w: {"input": {"ids": [w.gid(w.n_olive)]}},
        anonymous=UNAUTH,
        owner=ok("markNotificationsRead", lambda w, p: expect(_fresh(w.n_olive).read_at is not None, p)),
        other=refused("markNotificationsRead", "NOT_FOUND"),
    ),
    "updateNotificationPreferences": Op(
        _m(
            "updateNotificationPreferences",
            "UpdateNotificationPreferencesInput",
            "preferences { mutedKinds channels { kind channel } }",
        ),
        variables=lambda w: {
            "input": {
                "mutedKinds": ["endorsement.received"],
                "channels": [{"kind": "endorsement.received", "channel": "OFF"}],
            }
        },
        anonymous=UNAUTH,
        owner=ok(
            "updateNotificationPreferences",
            lambda w, p: expect(
                _muted(w.olive) == ["endorsement.received"] and _channels(w.olive) == {"endorsement.received": "OFF"},
                p,
            ),
        ),
        other=ok(
            "updateNotificationPreferences",
            lambda w, p: expect(
                _muted(w.otto) == ["endorsement.received"]
                and _muted(w.olive) == ["badge.verified"]
                and _channels(w.olive) == {},
                p,
            ),
        ),
    ),
    "resumeNotificationEmail": Op(
        _m("resumeNotificationEmail", "ResumeNotificationEmailInput", "preferences { email { stopped } }"),
        variables=lambda w: {"input": {}},
        anonymous=UNAUTH,
        owner=ok("resumeNotificationEmail", lambda w, p: expect(not _stopped(w.olive), p)),
        other=ok("resumeNotificationEmail", lambda w, p: expect(_stopped(w.olive), p)),  # only his own
    ),
}


# --- subscriptions (over the graphql-transport-ws socket; tests/test_authz_sockets.py covers the socket itself) -------
SUBSCRIBE = "subscription { notificationReceived { id kind } }"


async def _graphql_ws(user: Any | None):
    from notifications.tests.helpers import open_socket, session_cookie

    cookie = await database_sync_to_async(session_cookie)(user) if user is not None else None
    socket, connected = await open_socket("/graphql/ws/", cookie=cookie, subprotocols=["graphql-transport-ws"])
    assert connected
    await socket.send_json_to({"type": "connection_init"})
    return socket


async def _subscribed(user: Any) -> Any:
    socket = await _graphql_ws(user)
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}
    await socket.send_json_to({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    return socket


@database_sync_to_async
def _notify(user: Any) -> Notification:
    from notifications.services import notify

    with transaction.atomic():
        return notify(user, "endorsement.received", {"n": 1})


async def _sub_anonymous(w: World) -> None:
    socket = await _graphql_ws(None)
    output = await socket.receive_output(timeout=5)
    assert (output["type"], output.get("code")) == ("websocket.close", 4403), output


async def _sub_owner(w: World) -> None:
    socket = await _subscribed(w.olive)
    stored = await _notify(w.olive)
    message = await socket.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["id"] == w.gid(stored)
    await socket.disconnect()


async def _sub_other(w: World) -> None:
    socket = await _subscribed(w.otto)
    await _notify(w.olive)
    assert await socket.receive_nothing(timeout=0.3), "otto received olive's notification"
    own = await _notify(w.otto)  # the stream is live: his own arrives
    message = await socket.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["id"] == w.gid(own)
    await socket.disconnect()


SUBSCRIPTIONS: dict[str, dict[str, Callable[[World], Awaitable[None]]]] = {
    "notificationReceived": {"anonymous": _sub_anonymous, "owner": _sub_owner, "other": _sub_other},
}


# --- node(id:) for every Node type ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NodeCase:
    fragment: str
    ids: Callable[[World], dict[str, str]]  # alias -> global id
    expected: dict[str, Callable[[World, dict[str, Any]], bool]]  # role -> predicate on {alias: node}


def _node_document(case: NodeCase, aliases: list[str]) -> str:
    args = ", ".join(f"${a}: ID!" for a in aliases)
    fields = " ".join(f"{a}: node(id: ${a}) {{ __typename id {case.fragment} }}" for a in aliases)
    return f"query({args}) {{ {fields} }}"


def _all_none(w: World, d: dict[str, Any]) -> bool:
    return all(v is None for v in d.values())


NODES: dict[str, NodeCase] = {
    "Member": NodeCase(
        "... on Member { username visibility }",
        lambda w: {"olive": w.gid(w.olive)},
        {
            "anonymous": _all_none,  # MEMBERS-only profile
            "owner": lambda w, d: d["olive"]["visibility"] == "MEMBERS",
            "other": lambda w, d: d["olive"]["username"] == "olive" and d["olive"]["visibility"] is None,
        },
    ),
    "Skill": NodeCase(
        "... on Skill { name }",
        lambda w: {"python": _skill_gid(w)},
        {role: (lambda w, d: d["python"]["name"] == "Python") for role in ROLES},
    ),
    "MemberSkill": NodeCase(
        "... on MemberSkill { skill { name } endorsements { totalCount edges { node { hidden } } } }",
        lambda w: {"go": w.gid(w.ms_go)},
        {
            "anonymous": _all_none,
            "owner": lambda w, d: d["go"]["endorsements"] == {"totalCount": 1, "edges": [{"node": {"hidden": True}}]},
            "other": lambda w, d: d["go"]["endorsements"] == {"totalCount": 0, "edges": []},
        },
    ),
    "Endorsement": NodeCase(
        "... on Endorsement { comment hidden }",
        lambda w: {"hidden": w.gid(w.e_hidden), "shown": w.gid(w.e_visible)},
        {
            "anonymous": _all_none,  # both are about a MEMBERS-only profile
            "owner": lambda w, d: d["hidden"]["hidden"] is True and d["shown"]["hidden"] is False,
            "other": lambda w, d: (
                d["hidden"] is None
                and d["shown"]
                == {"__typename": "Endorsement", "id": w.gid(w.e_visible), "comment": "Great", "hidden": None}
            ),
        },
    ),
    "EndorsementRequest": NodeCase(
        "... on EndorsementRequest { message }",
        lambda w: {"out": w.gid(w.r_outgoing), "inc": w.gid(w.r_incoming)},
        {
            "anonymous": _all_none,
            "owner": lambda w, d: d["out"]["message"] == "Private note to Pat" and d["inc"]["message"] == "Please?",
            "other": _all_none,
        },
    ),
    "Badge": NodeCase(
        "... on Badge { name }",
        lambda w: {"priv": w.gid(w.b_private), "pub": w.gid(w.b_public)},
        {
            "anonymous": _all_none,
            "owner": lambda w, d: d["priv"]["name"] == "Private badge" and d["pub"]["name"] == "Public badge",
            "other": lambda w, d: d["priv"] is None and d["pub"]["name"] == "Public badge",
        },
    ),
    "BadgeCollection": NodeCase(
        "... on BadgeCollection { name badges { name } }",
        lambda w: {"shared": w.gid(w.col_shared), "priv": w.gid(w.col_private)},
        {
            "anonymous": _all_none,
            "owner": lambda w, d: d["priv"]["name"] == "Private set" and len(d["shared"]["badges"]) == 2,
            "other": lambda w, d: d["priv"] is None and d["shared"]["badges"] == [{"name": "Public badge"}],
        },
    ),
    "Notification": NodeCase(
        "... on Notification { kind }",
        lambda w: {"olives": w.gid(w.n_olive), "ottos": w.gid(w.n_otto)},
        {
            "anonymous": _all_none,
            "owner": lambda w, d: d["olives"]["kind"] == "badge.verified" and d["ottos"] is None,
            "other": lambda w, d: d["olives"] is None and d["ottos"]["kind"] == "badge.verified",
        },
    ),
}


def _skill_gid(w: World) -> str:
    from vouch.graphql.ids import encode_id

    return encode_id("Skill", w.ms_python.skill_id)


# --- the tests --------------------------------------------------------------------------------------------------------
def _root_fields(type_: Any) -> set[str]:
    return set(type_.fields) if type_ is not None else set()


def test_every_operation_has_an_entry():
    gs = schema.graphql_schema
    for kind, type_, entries in (
        ("query", gs.query_type, QUERIES),
        ("mutation", gs.mutation_type, MUTATIONS),
        ("subscription", gs.subscription_type, SUBSCRIPTIONS),
    ):
        fields = _root_fields(type_)
        assert not fields - set(entries), (
            f"{kind} fields without an authorization entry: {sorted(fields - set(entries))}"
        )
        assert not set(entries) - fields, (
            f"entries for {kind} fields that no longer exist: {sorted(set(entries) - fields)}"
        )


def test_every_node_type_has_an_entry():
    gs = schema.graphql_schema
    implementations = {t.name for t in gs.get_implementations(gs.get_type("Node")).objects}
    assert implementations == set(NODES), (
        f"Node types without an entry: {sorted(implementations - set(NODES))}; "
        f"stale entries: {sorted(set(NODES) - implementations)}"
    )


@pytest.mark.parametrize("name,op", [*QUERIES.items(), *MUTATIONS.items()], ids=[*QUERIES, *MUTATIONS])
def test_every_entry_runs_the_operation_it_is_named_for(name, op):
    (operation,) = [d for d in parse(op.document).definitions if d.kind == "operation_definition"]
    assert name in {selection.name.value for selection in operation.selection_set.selections}


def _run(name: str, op: Op, role: str) -> None:
    w = build_world()
    client = client_for(w.user(role))  # signs in (touching last_login) before the snapshot
    before = snapshot()
    body = gql(client, op.document, op.variables(w))
    getattr(op, role)(w, body, lambda: changes(before, snapshot()))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query(name, role):
    _run(name, QUERIES[name], role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation(name, role):
    _run(name, MUTATIONS[name], role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("type_name", sorted(NODES))
def test_node(type_name, role):
    w = build_world()
    case = NODES[type_name]
    ids = case.ids(w)
    body = gql(client_for(w.user(role)), _node_document(case, list(ids)), ids)
    nodes = data(body)
    assert case.expected[role](w, nodes), nodes
    for alias, node in nodes.items():
        if node is not None:
            assert node["__typename"] == type_name and node["id"] == ids[alias]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(SUBSCRIPTIONS))
async def test_subscription(name, role):
    w = await database_sync_to_async(build_world)()
    await SUBSCRIPTIONS[name][role](w)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_subscription_sent_over_http_is_refused_with_a_clear_error(role):
    w = build_world()
    body = gql(client_for(w.user(role)), SUBSCRIBE)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SUBSCRIPTION_OVER_HTTP"]


# --- the parties the three roles do not cover -------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_other_party_of_a_request_or_endorsement_is_refused_too():
    """The requester cannot answer their own request, the recipient cannot cancel it, the endorser cannot hide
    an endorsement, the endorsed member cannot withdraw it, and nobody attaches their badge to olive's skill."""
    w = build_world()
    own_badge = Badge.objects.create(
        owner=w.otto,
        status="VERIFIED",
        name="Otto's",
        source_kind="URL",
        source_url="https://issuer.example/o",
        source_digest="otto-1",
    )
    attempts = [
        (w.carol, MUTATIONS["respondToEndorsementRequest"], {"requestId": w.gid(w.r_incoming), "accept": True}),
        (w.olive, MUTATIONS["cancelEndorsementRequest"], {"requestId": w.gid(w.r_incoming)}),
        (w.pat, MUTATIONS["respondToEndorsementRequest"], {"requestId": w.gid(w.r_incoming), "accept": False}),
        (w.carol, MUTATIONS["setEndorsementHidden"], {"endorsementId": w.gid(w.e_visible), "hidden": True}),
        (w.olive, MUTATIONS["withdrawEndorsement"], {"endorsementId": w.gid(w.e_visible)}),
        (w.olive, MUTATIONS["reconfirmEndorsement"], {"endorsementId": w.gid(w.e_visible)}),
        (w.olive, MUTATIONS["requestReconfirmation"], {"endorsementId": w.gid(w.e_given)}),
        (w.carol, MUTATIONS["requestReconfirmation"], {"endorsementId": w.gid(w.e_visible)}),
        (w.otto, MUTATIONS["attachBadge"], {"badgeId": w.gid(own_badge), "memberSkillId": w.gid(w.ms_python)}),
        (w.otto, MUTATIONS["importBadge"], {"assertion": "{}", "memberSkillId": w.gid(w.ms_go)}),
        (w.otto, MUTATIONS["markNotificationsRead"], {"ids": [w.gid(w.n_otto), w.gid(w.n_olive)]}),
    ]
    for actor, op, input_ in attempts:
        client = client_for(actor)
        before = snapshot()
        body = gql(client, op.document, {"input": input_})
        (payload,) = data(body).values()
        assert error_codes(payload) == ["NOT_FOUND"], (actor.username, op.document, payload)
        assert changes(before, snapshot()) == []


@pytest.mark.django_db
def test_the_author_of_a_hidden_endorsement_cannot_read_it_back():
    w = build_world()
    body = gql(client_for(w.pat), NODE_ROOT, {"id": w.gid(w.e_hidden)})
    assert data(body)["node"] is None
    member = data(gql(client_for(w.pat), MEMBER, {"u": "olive"}))["member"]
    assert _skill(member, "Go")["endorsements"] == {"totalCount": 0, "edges": []}


@pytest.mark.django_db
def test_public_queries_never_carry_private_data():
    """Nothing an anonymous visitor can ask for contains an e-mail address, a members-only name or a private note."""
    w = build_world()
    client = client_for(None)
    documents = [
        (
            "{ members(first: 50) { edges { node { username displayName headline skills { skill { name } "
            "topEndorsers { username } endorsements { edges { node { comment endorser { username } } } } "
            "badges { name verificationReport } } badges { name verificationReport } } } } }",
            {},
        ),
        (MEMBER, {"u": "carol"}),
        (MEMBER, {"u": "pat"}),
        (
            "query($id: ID!) { badge(id: $id) { name verificationReport owner { username } } }",
            {"id": w.b_public.public_id},
        ),
    ]
    text = json.dumps([gql(client, doc, variables) for doc, variables in documents])
    for secret in ("@example.com", "olive", "Olive Owner", "Private note", "Private badge", "Meh"):
        assert secret not in text, secret
