"""members(search:) on PostgreSQL: index-backed, typo-tolerant and ranked (profiles/search.py).

SQLite keeps case-insensitive substring matching (test_member_queries.py covers it on both)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from profiles.models import Profile, Visibility
from profiles.search import NAME, TSVECTOR
from profiles.selectors import search_members
from profiles.tests.factories import make_member
from vouch.testing import CountQueries, data_of, gql

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MEMBERS = "query($q: String) { members(search: $q, first: 20) { totalCount edges { node { username } } } }"


@pytest.fixture
def people(postgres):
    make_member("maria", display_name="Maria Okafor", headline="Platform engineering lead", organisation="Northwind")
    make_member("kenji", display_name="Kenji Sato", headline="Kubernetes and Go", organisation="Contoso")
    make_member("marian", display_name="Marian Keller", headline="Data engineer", title="Staff engineer")
    make_member("zoe", display_name="Zoe Adams", headline="Designer", organisation="Fabrikam")
    hidden = make_member("mara", display_name="Mara Hidden", headline="Platform person")
    Profile.objects.filter(user=hidden).update(visibility=Visibility.MEMBERS)


def found(q: str, client: Client | None = None) -> list[str]:
    return [e["node"]["username"] for e in data_of(gql(client or Client(), MEMBERS, {"q": q}))["members"]["edges"]]


def test_a_typo_in_a_name_still_finds_the_member(people):
    assert found("Okafro")[:1] == ["maria"]
    assert "kenji" in found("kubernet")  # headline words: by prefix (typos in skills: similarSkills)
    assert found("Kenij Sato")[:1] == ["kenji"]


def test_substrings_of_handles_names_and_organisations_match_as_before(people):
    assert set(found("mar")) == {"maria", "marian"}  # mara is members-only: not for an anonymous visitor
    assert found("fabrik") == ["zoe"]
    assert found("northwind") == ["maria"]


def test_words_in_any_order_across_fields_match(people):
    assert found("engineering platform")[:1] == ["maria"]
    assert found("staff engineer")[:1] == ["marian"]
    assert found("platform eng") == ["maria"]  # the last word is a prefix while it is being typed


def test_a_search_answers_at_most_the_best_few_hundred(postgres):
    from profiles.search import CANDIDATES

    for n in range(CANDIDATES + 30):
        make_member(f"eng{n:03d}", display_name=f"Person {n}", headline="Engineer")
    body = data_of(gql(Client(), MEMBERS, {"q": "engineer"}))["members"]
    assert CANDIDATES <= body["totalCount"] <= 2 * CANDIDATES and len(body["edges"]) == 20


def test_the_best_match_comes_first(people):
    assert found("maria")[0] == "maria"  # exact handle before "marian"
    assert found("marian")[0] == "marian"


def test_like_wildcards_in_the_term_are_literal(people):
    assert found("%") == []
    assert found("_") == []


def test_nothing_matches_nonsense_and_hostile_terms_are_bounded(people):
    assert found("qqqxxzzv") == []
    long = "engineer " * 500
    body = gql(Client(), MEMBERS, {"q": long})
    assert "errors" not in body, body


def test_search_is_one_query_for_the_page_and_one_for_the_count(people):
    with CountQueries() as queries:
        found("engineer")
    assert len(queries) == 2, queries


@pytest.mark.parametrize(
    "index", ["profiles_user_username_trgm", "profiles_profile_name_trgm", "profiles_profile_document_fts"]
)
def test_the_search_indexes_exist_and_are_used(people, index):
    qs = search_members(None, search="okafro")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: show the plan an index-backed search takes
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_the_indexed_expression_is_the_one_searched():
    # The migration indexes profiles.search's expressions; a drifted copy would silently stop using the index.
    from importlib import import_module

    migration = import_module("profiles.migrations.0002_member_search_indexes")
    expressions = [expression for *_rest, expression in migration.INDEXES]
    assert any(NAME in e for e in expressions) and any(TSVECTOR in e for e in expressions)
