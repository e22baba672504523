"""Abuse limits, driven the way an attacker would: allauth's rate limits through the headless API (sign-up, login,
e-mail sending), the per-member daily caps through GraphQL, and the request-body limit through a real Daphne
server over HTTP.

What allauth answers (observed, allauth 65.22):
- too many failed logins for one account (ACCOUNT_RATE_LIMITS["login_failed"], 5 per 5 minutes per address)
  locks that account out: 400 with code `too_many_login_attempts`, even with the right password;
- too many login or sign-up attempts from one address (`login` 30/m/ip, `signup` 20/m/ip): 429;
- password-reset mails (`reset_password`, 5/m per address): 429; verification mails (`confirm_email`, one per
  3 minutes per address): silently not re-sent.
The counters live in the cache: Redis when REDIS_URL is set, so every worker shares them (tests/test_multiworker.py).
"""

from __future__ import annotations

import json

import httpx
import pytest
from django.core import mail
from django.test import Client

from endorsements.models import DailyCount
from endorsements.services import request_endorsement
from profiles.models import User
from profiles.tests.factories import PASSWORD, make_member
from skills.services import add_skill
from tests.authz_world import changes, snapshot
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, error_codes, gql

APP = "/_allauth/app/v1"
NEW_PASSWORD = "a-long-unusual-passphrase-42"


def auth(path: str, payload: dict, client: Client | None = None, **headers: str):
    return (client or Client()).post(f"{APP}{path}", json.dumps(payload), content_type="application/json", **headers)


def login(email: str, password: str, **headers: str):
    return auth("/auth/login", {"email": email, "password": password}, **headers)


def codes(response) -> list[str]:
    return [e.get("code") for e in response.json().get("errors", [])]


# --- allauth: login, sign-up, e-mail ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_failed_logins_lock_the_account_out_even_for_the_right_password():
    make_member("ana", email="ana@example.com")
    make_member("ben", email="ben@example.com")
    for _ in range(5):
        response = login("ana@example.com", "not-the-password")
        assert response.status_code == 400 and codes(response) == ["email_password_mismatch"]
    locked = login("ana@example.com", PASSWORD)
    assert locked.status_code == 400 and codes(locked) == ["too_many_login_attempts"]
    assert "session_token" not in locked.json().get("meta", {})
    # Per account: someone else still logs in from the same address.
    assert login("ben@example.com", PASSWORD).status_code == 200


@pytest.mark.django_db
def test_the_lockout_cannot_be_dodged_by_varying_the_host_header():
    """allauth keyed the counter on the Host header (any port passes ALLOWED_HOSTS): fixed in profiles/adapters.py."""
    make_member("ana", email="ana@example.com")
    for port in range(5):
        assert codes(login("ana@example.com", "not-the-password", HTTP_HOST=f"localhost:{port}")) == [
            "email_password_mismatch"
        ]
    for host in ("localhost:99", "127.0.0.1", "localhost"):
        assert codes(login("ana@example.com", PASSWORD, HTTP_HOST=host)) == ["too_many_login_attempts"]


@pytest.mark.django_db
def test_a_successful_login_does_not_reset_the_failure_count():
    """Otherwise an attacker who knows one password could interleave it to keep guessing another's."""
    make_member("ana", email="ana@example.com")
    for _ in range(4):
        login("ana@example.com", "not-the-password")
    assert login("ana@example.com", PASSWORD).status_code == 200
    login("ana@example.com", "not-the-password")
    assert codes(login("ana@example.com", PASSWORD)) == ["too_many_login_attempts"]


@pytest.mark.django_db
def test_login_attempts_from_one_address_get_429():
    for n in range(30):
        assert login(f"nobody{n}@example.com", "whatever-password").status_code == 400
    assert login("nobody@example.com", "whatever-password").status_code == 429


@pytest.mark.django_db
def test_signups_from_one_address_get_429_and_create_nothing():
    for n in range(20):
        assert auth("/auth/signup", {"email": f"new{n}@example.com", "password": NEW_PASSWORD}).status_code == 401
    response = auth("/auth/signup", {"email": "one-too-many@example.com", "password": NEW_PASSWORD})
    assert response.status_code == 429
    assert User.objects.count() == 20
    assert not User.objects.filter(email="one-too-many@example.com").exists()
    assert len(mail.outbox) == 20


@pytest.mark.django_db
def test_password_reset_mails_to_one_address_get_429():
    make_member("ana", email="ana@example.com")
    for _ in range(5):
        assert auth("/auth/password/request", {"email": "ana@example.com"}).status_code == 200
    assert auth("/auth/password/request", {"email": "ana@example.com"}).status_code == 429
    assert len(mail.outbox) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("cooldown", [True, False])
def test_verification_mail_is_not_resent_within_the_cooldown(settings, cooldown):
    """Logging in to an unverified account re-sends the verification mail, at most once per 3 minutes."""
    if not cooldown:  # proves the test can see a re-send
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}
    auth("/auth/signup", {"email": "zed@example.com", "password": NEW_PASSWORD})
    assert len(mail.outbox) == 1
    for _ in range(3):
        assert login("zed@example.com", NEW_PASSWORD).status_code == 401  # verify_email pending
    assert len(mail.outbox) == (1 if cooldown else 4)


