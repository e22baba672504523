"""setSkillEndorsementsEnabled: the owner turns endorsements for one listing off and on; others get NOT_FOUND."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

SET_ENABLED = """
mutation($id: ID!, $enabled: Boolean!) {
  setSkillEndorsementsEnabled(input: {memberSkillId: $id, enabled: $enabled}) {
    memberSkill { id endorsementsEnabled skill { name } }
    errors { field message code }
  }
}
"""


def _enabled(ms) -> bool:
    return MemberSkill.objects.get(pk=ms.pk).endorsements_enabled


def test_owner_turns_endorsements_off_and_on():
    ana = make_member("ana")
    ms = add_skill(ana, name="Go")
    gid = encode_id("MemberSkill", ms.pk)
    payload = data_of(gql(client_for(ana), SET_ENABLED, {"id": gid, "enabled": False}))["setSkillEndorsementsEnabled"]
    assert payload == {"memberSkill": {"id": gid, "endorsementsEnabled": False, "skill": {"name": "Go"}}, "errors": []}
    assert not _enabled(ms)
    data_of(gql(client_for(ana), SET_ENABLED, {"id": gid, "enabled": True}))
    assert _enabled(ms)


def test_another_members_listing_is_not_found_and_unchanged():
    ana, ben = make_member("ana"), make_member("ben")
    ms = add_skill(ana, name="Go")
    payload = data_of(gql(client_for(ben), SET_ENABLED, {"id": encode_id("MemberSkill", ms.pk), "enabled": False}))[
        "setSkillEndorsementsEnabled"
    ]
    assert payload["memberSkill"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("memberSkillId", "NOT_FOUND")]
    assert _enabled(ms)


def test_anonymous_is_unauthenticated_and_unchanged():
    ms = add_skill(make_member("ana"), name="Go")
    body = gql(Client(), SET_ENABLED, {"id": encode_id("MemberSkill", ms.pk), "enabled": False})
    assert unauthenticated(body)
    assert _enabled(ms)


@pytest.mark.parametrize("bad", ["", "garbage", encode_id("Skill", 1), encode_id("MemberSkill", 10**6)])
def test_bad_ids_are_not_found(bad):
    ana = make_member("ana")
    ms = add_skill(ana, name="Go")
    payload = data_of(gql(client_for(ana), SET_ENABLED, {"id": bad, "enabled": False}))["setSkillEndorsementsEnabled"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert _enabled(ms)
