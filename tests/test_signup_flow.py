"""Sign-up as a new app client would do it: allauth headless, mandatory e-mail verification, then GraphQL.

Request/response shapes follow allauth.headless (app client: the session token travels in
`meta.session_token` and the `X-Session-Token` header).
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from profiles.models import Profile, User
from profiles.tests.factories import make_member
from vouch.testing import data_of, gql

pytestmark = pytest.mark.django_db

APP = "/_allauth/app/v1"
PASSWORD = "a-long-unusual-passphrase-42"
ME = "{ me { username displayName seniority } }"


def post(path: str, payload: dict, token: str | None = None):
    headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}
    return Client().post(f"{APP}{path}", json.dumps(payload), content_type="application/json", **headers)


def _pending_flows(body: dict) -> set[str]:
    return {f["id"] for f in body["data"]["flows"] if f.get("is_pending")}


def _verification_key() -> str:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    match = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return unquote(match.group(1))  # the link carries the key URL-encoded


def signup(email: str, username: str | None = None, password: str = PASSWORD):
    payload = {"email": email, "password": password}
    if username is not None:
        payload["username"] = username
    return post("/auth/signup", payload)


def test_signup_verify_then_graphql_me_with_session_token():
    response = signup("ana@example.com", "ana")
    # Signed up, but not signed in: the e-mail must be verified first.
    assert response.status_code == 401, response.content
    body = response.json()
    assert _pending_flows(body) == {"verify_email"}
    pending_token = body["meta"]["session_token"]
    assert mail.outbox[0].to == ["ana@example.com"]
    assert mail.outbox[0].subject.startswith("[Vouch] ")

    # The adapter created the profile with the account.
    user = User.objects.get(username="ana")
    assert Profile.objects.filter(user=user).exists()
    assert not EmailAddress.objects.get(user=user).verified

    # Before verification the token does not authenticate GraphQL.
    response = Client().post(
        "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_X_SESSION_TOKEN=pending_token
    )
    assert response.status_code == 401

    response = post("/auth/email/verify", {"key": _verification_key()}, token=pending_token)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meta"]["is_authenticated"] is True
    assert body["data"]["user"]["username"] == "ana"
    token = body["meta"]["session_token"]
    assert EmailAddress.objects.get(user=user).verified

    me = data_of(gql(Client(), ME, HTTP_X_SESSION_TOKEN=token))["me"]
    assert me == {"username": "ana", "displayName": "ana", "seniority": "MID"}


def test_verified_member_can_log_in_and_use_graphql():
    response = signup("ben@example.com", "ben")
    post("/auth/email/verify", {"key": _verification_key()}, token=response.json()["meta"]["session_token"])
    response = post("/auth/login", {"email": "ben@example.com", "password": PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    assert data_of(gql(Client(), ME, HTTP_X_SESSION_TOKEN=token))["me"]["username"] == "ben"


def test_unverified_account_cannot_log_in():
    signup("carla@example.com", "carla")
    response = post("/auth/login", {"email": "carla@example.com", "password": PASSWORD})
    assert response.status_code == 401
    body = response.json()
    assert body["meta"]["is_authenticated"] is False
    assert _pending_flows(body) == {"verify_email"}
    token = body["meta"].get("session_token")
    if token:
        graphql = Client().post(
            "/graphql/", json.dumps({"query": ME}), content_type="application/json", HTTP_X_SESSION_TOKEN=token
        )
        assert graphql.status_code == 401


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("Dmitri.Ivanov+jobs@Example.com", "dmitri-ivanov-jobs"),
        ("EMMA@example.com", "emma"),
        ("li@example.com", "li-member"),
        ("admin@example.com", "admin-member"),  # "admin-2" looks like an operator too
        ("__@example.com", "member"),
    ],
)
def test_username_is_derived_from_the_email_when_not_given(email, expected):
    response = signup(email)
    assert response.status_code == 401, response.content
    user = User.objects.get(email__iexact=email)
    assert user.username == expected
    assert Profile.objects.filter(user=user).exists()
    from profiles.validators import username_validators

    for validator in username_validators:
        validator(user.username)


def test_derived_username_skips_taken_handles():
    make_member("farid")
    signup("Farid@other.example")
    assert User.objects.filter(username="farid-2").exists()


def test_chosen_username_is_lower_cased():
    assert signup("gia@example.com", "Gia_Dev").status_code == 401
    assert User.objects.filter(username="gia_dev").exists()


@pytest.mark.parametrize("username", ["a", "-bad-", "has space", "admin", "x" * 31, "graphql"])
def test_invalid_or_reserved_username_is_refused(username):
    response = signup("hugo@example.com", username)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e.get("param") == "username" for e in errors), errors
    assert not User.objects.filter(email="hugo@example.com").exists()
    assert mail.outbox == []


def test_taken_username_is_refused():
    make_member("isla")
    response = signup("isla2@example.com", "ISLA")
    assert response.status_code == 400
    assert any(e.get("param") == "username" for e in response.json()["errors"])


def test_weak_password_is_refused():
    response = signup("jamal@example.com", "jamal", password="password")
    assert response.status_code == 400
    assert any(e.get("param") == "password" for e in response.json()["errors"])
    assert not User.objects.filter(username="jamal").exists()


def test_bad_verification_key_is_refused():
    response = signup("kira@example.com", "kira")
    token = response.json()["meta"]["session_token"]
    response = post("/auth/email/verify", {"key": "not-a-key"}, token=token)
    assert response.status_code == 400
    assert not EmailAddress.objects.get(email="kira@example.com").verified


def test_classic_pages_render():
    for path in ("/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"):
        response = Client().get(path)
        assert response.status_code == 200, path


def test_classic_signup_page_creates_a_member_with_a_profile():
    response = Client().post(
        "/accounts/signup/",
        {"email": "leo@example.com", "username": "", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="leo@example.com")
    assert user.username == "leo"
    assert Profile.objects.filter(user=user).exists()
    assert len(mail.outbox) == 1
