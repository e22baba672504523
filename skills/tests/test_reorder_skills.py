"""reorderSkills: the caller's listings in a new order, exactly once each; anything else changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

REORDER_SKILLS = """
mutation($ids: [ID!]!) {
  reorderSkills(input: {memberSkillIds: $ids}) {
    member { username skills { position skill { name } } }
    errors { field message code }
  }
}
"""


def _names(user) -> list[str]:
    return list(
        MemberSkill.objects.filter(member=user).order_by("position", "id").values_list("skill__name", flat=True)
    )


@pytest.fixture
def ana_with_skills():
    ana = make_member("ana")
    listed = [add_skill(ana, name=n) for n in ("Go", "Rust", "SQL")]
    return ana, [encode_id("MemberSkill", ms.pk) for ms in listed]


def _refused(body: dict, code: str) -> None:
    payload = data_of(body)["reorderSkills"]
    assert payload["member"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("memberSkillIds", code)]
    assert payload["errors"][0]["message"]


def test_owner_reorders(ana_with_skills):
    ana, (go, rust, sql) = ana_with_skills
    payload = data_of(gql(client_for(ana), REORDER_SKILLS, {"ids": [sql, go, rust]}))["reorderSkills"]
    assert payload["errors"] == []
    assert payload["member"]["skills"] == [
        {"position": 0, "skill": {"name": "SQL"}},
        {"position": 1, "skill": {"name": "Go"}},
        {"position": 2, "skill": {"name": "Rust"}},
    ]
    assert _names(ana) == ["SQL", "Go", "Rust"]


def test_order_shows_on_the_public_profile(ana_with_skills):
    ana, (go, rust, sql) = ana_with_skills
    data_of(gql(client_for(ana), REORDER_SKILLS, {"ids": [rust, sql, go]}))
    body = gql(Client(), '{ member(username: "ana") { skills { skill { name } } } }')
    assert [s["skill"]["name"] for s in data_of(body)["member"]["skills"]] == ["Rust", "SQL", "Go"]


def test_another_members_ids_are_not_found_and_nothing_changes(ana_with_skills):
    ana, ids = ana_with_skills
    ben = make_member("ben")
    ben_go = encode_id("MemberSkill", add_skill(ben, name="Go").pk)
    # ben sends ana's ids
    _refused(gql(client_for(ben), REORDER_SKILLS, {"ids": list(reversed(ids))}), "NOT_FOUND")
    # ben mixes his own id with one of ana's
    _refused(gql(client_for(ben), REORDER_SKILLS, {"ids": [ids[0], ben_go]}), "NOT_FOUND")
    assert _names(ana) == ["Go", "Rust", "SQL"]
    assert _names(ben) == ["Go"]


def test_anonymous_is_unauthenticated_and_nothing_changes(ana_with_skills):
    ana, ids = ana_with_skills
    body = gql(Client(), REORDER_SKILLS, {"ids": list(reversed(ids))})
    assert unauthenticated(body)
    assert body["data"]["reorderSkills"] is None
    assert _names(ana) == ["Go", "Rust", "SQL"]


def test_incomplete_order_is_refused(ana_with_skills):
    ana, (go, rust, sql) = ana_with_skills
    _refused(gql(client_for(ana), REORDER_SKILLS, {"ids": [sql, go]}), "INCOMPLETE_ORDER")
    _refused(gql(client_for(ana), REORDER_SKILLS, {"ids": []}), "INCOMPLETE_ORDER")
    assert _names(ana) == ["Go", "Rust", "SQL"]


def test_repeated_id_is_refused(ana_with_skills):
    ana, (go, rust, sql) = ana_with_skills
    _refused(gql(client_for(ana), REORDER_SKILLS, {"ids": [sql, go, rust, sql]}), "DUPLICATE_ID")
    assert _names(ana) == ["Go", "Rust", "SQL"]


@pytest.mark.parametrize(
    "bad", ["nonsense", "", encode_id("Skill", 1), encode_id("MemberSkill", 10**9), "Zm9vOmJhcg=="]
)
def test_malformed_or_unknown_ids_are_not_found(ana_with_skills, bad):
    ana, (go, rust, sql) = ana_with_skills
    _refused(gql(client_for(ana), REORDER_SKILLS, {"ids": [sql, bad, rust, go]}), "NOT_FOUND")
    assert _names(ana) == ["Go", "Rust", "SQL"]


def test_too_many_ids_are_refused_before_decoding(ana_with_skills):
    ana, ids = ana_with_skills
    _refused(gql(client_for(ana), REORDER_SKILLS, {"ids": ids * 70}), "TOO_MANY_IDS")
    assert _names(ana) == ["Go", "Rust", "SQL"]


def test_member_with_no_skills_may_send_an_empty_order():
    ben = make_member("ben")
    payload = data_of(gql(client_for(ben), REORDER_SKILLS, {"ids": []}))["reorderSkills"]
    assert payload == {"member": {"username": "ben", "skills": []}, "errors": []}


def test_ids_must_be_a_list_of_non_null_ids(ana_with_skills):
    ana, ids = ana_with_skills
    response = client_for(ana).post(
        "/graphql/", {"query": REORDER_SKILLS, "variables": {"ids": [ids[0], None]}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert _names(ana) == ["Go", "Rust", "SQL"]
