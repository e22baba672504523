"""The GraphQL endpoint over HTTP: session cookie with CSRF, X-Session-Token, GraphiQL, batching."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from profiles.tests.factories import make_member
from vouch.testing import data_of, gql

pytestmark = pytest.mark.django_db

ME = "query { me { username } }"


def test_anonymous_me_is_null():
    assert data_of(gql(Client(), ME)) == {"me": None}


def test_session_cookie_authenticates():
    ana = make_member("ana")
    client = Client()
    client.force_login(ana)
    assert data_of(gql(client, ME))["me"]["username"] == "ana"


def test_session_cookie_without_csrf_token_is_refused():
    ana = make_member("ana")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana)
    response = client.post("/graphql/", json.dumps({"query": ME}), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF"


def test_session_cookie_with_csrf_token_is_accepted():
    ana = make_member("ana")
    client = Client(enforce_csrf_checks=True)
    client.force_login(ana)
    client.get("/graphql/", HTTP_ACCEPT="text/html")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert response.json()["data"]["me"]["username"] == "ana"


def test_anonymous_post_needs_no_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/graphql/", json.dumps({"query": ME}), content_type="application/json")
    assert response.status_code == 200


def _app_login(email: str, password: str) -> str:
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def test_x_session_token_from_allauth_app_login_authenticates():
    from profiles.tests.factories import PASSWORD

    make_member("ana", email="ana@example.com")
    token = _app_login("ana@example.com", PASSWORD)
    body = gql(Client(), ME, HTTP_X_SESSION_TOKEN=token)
    assert data_of(body)["me"]["username"] == "ana"


def test_bad_session_token_is_401():
    response = Client().post(
        "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_X_SESSION_TOKEN="nope"
    )
    assert response.status_code == 401


def test_graphiql_served_to_browsers():
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_batch_of_operations_is_answered_in_order():
    make_member("ana")
    ops = [{"query": '{ member(username: "ana") { username } }'}, {"query": ME}]
    response = Client().post("/graphql/", json.dumps(ops), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body[0]["data"]["member"]["username"] == "ana"
    assert body[1]["data"]["me"] is None


def test_batch_over_the_cap_is_refused(settings):
    settings.GRAPHQL_MAX_BATCH = 2
    ops = [{"query": ME}] * 3
    response = Client().post("/graphql/", json.dumps(ops), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"
