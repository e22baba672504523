"""Endorsement.credentialUrl: absolute, points at a served credential, costs no query."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credentials.tests.helpers import network
from vouch.graphql.ids import encode_id
from vouch.testing import data_of, gql

pytestmark = pytest.mark.django_db

QUERY = "query($id: ID!) { node(id: $id) { ... on Endorsement { comment credentialUrl } } }"
PROFILE = """{ member(username: "alice") { skills { topEndorsements(limit: 3) { comment } } } }"""
PROFILE_URLS = """{ member(username: "alice") { skills { topEndorsements(limit: 3) { comment credentialUrl } } } }"""


def test_credential_url_is_absolute_and_serves_the_endorsement_credential():
    n = network()
    node = data_of(gql(Client(), QUERY, {"id": encode_id("Endorsement", n["endorsement"].pk)}))["node"]
    url = node["credentialUrl"]
    assert url.startswith("http://testserver/e/") and url.endswith("/credential")
    response = Client().get(url.replace("http://testserver", ""))
    assert response.status_code == 200 and response["Content-Type"] == "application/vc+ld+json"
    cred = json.loads(response.content)
    assert cred["id"] == url and cred["credentialSubject"]["endorsementComment"] == node["comment"]


def test_credential_url_adds_no_query():
    network()

    def count(query: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            body = gql(Client(), query)
        assert not body.get("errors"), body
        return len(ctx.captured_queries)

    assert count(PROFILE_URLS) == count(PROFILE)
