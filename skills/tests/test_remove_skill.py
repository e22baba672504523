"""removeSkill: only the owner's listing goes; anything else is NOT_FOUND and changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from skills.models import MemberSkill, Skill
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

REMOVE_SKILL = """
mutation($id: ID!) {
  removeSkill(input: {memberSkillId: $id}) {
    removedMemberSkillId
    member { username skills { skill { name } } }
    errors { field message code }
  }
}
"""


def _names(user) -> list[str]:
    return list(
        MemberSkill.objects.filter(member=user).order_by("position", "id").values_list("skill__name", flat=True)
    )


def test_owner_removes_a_listed_skill():
    ana = make_member("ana")
    go = add_skill(ana, name="Go")
    add_skill(ana, name="Rust")
    gid = encode_id("MemberSkill", go.pk)
    payload = data_of(gql(client_for(ana), REMOVE_SKILL, {"id": gid}))["removeSkill"]
    assert payload["errors"] == []
    assert payload["removedMemberSkillId"] == gid
    assert payload["member"] == {"username": "ana", "skills": [{"skill": {"name": "Rust"}}]}
    assert _names(ana) == ["Rust"]
    assert Skill.objects.filter(name="Go").exists()  # the taxonomy keeps the skill


def test_adding_after_removing_goes_to_the_end():
    ana = make_member("ana")
    first = add_skill(ana, name="Go")
    add_skill(ana, name="Rust")
    data_of(gql(client_for(ana), REMOVE_SKILL, {"id": encode_id("MemberSkill", first.pk)}))
    add_skill(ana, name="Go")
    assert _names(ana) == ["Rust", "Go"]


def test_another_members_listing_is_not_found_and_kept():
    ana, ben = make_member("ana"), make_member("ben")
    go = add_skill(ana, name="Go")
    add_skill(ben, name="Rust")
    payload = data_of(gql(client_for(ben), REMOVE_SKILL, {"id": encode_id("MemberSkill", go.pk)}))["removeSkill"]
    assert payload["member"] is None
    assert payload["errors"] == [{"field": "memberSkillId", "message": "No such skill.", "code": "NOT_FOUND"}]
    assert _names(ana) == ["Go"]
    assert _names(ben) == ["Rust"]


def test_anonymous_is_unauthenticated_and_nothing_is_removed():
    ana = make_member("ana")
    go = add_skill(ana, name="Go")
    body = gql(Client(), REMOVE_SKILL, {"id": encode_id("MemberSkill", go.pk)})
    assert unauthenticated(body)
    assert body["data"]["removeSkill"] is None
    assert _names(ana) == ["Go"]


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "nonsense",
        "!!!",
        "TWVtYmVyU2tpbGw6",
        encode_id("Member", 1),
        encode_id("MemberSkill", 999999),
        encode_id("MemberSkill", 0),
        encode_id("MemberSkill", -1),
        encode_id("MemberSkill", 2**63),
        "TWVtYmVyU2tpbGw6YWJj",
    ],
)
def test_bad_or_malformed_ids_are_not_found(bad_id):
    ana = make_member("ana")
    add_skill(ana, name="Go")
    payload = data_of(gql(client_for(ana), REMOVE_SKILL, {"id": bad_id}))["removeSkill"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("memberSkillId", "NOT_FOUND")]
    assert _names(ana) == ["Go"]


def test_the_id_of_the_callers_own_member_is_not_a_member_skill_id():
    ana = make_member("ana")
    ms = add_skill(ana, name="Go")
    payload = data_of(gql(client_for(ana), REMOVE_SKILL, {"id": encode_id("Member", ms.pk)}))["removeSkill"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    assert _names(ana) == ["Go"]
