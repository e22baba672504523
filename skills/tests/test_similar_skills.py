"""similarSkills(name:) and the search page's "did you mean": typo-tolerant suggestions (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from skills.services import add_skill, similar_skills
from vouch.testing import data_of, gql

pytestmark = pytest.mark.django_db

SIMILAR = "query($n: String!, $first: Int) { similarSkills(name: $n, first: $first) { name } }"


def suggested(name: str, first: int = 5) -> list[str]:
    return [s["name"] for s in data_of(gql(Client(), SIMILAR, {"n": name, "first": first}))["similarSkills"]]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("kubernets", "Kubernetes"), ("Pyhton", "Python"), ("javascritp", "JavaScript"), ("postgress", "PostgreSQL")],
)
def test_a_typo_suggests_the_skill_meant_first(typed, meant):
    assert suggested(typed)[:1] == [meant]


def test_aliases_count_but_each_skill_is_suggested_once():
    names = suggested("golang", first=20)
    assert names.count("Go") == 1


def test_nonsense_and_tiny_inputs_suggest_nothing():
    assert suggested("qqxzvw") == []
    assert suggested("k") == []
    assert suggested("") == []


def test_first_is_bounded_and_long_input_is_harmless():
    assert len(suggested("a" * 10_000, first=1000)) <= 20
    assert len(similar_skills("py", first=10_000)) <= 20


def test_search_page_offers_the_closest_skill_for_an_unknown_one():
    ana = make_member("ana")
    add_skill(ana, name="Kubernetes")
    page = Client().get("/", {"skill": "kubernets"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Did you mean" in html and "?skill=Kubernetes" in html


def test_search_page_offers_skills_when_a_text_search_finds_no_one():
    page = Client().get("/", {"q": "Pyhton", "text": "1"})
    assert "Did you mean" in page.content.decode() and ">Python<" in page.content.decode()
