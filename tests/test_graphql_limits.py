"""What one GraphQL request may cost: depth, estimated cost, batch size, page size, body size.

Every refusal is a clear GraphQL error (HTTP 400, or 413 for the body) and never a 500.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from graphql import get_introspection_query

from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.testing import data_of, gql

pytestmark = pytest.mark.django_db


def post(query: str, variables: dict | None = None, client: Client | None = None):
    return (client or Client()).post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )


def _nested_member_query(levels: int, innermost: str = "skill { name }") -> str:
    """member → skills → (member → skills) × `levels` → innermost."""
    inner = innermost
    for _ in range(levels):
        inner = f"member {{ username skills {{ {inner} }} }}"
    return f'{{ member(username: "ana") {{ skills {{ {inner} }} }} }}'


@pytest.fixture
def ana(settings):
    # The nested member.skills chains multiply lists of 50: lift the cost limit so the depth rule is what is tested.
    settings.GRAPHQL_MAX_COST = 10**9
    user = make_member("ana")
    add_skill(user, name="Go")
    return user


def test_query_within_the_depth_limit_is_answered(ana, settings):
    assert settings.GRAPHQL_MAX_DEPTH == 10
    body = gql(Client(), _nested_member_query(3))  # member skills (member skills) x3 skill: depth 9
    member = data_of(body)["member"]
    assert member["skills"][0]["member"]["skills"][0]["member"]["username"] == "ana"


def test_depth_limit_boundary_is_exact(ana):
    at_limit = _nested_member_query(3, "member { skills { position } }")  # 2 + 6 + 2 = 10
    over = _nested_member_query(3, "member { skills { skill { name } } }")  # 11
    assert post(at_limit).status_code == 200
    assert post(over).status_code == 400


def test_query_deeper_than_the_limit_is_refused(ana, settings):
    response = post(_nested_member_query(6))
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert f"exceeds maximum operation depth of {settings.GRAPHQL_MAX_DEPTH}" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_depth_hidden_in_fragments_is_counted(ana):
    query = """
    query { member(username: "ana") { ...M } }
    fragment M on Member { skills { member { skills { member { skills { member { skills { member {
      skills { member { username } } } } } } } } } } }
    """
    response = post(query)
    assert response.status_code == 400
    assert "depth" in response.json()["errors"][0]["message"]


def test_depth_limit_follows_the_setting(ana, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    # The view reads its rules per request, so the setting applies without a restart.
    response = post(_nested_member_query(1))  # member.skills.member.skills.skill = depth 5
    assert response.status_code == 400


def test_introspection_for_graphiql_is_not_refused():
    response = post(get_introspection_query(descriptions=True))
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_page_size_given_as_a_variable_is_costed_by_its_value():
    query = """query($n: Int) { members(first: $n) { edges { node { username skills { badges { name } } } } } }"""
    assert post(query, {"n": 2}).status_code == 200
    response = post(query, {"n": 100})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_connection_metadata_is_costed_once_not_per_row(settings):
    query = "{ members(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { username } } } }"
    settings.GRAPHQL_MAX_COST = 202  # connection + pageInfo + 100 edges + 100 nodes
    assert post(query).status_code == 200
    settings.GRAPHQL_MAX_COST = 201
    assert post(query).status_code == 400


def test_scalars_are_free_objects_are_counted(settings):
    settings.GRAPHQL_MAX_COST = 50
    many_scalars = " ".join(f"a{n}: slug" for n in range(200))
    assert post(f'{{ skills(search: "", first: 50) {{ {many_scalars} }} }}').status_code == 200
    assert (
        post('{ a: skills(search: "", first: 50) { slug } b: skills(search: "", first: 1) { slug } }').json()["errors"][
            0
        ]["extensions"]["code"]
        == "QUERY_TOO_COSTLY"
    )


def test_many_aliases_are_costed(settings):
    settings.GRAPHQL_MAX_COST = 100
    fields = " ".join(f'm{n}: member(username: "ana") {{ username displayName headline }}' for n in range(101))
    response = post("{ " + fields + " }")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_repeated_fragment_spreads_are_costed(settings):
    settings.GRAPHQL_MAX_COST = 100
    query = (
        "{ "
        + " ".join(f"a{n}: me {{ ...F }}" for n in range(60))
        + " } fragment F on Member { username skills { position } }"
    )
    response = post(query)  # 60 x (me + 50 skills)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_recursive_fragments_are_refused_not_looped():
    query = "{ me { ...A } } fragment A on Member { username ...B } fragment B on Member { ...A }"
    response = post(query)
    assert response.status_code == 400
    assert "cannot spread fragment" in response.json()["errors"][0]["message"].lower()


def test_unknown_fragment_is_a_validation_error_not_a_500():
    response = post("{ me { ...Missing } }")
    assert response.status_code == 400
    assert "Unknown fragment 'Missing'" in response.json()["errors"][0]["message"]


def test_unknown_field_is_a_validation_error():
    response = post("{ me { username password } }")
    assert response.status_code == 400
    assert "Cannot query field 'password'" in response.json()["errors"][0]["message"]


def test_page_over_the_cap_is_refused(settings):
    make_member("ana")
    body = post("{ members(first: 500) { edges { node { username } } } }").json()
    assert "exceeds the `first` limit of 100" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_ARGUMENT"
    assert not (body.get("data") or {}).get("members")


def test_skills_autocomplete_caps_its_own_page():
    body = data_of(gql(Client(), '{ skills(search: "", first: 100) { name } }'))
    assert len(body["skills"]) == 50


def test_batch_within_the_cap_is_answered(settings):
    settings.GRAPHQL_MAX_BATCH = 5
    response = Client().post(
        "/graphql/", json.dumps([{"query": "{ me { username } }"}] * 5), content_type="application/json"
    )
    assert response.status_code == 200
    assert len(response.json()) == 5


@pytest.mark.parametrize("batch", [[], [1, 2], ["{ me { username } }"], [{"query": "{ me { username } }"}] * 6])
def test_bad_or_oversized_batches_are_refused(batch):
    response = Client().post("/graphql/", json.dumps(batch), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"


def test_each_operation_of_a_batch_is_limited():
    ops = [{"query": "{ me { username } }"}, {"query": _nested_member_query(6)}]
    response = Client().post("/graphql/", json.dumps(ops), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body[0]["data"] == {"me": None}
    assert "depth" in body[1]["errors"][0]["message"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"null",
        b"42",
        b'"a string"',
        b'{"query": 5}',
        b'{"query": "{ me { username } }", "variables": "{bad"}',
    ],
)
def test_malformed_bodies_are_400_not_500(raw):
    response = Client().post("/graphql/", raw, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["message"]


def test_body_over_the_request_limit_is_413(settings):
    settings.MAX_REQUEST_BODY_BYTES = 2048
    query = "{ me { username } }" + " " * 4096
    response = post(query)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


def test_get_cannot_run_a_mutation():
    response = Client().get(
        "/graphql/",
        {"query": 'mutation { addSkill(input: {name: "Go"}) { errors { code } } }'},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 405


def test_other_methods_are_refused():
    assert Client().put("/graphql/", "{}", content_type="application/json").status_code == 405


def test_a_page_over_the_cap_is_costed_at_the_cap_not_below_it():
    # Asking for more than the cap on a nested connection must not make the query look cheaper to the cost rule
    # than asking for the cap itself (the connection would refuse it when run, but cost is checked first).
    query = """{ members(first: 20) { edges { node { skills { endorsements(first: %d) {
        edges { node { comment endorser { username displayName headline } } } } } } } } }"""
    for first in (100, 1000, 10**6):
        response = post(query % first)
        assert response.status_code == 400, (first, response.content[:200])
        assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


@pytest.mark.parametrize(
    "field",
    [
        "notifications(first: 101)",
        "notifications(last: 101)",
        "members(first: 101)",
        "endorsementRequests(direction: INCOMING, first: 101)",
    ],
)
def test_every_root_connection_refuses_a_page_over_the_cap(field):
    user = make_member("ana")
    from vouch.testing import client_for

    body = post(f"{{ {field} {{ edges {{ node {{ id }} }} }} }}", client=client_for(user)).json()
    assert "exceeds the" in body["errors"][0]["message"] and "limit of 100" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_ARGUMENT"
    assert not body.get("data")
