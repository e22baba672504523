"""blockMember / unblockMember: the caller blocks or unblocks someone they can see; never themselves."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.models import Block, Profile, Visibility
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

BLOCK = (
    "mutation($u: String!) { blockMember(input: {member: $u}) { member { username } errors { field message code } } }"
)
UNBLOCK = (
    "mutation($u: String!) { unblockMember(input: {member: $u}) { member { username } errors { field message code } } }"
)


def test_member_blocks_and_unblocks_another():
    ana, ben = make_member("ana"), make_member("ben")
    payload = data_of(gql(client_for(ana), BLOCK, {"u": "BEN"}))["blockMember"]
    assert payload == {"member": {"username": "ben"}, "errors": []}
    assert Block.objects.filter(blocker=ana, blocked=ben).count() == 1
    data_of(gql(client_for(ana), BLOCK, {"u": "ben"}))  # twice: still one block
    assert Block.objects.count() == 1
    payload = data_of(gql(client_for(ana), UNBLOCK, {"u": "ben"}))["unblockMember"]
    assert payload["errors"] == []
    assert not Block.objects.exists()


def test_another_members_blocks_are_their_own():
    ana, ben = make_member("ana"), make_member("ben")
    carla = make_member("carla")
    Block.objects.create(blocker=ana, blocked=ben)
    # carla unblocking ben removes only a block carla made (none), never ana's.
    assert data_of(gql(client_for(carla), UNBLOCK, {"u": "ben"}))["unblockMember"]["errors"] == []
    assert Block.objects.filter(blocker=ana, blocked=ben).exists()
    data_of(gql(client_for(carla), BLOCK, {"u": "ben"}))
    assert set(Block.objects.values_list("blocker__username", flat=True)) == {"ana", "carla"}


def test_anonymous_is_unauthenticated():
    make_member("ben")
    for doc in (BLOCK, UNBLOCK):
        body = gql(Client(), doc, {"u": "ben"})
        assert unauthenticated(body)
    assert not Block.objects.exists()


@pytest.mark.parametrize("username", ["nobody", "", "x" * 500])
def test_unknown_member_is_not_found(username):
    ana = make_member("ana")
    payload = data_of(gql(client_for(ana), BLOCK, {"u": username}))["blockMember"]
    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("member", "NOT_FOUND")]
    assert not Block.objects.filter(blocker=ana).exists()


def test_inactive_member_is_not_found():
    ana, ben = make_member("ana"), make_member("ben")
    ben.is_active = False
    ben.save()
    payload = data_of(gql(client_for(ana), BLOCK, {"u": "ben"}))["blockMember"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


def test_members_only_profile_can_be_blocked_by_a_member():
    ana, ben = make_member("ana"), make_member("ben")
    Profile.objects.filter(user=ben).update(visibility=Visibility.MEMBERS)
    assert data_of(gql(client_for(ana), BLOCK, {"u": "ben"}))["blockMember"]["errors"] == []


def test_blocking_yourself_is_refused():
    ana = make_member("ana")
    payload = data_of(gql(client_for(ana), BLOCK, {"u": "ana"}))["blockMember"]
    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("member", "INVALID")]
    assert not Block.objects.exists()
