"""Parsed and validated documents are cached by query text (vouch/graphql/documents.py), without
letting a cached success answer a request the limits would refuse."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vouch.graphql import documents

pytestmark = pytest.mark.django_db

PAGED = "query($n: Int) { members(first: $n) { edges { node { username skills { badges { name } } } } } }"


def post(query: str, variables: dict | None = None):
    return Client().post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )


@pytest.fixture(autouse=True)
def empty_cache():
    documents.clear()
    yield
    documents.clear()


def test_the_same_document_is_parsed_and_validated_once(monkeypatch):
    calls = {"parse": 0, "validate": 0}
    real_parse, real_validate = documents.parse, documents.validate

    def parse(*args, **kwargs):
        calls["parse"] += 1
        return real_parse(*args, **kwargs)

    def validate(*args, **kwargs):
        calls["validate"] += 1
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(documents, "parse", parse)
    monkeypatch.setattr(documents, "validate", validate)
    for _ in range(3):
        assert post("{ me { username } }").status_code == 200
    assert calls == {"parse": 1, "validate": 2}  # once with the limit rules, once with the standard ones


def test_a_cached_success_does_not_let_a_costlier_page_size_through():
    assert post(PAGED, {"n": 1}).status_code == 200
    refused = post(PAGED, {"n": 100})  # 100 members x 50 skills x 200 badges: over GRAPHQL_MAX_COST
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_a_cached_success_does_not_outlive_a_stricter_limit(settings):
    assert post(PAGED, {"n": 1}).status_code == 200
    settings.GRAPHQL_MAX_DEPTH = 2
    refused = post(PAGED, {"n": 1})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"


def test_invalid_documents_are_answered_afresh_each_time():
    for _ in range(2):
        response = post("{ nope }")
        assert response.status_code == 400
        assert "nope" in response.json()["errors"][0]["message"]
    syntax = post("{ me { ")
    assert syntax.status_code == 400
