"""updateNotificationPreferences: muting kinds, as owner, anonymously and with bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.models import Profile
from profiles.tests.factories import make_member
from vouch.testing import client_for, data_of, error_codes, gql, unauthenticated

pytestmark = pytest.mark.django_db

UPDATE = """
mutation Update($kinds: [String!]!) {
  updateNotificationPreferences(input: {mutedKinds: $kinds}) {
    preferences { mutedKinds kinds }
    errors { field code }
  }
}
"""
READ = "query { notificationPreferences { mutedKinds } }"


def muted(user) -> list[str]:
    return Profile.objects.get(user=user).muted_kinds


def test_owner_mutes_kinds_deduplicated_and_sorted():
    ana = make_member("ana")
    result = data_of(gql(client_for(ana), UPDATE, {"kinds": ["badge.verified", "badge.failed", "badge.verified"]}))
    payload = result["updateNotificationPreferences"]
    assert payload["errors"] == []
    assert payload["preferences"]["mutedKinds"] == ["badge.failed", "badge.verified"]
    assert "endorsement.received" in payload["preferences"]["kinds"]
    assert muted(ana) == ["badge.failed", "badge.verified"]
    assert data_of(gql(client_for(ana), READ)) == {
        "notificationPreferences": {"mutedKinds": ["badge.failed", "badge.verified"]}
    }


def test_owner_unmutes_with_an_empty_list():
    ana = make_member("ana")
    gql(client_for(ana), UPDATE, {"kinds": ["badge.failed"]})
    data_of(gql(client_for(ana), UPDATE, {"kinds": []}))
    assert muted(ana) == []


def test_a_member_changes_only_their_own_preferences():
    ana, bob = make_member("ana"), make_member("bob")
    gql(client_for(ana), UPDATE, {"kinds": ["badge.failed"]})
    assert muted(bob) == []


def test_unknown_kinds_are_refused_and_nothing_is_written():
    ana = make_member("ana")
    gql(client_for(ana), UPDATE, {"kinds": ["badge.failed"]})
    payload = data_of(gql(client_for(ana), UPDATE, {"kinds": ["badge.verified", "spam"]}))[
        "updateNotificationPreferences"
    ]
    assert error_codes(payload) == ["UNKNOWN_KIND"]
    assert payload["errors"][0]["field"] == "mutedKinds"
    assert muted(ana) == ["badge.failed"]


def test_anonymous_is_unauthenticated():
    assert unauthenticated(gql(Client(), UPDATE, {"kinds": []}))
    assert data_of(gql(Client(), READ)) == {"notificationPreferences": None}
