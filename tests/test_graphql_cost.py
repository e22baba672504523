"""The cost model (vouch/graphql/limits.py): objects, not fields. Table-driven both ways.

ORDINARY: what real clients send (the contract's list among them) passes with room to spare;
FAN_OUT: documents that multiply aliases and nested lists are refused before anything runs.
The same table is printed in docs/api-limits.md (test_the_docs_table_matches_the_model).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from graphql import (
    FragmentDefinitionNode,
    GraphQLList,
    OperationDefinitionNode,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    parse,
)

from profiles.tests.factories import make_member
from skills.services import add_skill
from vouch.graphql import documents, limits
from vouch.graphql.schema import schema
from vouch.testing import client_for

PROFILE = """{ member(username: "ana") { username displayName headline seniority avatarUrl
  skills { id position score endorsementCount skill { name slug }
    endorsements(first: 50) { edges { node { id relationship comment weight createdAt
      endorser { username displayName } } } } } } }"""
PROFILE_WITH_BADGES = """{ member(username: "ana") { username badges { name issuerName status }
  skills { skill { name } badges { name } topEndorsers(limit: 10) { username }
    endorsements(first: 50) { edges { node { comment endorser { username displayName } } } } } } }"""
INBOX = """{ endorsementRequests(direction: INCOMING, first: 50) { edges { node { id relationship message status
  createdAt skill { name slug } requester { username displayName } recipient { username displayName } } } } }"""
NOTIFICATIONS = """{ notifications(first: 100) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id kind payload createdAt readAt } } } }"""


def _fragment_bomb(levels: int) -> str:
    """Fragments that each spread the previous one twice: 2**levels paths of free scalar fields."""
    parts = ["fragment F0 on Member { username }"]
    for n in range(1, levels + 1):
        parts.append(f"fragment F{n} on Member {{ ...F{n - 1} displayName ...F{n - 1} }}")
    return f"{{ me {{ ...F{levels} }} }} " + " ".join(parts)


# (name, document, variables, objects it can return)
ORDINARY: list[tuple[str, str, dict[str, Any], int]] = [
    (
        "members(first: 100) username seniority",
        "{ members(first: 100) { edges { node { username seniority } } } }",
        {},
        201,
    ),
    (
        "members(first: $n) with n = 100",
        "query($n: Int) { members(first: $n) { edges { node { username } } } }",
        {"n": 100},
        201,
    ),
    ("members without first (page 100)", "{ members { totalCount edges { node { username } } } }", {}, 201),
    ("endorsementRequests(INCOMING, first: 50) + skill, requester, recipient", INBOX, {}, 251),
    ("notifications(first: 100) + pageInfo", NOTIFICATIONS, {}, 202),
    ("profile: skills x endorsements(first: 50) x endorser", PROFILE, {}, 7651),
    ("profile + badges + topEndorsers(limit: 10)", PROFILE_WITH_BADGES, {}, 8551),
    (
        "members(first: 100) with skills { skill }",
        "{ members(first: 100) { edges { node { username skills { score skill { name } } } } } }",
        {},
        10201,
    ),
    ("skills autocomplete (first: 50)", '{ skills(search: "py", first: 50) { name slug aliases } }', {}, 50),
    ("me { skills { skill } }", "{ me { username skills { skill { name } } } }", {}, 101),
    (
        "endorse mutation payload",
        'mutation { endorse(input: {member: "ana", skill: "Go", relationship: PEER}) { endorsement { id weight endorser { username } } errors { code field } } }',  # noqa: E501
        {},
        23,
    ),
    ("GraphiQL introspection", get_introspection_query(descriptions=True), {}, -1),
]
FAN_OUT: list[tuple[str, str, dict[str, Any], int]] = [
    (
        "members(100) x skills x endorsements(50) x endorser",
        "{ members(first: 100) { edges { node { skills { endorsements(first: 50) { edges { node { endorser { username } } } } } } } } }",  # noqa: E501
        {},
        0,
    ),
    ("4 aliases of the profile", "{ " + " ".join(f"p{n}: " + PROFILE[2:-2] for n in range(4)) + " }", {}, 0),
    (
        "members(first: 1000) x skills (costed at the cap)",
        "{ members(first: 1000) { edges { node { skills { skill { name } badges { name } } } } } }",
        {},
        0,
    ),
    (
        "members(first: $n), n = 10**6, x skills x badges",
        "query($n: Int) { members(first: $n) { edges { node { skills { badges { name } } } } } }",
        {"n": 10**6},
        0,
    ),
    (
        "150 aliases of __schema { types { fields } }",
        "{ " + " ".join(f"a{n}: __schema {{ types {{ name fields {{ name }} }} }}" for n in range(150)) + " }",
        {},
        0,
    ),
    (
        "40 aliases of __schema { types { fields { args, type } } }",
        "{ "
        + " ".join(
            f"a{n}: __schema {{ types {{ fields {{ args {{ type {{ name }} }} type {{ name }} }} }} }}"
            for n in range(40)
        )
        + " }",
        {},
        0,
    ),
    (
        "skills x 3 levels of member.skills",
        '{ member(username: "ana") { skills { member { skills { member { skills { skill { name } } } } } } } }',
        {},
        0,
    ),
    ("fragment bomb: 2**30 paths of scalars", _fragment_bomb(30), {}, 0),
    ("990 x me { username }", "{ " + " ".join(["me { username }"] * 990) + " }", {}, 0),
    (
        "10 x me { skills { 10 x skill } }",
        "{ " + " ".join(["me { skills { " + " ".join(["skill { name }"] * 10) + " } }"] * 10) + " }",
        {},
        0,
    ),
]
# Cheap in objects, but repeating one response name makes the specification's OverlappingFieldsCanBeMerged
# quadratic (990 x `me`: 7 s): refused by RepeatedFieldsRule before the standard rules run.
REPEATS = {"fragment bomb: 2**30 paths of scalars", "990 x me { username }", "10 x me { skills { 10 x skill } }"}


def _cost(query: str, variables: dict[str, Any], limit: int | None = None) -> int:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return limits.operation_cost(schema.graphql_schema, operation, fragments, variables, limit)


def post(query: str, variables: dict[str, Any] | None = None, client: Client | None = None) -> Any:
    return (client or Client()).post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    documents.clear()
    yield
    documents.clear()


@pytest.mark.parametrize(("name", "query", "variables", "expected"), ORDINARY, ids=[r[0] for r in ORDINARY])
def test_ordinary_queries_cost_what_they_can_return(name: str, query: str, variables: dict, expected: int) -> None:
    cost = _cost(query, variables)
    if expected >= 0:
        assert cost == expected
    # "with room to spare": at most 3/4 of the limit.
    assert cost <= settings.GRAPHQL_MAX_COST * 3 // 4, (name, cost)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "query", "variables", "expected"), ORDINARY, ids=[r[0] for r in ORDINARY])
def test_ordinary_queries_are_answered(name: str, query: str, variables: dict, expected: int) -> None:
    ana = make_member("ana")
    add_skill(ana, name="Go")
    other = make_member("bob")
    response = post(query, variables, client=client_for(other))
    body = response.json()
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    assert not codes & {"QUERY_TOO_COSTLY", "QUERY_TOO_DEEP", "QUERY_TOO_LARGE"}, body
    assert response.status_code == 200, body


@pytest.mark.parametrize(("name", "query", "variables", "expected"), FAN_OUT, ids=[r[0] for r in FAN_OUT])
def test_fan_out_documents_cost_more_than_the_limit(name: str, query: str, variables: dict, expected: int) -> None:
    if name in REPEATS:
        assert _cost(query, variables) <= settings.GRAPHQL_MAX_COST
        return
    assert _cost(query, variables, settings.GRAPHQL_MAX_COST) > settings.GRAPHQL_MAX_COST


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "query", "variables", "expected"), FAN_OUT, ids=[r[0] for r in FAN_OUT])
def test_fan_out_documents_are_refused_before_anything_runs(
    name: str, query: str, variables: dict, expected: int, django_assert_num_queries: Any
) -> None:
    client = Client()
    with django_assert_num_queries(0):  # refused by validation: no resolver, no SQL
        response = post(query, variables, client=client)
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] in ("QUERY_TOO_COSTLY", "QUERY_TOO_DEEP"), body


def test_the_cost_walk_is_linear_in_fragments() -> None:
    # Fragments spreading each other twice over: a memoised walk, a few steps per fragment, not 2**30.
    walk = limits._CostWalk(schema.graphql_schema, {}, {}, None)
    document = parse(_fragment_bomb(30))
    walk.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    assert walk.selection(operation.selection_set, schema.graphql_schema.query_type, frozenset()) == 1
    assert walk.steps < 200


@pytest.mark.django_db
def test_introspection_costs_what_it_returns_and_is_allowed_within_the_limit(settings: Any) -> None:
    one = _cost("{ __schema { types { name fields { name } } } }", {})
    types = len(schema.graphql_schema.type_map)
    fields = sum(
        len(getattr(t, "fields", {}) or {}) for t in schema.graphql_schema.type_map.values() if hasattr(t, "interfaces")
    )
    assert one == 1 + types + fields
    settings.GRAPHQL_MAX_COST = one * 2
    two = "{ a: __schema { types { name fields { name } } } b: __schema { types { name fields { name } } } }"
    three = two[:-2] + " c: __schema { types { name fields { name } } } }"
    assert post(two).status_code == 200
    refused = post(three)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_every_list_field_of_the_schema_has_a_decided_size() -> None:
    undecided = []
    for type_ in schema.graphql_schema.type_map.values():
        if type_.name.startswith("__") or not hasattr(type_, "interfaces"):
            continue
        for name, field in type_.fields.items():  # type: ignore[attr-defined]
            target = get_named_type(field.type)
            if not (is_composite_type(target) and isinstance(get_nullable_type(field.type), GraphQLList)):
                continue
            key = f"{type_.name}.{name}"
            if type_.name.endswith("Connection") and name == "edges":
                continue
            if name == "errors" and target.name == "Error":
                continue
            if key not in limits.LIST_SIZES:
                undecided.append(key)
    assert not undecided, f"add these list fields to vouch.graphql.limits.LIST_SIZES: {undecided}"


def test_the_docs_table_matches_the_model() -> None:
    text = (Path(settings.BASE_DIR) / "docs" / "api-limits.md").read_text()
    rows = dict(re.findall(r"^\| `?([^|`]+?)`? \| ([^|]+?) \|", text, flags=re.M))
    for name, query, variables, expected in ORDINARY:
        cost = _cost(query, variables)
        if expected < 0:  # grows with the schema: the docs give its order of magnitude
            assert rows.get(name, "").startswith("≈"), name
            continue
        assert rows.get(name) == str(cost), (name, rows.get(name), cost)
    for name, *_ in FAN_OUT:
        assert rows.get(name, "").startswith(">"), name
