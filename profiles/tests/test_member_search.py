"""members(search:) on PostgreSQL: index-backed, typo-tolerant and ranked (profiles/search.py).

SQLite keeps case-insensitive substring matching (test_member_queries.py covers it on both)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from profiles.models import Profile, Visibility
from profiles.search import CANDIDATES, FUNCTION, NAME, TSVECTOR, _pattern, explain
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


def test_search_is_one_statement_for_the_ranking_then_the_page_and_the_count_by_id(people):
    # The index work is done once (the function), not again for the count: the page and the count look up its ids.
    with CountQueries() as queries:
        found("engineer")
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 3, sql
    assert FUNCTION in sql[0] and all(FUNCTION not in s for s in sql[1:]), sql


def test_the_typo_tolerance_is_the_functions_own_not_the_connections(people):
    # The thresholds are SET on the function: a connection set otherwise does not change what a search finds.
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.word_similarity_threshold = 0.95")
        cursor.execute("SET pg_trgm.similarity_threshold = 0.95")
        cursor.execute("SET enable_seqscan = on")
    assert [u.username for u in search_members(None, search="okafro")][:1] == ["maria"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold'), current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("0.95", "on")  # and the session's own settings are left as they were


@pytest.mark.parametrize("generic", [False, True])
def test_the_search_indexes_exist_and_are_used(people, generic):
    plan = explain("okafro", analyze=False, generic=generic)  # the function's statements, with its settings
    indexes = ["profiles_user_username_trgm", "profiles_profile_name_trgm", "profiles_profile_search_document"]
    for index in [*indexes, "profiles_user_pkey"]:
        assert index in plan, plan
    # Only the look for a common word reads rows in table order (the first COMMON_SAMPLE: bounded).
    sections = plan.split("-- ")[1:]
    assert [s.split("\n")[0] for s in sections] == [
        "handles and names (trigram GIN)",
        "words: common ones (first rows)",
        "words: through the full-text GIN index",
        "the candidates, ranked",
    ], plan
    assert all("Seq Scan" not in s for i, s in enumerate(sections) if i != 1), plan


def test_the_installed_function_is_the_one_explained(postgres):
    from importlib import import_module

    function = import_module("profiles.migrations.0006_member_search_function")
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [FUNCTION])
        assert cursor.fetchone()[0] == function.BODY


def test_a_term_that_cannot_be_in_a_handle_does_not_search_handles(people):
    # "maria okafor" has a space: no handle contains it; the name and full-text branches find her.
    assert _pattern("maria okafor") is None and _pattern("okafro") == "%okafro%" and _pattern("zo") == "zo%"
    assert found("maria okafor")[:1] == ["maria"]
    assert found("ma")[:1] == ["maria"]  # under 3 letters: handles by prefix


def test_the_indexed_expression_is_the_one_searched():
    # The migrations index profiles.search's expressions; a drifted copy would silently stop using the index.
    from importlib import import_module

    indexes = import_module("profiles.migrations.0002_member_search_indexes")
    expressions = [expression for *_rest, expression in indexes.INDEXES]
    assert any(NAME in e for e in expressions)
    function = import_module("profiles.migrations.0006_member_search_function")
    assert function.DOCUMENT == TSVECTOR  # the stored full-text document, generated from the same expression
    assert f"lower(p.{NAME[len('lower(') :]}" in function.BY_TRIGRAM