@pytest.mark.django_db
def test_a_spoofed_x_forwarded_for_does_not_dodge_the_per_address_limit(settings):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    for n in range(20):
        auth(
            "/auth/signup",
            {"email": f"new{n}@example.com", "password": NEW_PASSWORD},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = auth(
        "/auth/signup", {"email": "spoof@example.com", "password": NEW_PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_address_has_its_own_bucket(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # TRUSTED_PROXY_COUNT=1: one load balancer appends the client address
    for n in range(20):
        auth(
            "/auth/signup",
            {"email": f"new{n}@example.com", "password": NEW_PASSWORD},
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )
    blocked = auth(
        "/auth/signup", {"email": "more@example.com", "password": NEW_PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert blocked.status_code == 429
    # Only the rightmost entry (appended by the balancer) counts: whatever the client wrote to its left is ignored.
    other_client = auth(
        "/auth/signup",
        {"email": "else@example.com", "password": NEW_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.1, 203.0.113.2",
    )
    assert other_client.status_code == 401


# --- daily caps on endorsements and requests (GraphQL) ----------------------------------------------------------------
ENDORSE = """mutation($input: EndorseInput!) { endorse(input: $input) { endorsement { id } errors { code } } }"""
REQUEST = """mutation($input: RequestEndorsementInput!) {
  requestEndorsement(input: $input) { endorsementRequest { id } errors { code } } }"""
RESPOND = """mutation($input: RespondToEndorsementRequestInput!) {
  respondToEndorsementRequest(input: $input) { endorsement { id } errors { code } } }"""


@pytest.mark.django_db
def test_endorsements_per_day_cap_counts_direct_endorsements_and_accepted_requests(settings):
    settings.ENDORSEMENTS_PER_DAY = 2
    maria = make_member("maria")
    members = [make_member(name) for name in ("ana", "ben", "cyd")]
    for member in members:
        add_skill(member, name="Go")
    asked = request_endorsement(members[2], recipient=maria, skill="Go", relationship="PEER")
    client = client_for(maria)
    for member in members[:2]:
        payload = data_of(
            gql(client, ENDORSE, {"input": {"member": member.username, "skill": "Go", "relationship": "PEER"}})
        )["endorse"]
        assert payload["errors"] == []
    # The third endorsement, by accepting a request: refused, and nothing at all is written.
    before = snapshot()
    payload = data_of(
        gql(client, RESPOND, {"input": {"requestId": encode_id("EndorsementRequest", asked.pk), "accept": True}})
    )["respondToEndorsementRequest"]
    assert error_codes(payload) == ["RATE_LIMITED"] and payload["endorsement"] is None
    assert changes(before, snapshot()) == []
    # The cap is the endorser's: cyd can still be endorsed by someone else today.
    other = data_of(
        gql(client_for(members[0]), ENDORSE, {"input": {"member": "cyd", "skill": "Go", "relationship": "PEER"}})
    )["endorse"]
    assert other["errors"] == []


@pytest.mark.django_db
def test_requests_per_day_cap_refuses_and_writes_nothing(settings):
    settings.ENDORSEMENT_REQUESTS_PER_DAY = 2
    ana = make_member("ana")
    add_skill(ana, name="Go")
    recipients = [make_member(f"rec{n}") for n in range(3)]
    client = client_for(ana)
    for recipient in recipients[:2]:
        payload = data_of(
            gql(client, REQUEST, {"input": {"recipient": recipient.username, "skill": "Go", "relationship": "MANAGER"}})
        )["requestEndorsement"]
        assert payload["errors"] == []
    before = snapshot()
    payload = data_of(gql(client, REQUEST, {"input": {"recipient": "rec2", "skill": "Go", "relationship": "MANAGER"}}))[
        "requestEndorsement"
    ]
    assert error_codes(payload) == ["RATE_LIMITED"]
    assert changes(before, snapshot()) == []
    assert DailyCount.objects.get(member=ana).count == 2


def test_default_caps_are_the_documented_ones(settings):
    assert (settings.ENDORSEMENTS_PER_DAY, settings.ENDORSEMENT_REQUESTS_PER_DAY) == (50, 20)


# --- request bodies, at the ASGI layer of a real server ---------------------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_an_oversized_body_is_refused_with_413_by_the_served_application(live_server_factory):
    server = live_server_factory(extra_env={"MAX_REQUEST_BODY_BYTES": "65536"})
    query = json.dumps({"query": "{ me { username } }"}).encode()
    small = httpx.post(f"{server.url}/graphql/", content=query, headers={"content-type": "application/json"})
    assert small.status_code == 200

    big = query + b" " * 200_000
    declared = httpx.post(f"{server.url}/graphql/", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(20):
            yield b" " * 16_384

    streamed = httpx.post(f"{server.url}/graphql/", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413

    # Every HTTP route, not only GraphQL: a page's multipart upload is refused before Django parses it.
    files = {"avatar": ("a.png", b"\x89PNG" + b"0" * 200_000, "image/png")}
    page = httpx.post(f"{server.url}/settings/", files=files, follow_redirects=False)
    assert page.status_code == 413
