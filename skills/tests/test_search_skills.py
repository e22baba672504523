"""skills(search:): autocomplete by case-insensitive prefix of a name or an alias."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from skills.models import Skill
from skills.services import add_skill, find_skill, get_or_create_skill
from vouch.testing import CountQueries, data_of, gql

pytestmark = pytest.mark.django_db

SEARCH = "query($s: String!, $first: Int) { skills(search: $s, first: $first) { name slug } }"
SEARCH_WITH_ALIASES = "query($s: String!) { skills(search: $s, first: 50) { name aliases } }"


def names(search: str, first: int | None = None) -> list[str]:
    variables = {"s": search} if first is None else {"s": search, "first": first}
    return [s["name"] for s in data_of(gql(Client(), SEARCH, variables))["skills"]]


@pytest.mark.parametrize("search", ["py", "PY", "Py", " pyt", "pYtHoN"])
def test_prefix_is_case_insensitive(search):
    assert "Python" in names(search)


def test_prefix_only_not_substring():
    assert "JavaScript" not in names("script")
    assert "TypeScript" not in names("script")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [("js", "JavaScript"), ("K8", "Kubernetes"), ("golang", "Go"), ("pos", "PostgreSQL"), ("a11", "Accessibility")],
)
def test_alias_prefix_finds_the_canonical_skill(alias, canonical):
    assert canonical in names(alias)


def test_word_start_inside_a_name_matches():
    assert "Amazon Web Services" in names("web")
    assert "Data Analysis" in names("analy")


def test_most_listed_first():
    for n in range(3):
        add_skill(make_member(f"java-fan-{n}"), name="Java")
    add_skill(make_member("solo"), name="JavaScript")
    assert names("java")[:2] == ["Java", "JavaScript"]


def test_new_skills_are_searchable():
    get_or_create_skill("Zig")
    assert names("zi") == ["Zig"]


def test_first_is_capped_at_50():
    for n in range(60):
        Skill.objects.create(name=f"Qskill {n}", key=f"qskill {n}", slug=f"qskill-{n}")
    assert len(names("qskill", first=500)) == 50
    assert len(names("qskill")) == 10
    assert len(names("qskill", first=0)) == 1
    assert len(names("qskill", first=-5)) == 1


def test_no_match_is_an_empty_list():
    assert names("xqzv") == []


def test_unfit_search_strings_are_harmless():
    assert names("%") == []
    assert names("_") == []
    assert names("'; drop table skills_skill; --") == []
    assert len(names("x" * 10_000)) == 0


def test_aliases_field_and_query_count_do_not_grow_with_results():
    with CountQueries() as few:
        body = gql(Client(), SEARCH_WITH_ALIASES, {"s": "go"})
    assert any(s["name"] == "Go" and "golang" in s["aliases"] for s in data_of(body)["skills"])
    with CountQueries() as many:
        body = gql(Client(), SEARCH_WITH_ALIASES, {"s": ""})
    assert len(data_of(body)["skills"]) == 50
    assert few.count == many.count


def test_find_skill_resolves_names_and_aliases():
    assert find_skill("  JAVASCRIPT ").name == "JavaScript"
    assert find_skill("JS").name == "JavaScript"
    assert find_skill("no such skill") is None
