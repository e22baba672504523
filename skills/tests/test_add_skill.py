"""addSkill: any spelling resolves to one canonical skill; duplicates, the cap and bad names are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from profiles.tests.factories import make_member
from skills.models import MemberSkill, Skill
from skills.services import add_skill
from vouch.testing import client_for, data_of, gql, unauthenticated

pytestmark = pytest.mark.django_db

ADD_SKILL = """
mutation($name: String!) {
  addSkill(input: {name: $name}) {
    memberSkill { id position score endorsementCount skill { id name slug } }
    errors { field message code }
  }
}
"""


def add(client: Client, name: str) -> dict:
    return data_of(gql(client, ADD_SKILL, {"name": name}))["addSkill"]


def test_messy_spellings_of_python_are_one_skill():
    ana = make_member("ana")
    client = client_for(ana)
    first = add(client, "python")
    assert first["errors"] == []
    assert first["memberSkill"]["skill"]["name"] == "Python"
    assert first["memberSkill"]["position"] == 0
    for spelling in ("Python ", "PYTHON", "  pYtHoN  ", "ＰＹＴＨＯＮ", "py", "Python3"):
        again = add(client, spelling)
        assert again["memberSkill"] is None
        assert again["errors"] == [
            {"field": "name", "message": "You already list Python.", "code": "DUPLICATE_SKILL"}
        ], spelling
    assert Skill.objects.filter(name__iexact="python").count() == 1
    assert MemberSkill.objects.filter(member=ana).count() == 1


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("JS", "JavaScript"),
        ("js", "JavaScript"),
        ("k8s", "Kubernetes"),
        ("K8S ", "Kubernetes"),
        ("golang", "Go"),
        ("c sharp", "C#"),
        ("C++", "C++"),
        ("ci/cd", "Continuous Integration"),
        ("node.js", "Node.js"),
    ],
)
def test_aliases_resolve_to_the_canonical_skill(spelling, canonical):
    ana = make_member("ana")
    before = Skill.objects.count()
    payload = add(client_for(ana), spelling)
    assert payload["errors"] == []
    assert payload["memberSkill"]["skill"]["name"] == canonical
    assert Skill.objects.count() == before


def test_two_members_listing_the_same_skill_share_it():
    ana, ben = make_member("ana"), make_member("ben")
    a = add(client_for(ana), "rust")
    b = add(client_for(ben), "RUST")
    assert a["memberSkill"]["skill"]["id"] == b["memberSkill"]["skill"]["id"]
    assert a["memberSkill"]["id"] != b["memberSkill"]["id"]


def test_unknown_skill_is_created_normalised():
    ana = make_member("ana")
    payload = add(client_for(ana), "  Event   Sourcing\t ")
    assert payload["errors"] == []
    skill = Skill.objects.get(name="Event Sourcing")
    assert (skill.key, skill.slug) == ("event sourcing", "event-sourcing")
    assert payload["memberSkill"]["skill"] == {
        "id": payload["memberSkill"]["skill"]["id"],
        "name": "Event Sourcing",
        "slug": "event-sourcing",
    }
    # Later spellings find it.
    ben = make_member("ben")
    assert add(client_for(ben), "EVENT SOURCING")["memberSkill"]["skill"]["name"] == "Event Sourcing"
    assert Skill.objects.filter(key="event sourcing").count() == 1


def test_new_skills_get_unique_slugs():
    ana = make_member("ana")
    client = client_for(ana)
    add(client, "F#")
    add(client, "F sharp")  # a different key, the same natural slug
    slugs = set(Skill.objects.filter(key__in=["f#", "f sharp"]).values_list("slug", flat=True))
    assert slugs == {"f-sharp", "f-sharp-2"}


def test_positions_follow_the_order_of_adding():
    ana = make_member("ana")
    client = client_for(ana)
    positions = [add(client, name)["memberSkill"]["position"] for name in ("Go", "Rust", "SQL")]
    assert positions == [0, 1, 2]


def test_new_listing_starts_with_no_score():
    ana = make_member("ana")
    payload = add(client_for(ana), "Go")
    assert (payload["memberSkill"]["score"], payload["memberSkill"]["endorsementCount"]) == (0.0, 0)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("x" * 51, "MAX_LENGTH"),
        ("", "REQUIRED"),
        ("   \t ", "REQUIRED"),
        ("<script>alert(1)</script>", "INVALID_CHARACTERS"),
        ("python; drop table", "INVALID_CHARACTERS"),
        ("___", "INVALID_CHARACTERS"),
        ("snake_case", "INVALID_CHARACTERS"),
        ("+++", "INVALID_CHARACTERS"),
        ("emoji 🐍", "INVALID_CHARACTERS"),
        ("zero\u200bwidth", "INVALID_CHARACTERS"),
        ("ß" * 30, "MAX_LENGTH"),  # 30 characters, but its matching key "ss" * 30 is 60
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(name, code):
    ana = make_member("ana")
    skills_before = Skill.objects.count()
    payload = add(client_for(ana), name)
    assert payload["memberSkill"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("name", code)]
    assert payload["errors"][0]["message"]
    assert Skill.objects.count() == skills_before
    assert not MemberSkill.objects.filter(member=ana).exists()


@pytest.mark.parametrize(
    "name", ["x" * 50, "Objective-C", "R&D", "Café Management", "日本語", "People's Leadership (EMEA)"]
)
def test_names_within_the_rules_are_accepted(name):
    ana = make_member("ana")
    payload = add(client_for(ana), name)
    assert payload["errors"] == []
    assert payload["memberSkill"]["skill"]["slug"]


def test_fifty_skill_cap_refuses_the_fifty_first_without_creating_the_skill(settings):
    assert settings.MAX_SKILLS_PER_MEMBER == 50
    ana = make_member("ana")
    for n in range(50):
        add_skill(ana, name=f"Skill {n}")
    skills_before = Skill.objects.count()
    payload = add(client_for(ana), "Brand New Skill")
    assert payload["memberSkill"] is None
    assert payload["errors"] == [
        {"field": "name", "message": "A member lists at most 50 skills.", "code": "TOO_MANY_SKILLS"}
    ]
    assert MemberSkill.objects.filter(member=ana).count() == 50
    assert Skill.objects.count() == skills_before  # the new skill was not left behind


def test_cap_is_per_member():
    ana, ben = make_member("ana"), make_member("ben")
    for n in range(50):
        add_skill(ana, name=f"Skill {n}")
    assert add(client_for(ben), "Skill 1")["errors"] == []


def test_anonymous_is_unauthenticated_and_nothing_is_written():
    before = Skill.objects.count()
    body = gql(Client(), ADD_SKILL, {"name": "Totally New Skill"})
    assert unauthenticated(body)
    assert body["data"]["addSkill"] is None
    assert Skill.objects.count() == before
    assert not MemberSkill.objects.exists()


def test_another_member_adds_only_to_their_own_list():
    ana, ben = make_member("ana"), make_member("ben")
    add(client_for(ben), "Go")
    assert list(MemberSkill.objects.values_list("member__username", flat=True)) == ["ben"]
    assert not MemberSkill.objects.filter(member=ana).exists()


def test_missing_name_is_a_graphql_error():
    ana = make_member("ana")
    response = client_for(ana).post(
        "/graphql/", {"query": "mutation { addSkill(input: {}) { errors { code } } }"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]


def test_service_raises_codes():
    ana = make_member("ana")
    add_skill(ana, name="Go")
    with pytest.raises(ValidationError) as exc:
        add_skill(ana, name="golang")
    assert exc.value.error_dict["name"][0].code == "DUPLICATE_SKILL"
