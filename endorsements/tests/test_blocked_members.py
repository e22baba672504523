"""Blocking, as endorsements see it: `blockedMembers` lists whom you blocked; unblocking lets them endorse again."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.tests.factories import listing
from profiles.services import block_member
from profiles.tests.factories import make_member
from vouch.testing import CountQueries, client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

BLOCKED = "{ blockedMembers { username displayName skills { skill { name } } } }"
UNBLOCK = 'mutation { unblockMember(input: {member: "troll"}) { errors { code } } }'
ENDORSE = 'mutation { endorse(input: {member: "ana", skill: "Go", relationship: PEER}) { errors { code } } }'


def test_blocked_members_lists_whom_you_blocked_only():
    ana, troll, other = make_member("ana"), make_member("troll"), make_member("other")
    block_member(ana, member=troll)
    block_member(other, member=ana)
    assert data_of(gql(client_for(ana), BLOCKED))["blockedMembers"] == [
        {"username": "troll", "displayName": "Troll", "skills": []}
    ]
    assert [m["username"] for m in data_of(gql(client_for(other), BLOCKED))["blockedMembers"]] == ["ana"]
    assert data_of(gql(client_for(troll), BLOCKED))["blockedMembers"] == []


def test_blocked_members_needs_a_signed_in_member():
    assert unauthenticated(gql(Client(), BLOCKED))


def test_blocked_members_sql_count_does_not_grow():
    ana = make_member("ana")

    def count():
        with CountQueries() as q:
            data_of(gql(client_for(ana), BLOCKED))
        return q.count

    block_member(ana, member=make_member("first"))
    small = count()
    for i in range(15):
        blocked = make_member(f"blocked{i}")
        listing(blocked, "Go")
        block_member(ana, member=blocked)
    assert count() == small


def test_unblocking_lets_them_endorse_again():
    ana, troll = make_member("ana"), make_member("troll")
    listing(ana, "Go")
    block_member(ana, member=troll)
    assert error_codes(data_of(gql(client_for(troll), ENDORSE))["endorse"]) == ["BLOCKED"]
    assert data_of(gql(client_for(ana), UNBLOCK))["unblockMember"]["errors"] == []
    assert data_of(gql(client_for(troll), ENDORSE))["endorse"]["errors"] == []


def test_blocking_cancels_pending_requests_both_ways_and_nothing_else():
    from endorsements.models import EndorsementRequest
    from endorsements.services import request_endorsement

    ana, troll, bea = make_member("ana"), make_member("troll"), make_member("bea")
    listing(ana, "Go"), listing(troll, "Go")
    from_troll = request_endorsement(troll, recipient=ana, skill="Go", relationship="PEER", message="")
    to_troll = request_endorsement(ana, recipient=troll, skill="Go", relationship="PEER", message="")
    to_bea = request_endorsement(ana, recipient=bea, skill="Go", relationship="PEER", message="")

    block_member(ana, member=troll)

    statuses = dict(EndorsementRequest.objects.values_list("pk", "status"))
    assert statuses[from_troll.pk] == "CANCELLED"
    assert statuses[to_troll.pk] == "CANCELLED"
    assert statuses[to_bea.pk] == "PENDING"
