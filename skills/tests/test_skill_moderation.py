"""New skill names are a shared resource: a member adds at most SKILLS_CREATED_PER_DAY new names a day (listing
existing skills is free), names that are links or spam are refused, and staff can hide a skill (not found, not
suggested, not newly listed; existing listings stay)."""

from __future__ import annotations

import pytest

from profiles.tests.factories import make_member
from skills.models import MemberSkill, Skill
from skills.services import add_skill
from vouch.testing import client_for, data_of, gql

pytestmark = pytest.mark.django_db

ADD_SKILL = """
mutation($name: String!) {
  addSkill(input: {name: $name}) { memberSkill { skill { name } } errors { field code } }
}
"""
SEARCH = "query($s: String!) { skills(search: $s, first: 50) { name } }"


def add(client, name: str) -> dict:
    return data_of(gql(client, ADD_SKILL, {"name": name}))["addSkill"]


def test_a_member_creates_at_most_the_daily_number_of_new_skills(settings):
    settings.SKILLS_CREATED_PER_DAY = 3
    assert Skill.objects.filter(key="python").exists()  # the seeded taxonomy
    ana, bo = make_member("ana"), make_member("bob")
    client = client_for(ana)
    for name in ("Zig", "Nim", "Crystal"):
        assert add(client, name)["errors"] == []
    refused = add(client, "Odin")
    assert refused == {"memberSkill": None, "errors": [{"field": "name", "code": "RATE_LIMITED"}]}
    assert not Skill.objects.filter(key="odin").exists()
    # Listing a skill that exists is not creating one; another member has a budget of their own.
    assert add(client, "python")["errors"] == []
    assert add(client_for(bo), "Odin")["errors"] == []
    assert Skill.objects.get(key="odin").created_by == bo
    assert MemberSkill.objects.filter(member=ana).count() == 4


@pytest.mark.parametrize("name", ["Casino bonus", "www.cheap-pills", "Cheap-pills.com", "XXX videos"])
def test_names_that_are_links_or_spam_are_refused(name):
    # (":", "/" after a scheme and "@" are refused by the character rule already.)
    ana = make_member("ana")
    assert add(client_for(ana), name) == {
        "memberSkill": None,
        "errors": [{"field": "name", "code": "SKILL_NOT_ALLOWED"}],
    }
    assert not Skill.objects.filter(created_by=ana).exists()


def test_operator_blocked_words_are_refused(settings):
    settings.SKILL_BLOCKED_WORDS = ["acme"]
    ana = make_member("ana")
    assert add(client_for(ana), "Acme Hacking")["errors"] == [{"field": "name", "code": "SKILL_NOT_ALLOWED"}]
    assert add(client_for(ana), "Acmeology")["errors"] == []  # whole words only


def test_a_hidden_skill_is_not_found_nor_newly_listed_but_existing_listings_stay():
    ana, bo = make_member("ana"), make_member("bob")
    add_skill(ana, name="Growth Hacking")
    Skill.objects.filter(key="growth hacking").update(hidden=True)  # what the admin's "hide" action does
    assert data_of(gql(client_for(bo), SEARCH, {"s": "growth"}))["skills"] == []
    assert add(client_for(bo), "growth hacking")["errors"] == [{"field": "name", "code": "SKILL_NOT_ALLOWED"}]
    assert MemberSkill.objects.filter(member=ana, skill__key="growth hacking").exists()
    me = data_of(gql(client_for(ana), "{ me { skills { skill { name } } } }"))["me"]
    assert me["skills"] == [{"skill": {"name": "Growth Hacking"}}]
