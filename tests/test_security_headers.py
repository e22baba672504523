"""Security headers on every page (the routes of tests/test_authz_pages.py), and what DEBUG off adds, checked on a
real server started with production settings.

CSP: scripts and styles from our own origin only, no 'unsafe-inline' (the templates have no inline script, handler
or style: frontend/tests check the markup), no framing. GraphiQL (GET /graphql/ in a browser) is the one exception:
graphene-django's page is an inline bootstrap script loading its bundle from cdn.jsdelivr.net, so that page alone
gets a policy allowing both (vouch/middleware.py). It is a developer tool with no member data in the page, and it
still cannot be framed. Every other answer of /graphql/ (JSON) carries the strict policy.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from django.test import Client

from tests.authz_world import ROLES, build_world
from tests.test_authz_pages import PAGES
from vouch.testing import client_for


def policy(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response: Any) -> None:
    csp = policy(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in csp[directive] and "'unsafe-eval'" not in csp[directive], csp
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


SITE_PAGES = sorted(route for route, page in PAGES.items() if page.method == "GET" and route != "graphql/")


@pytest.mark.django_db
@pytest.mark.parametrize("route", SITE_PAGES)
def test_every_page_has_a_strict_policy_for_every_caller(route):
    w = build_world()
    page = PAGES[route]
    for role in ROLES:
        response = client_for(w.user(role)).get(page.path(w), HTTP_ACCEPT="text/html")
        assert response.status_code == getattr(page, role).status
        assert_strict(response)


@pytest.mark.django_db
def test_error_pages_and_form_answers_have_the_strict_policy_too():
    w = build_world()
    owner = client_for(w.olive)
    assert_strict(Client().get("/no/such/page/"))
    assert_strict(owner.post("/m/olive/endorse/", {"skill": "Go", "relationship": "PEER"}))  # 400 re-render
    assert_strict(owner.get("/settings/skills/add/"))  # 405


@pytest.mark.django_db
def test_graphiql_has_its_own_policy_and_the_api_the_strict_one():
    graphiql = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert graphiql.status_code == 200 and b"graphiql" in graphiql.content.lower()
    csp = policy(graphiql)
    assert csp["script-src"] == ["'self'"]  # its assets are Vouch's own static files (tests/test_graphiql_page.py)
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert graphiql["X-Frame-Options"] == "DENY"
    api = Client().post("/graphql/", {"query": "{ me { username } }"}, content_type="application/json")
    assert api.status_code == 200
    assert_strict(api)


# --- DEBUG off, as served ---------------------------------------------------------------------------------------------
@pytest.mark.timeout(180)
@pytest.mark.django_db(transaction=True)
def test_with_debug_off_the_server_sends_hsts_redirects_to_https_and_sets_secure_cookies(live_database, tmp_path):
    from tests.live_server import LiveServer, manage

    server = LiveServer(
        live_database,
        extra_env={
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_SSL_REDIRECT": "1",
            "STATIC_ROOT": str(tmp_path / "static"),
            "MEDIA_ROOT": str(tmp_path / "media"),
        },
    )
    manage(server.env, "collectstatic", "--noinput", "-v0")  # the manifest storage DEBUG off serves with
    server.shell("from profiles.tests.factories import make_member; make_member('ana', email='ana@example.com')")
    server.start()
    try:
        # Plain HTTP is sent to https (the balancer's /healthz probe excepted).
        plain = httpx.get(f"{server.url}/", follow_redirects=False)
        assert plain.status_code == 301 and plain.headers["location"] == f"https://127.0.0.1:{server.port}/"
        assert httpx.get(f"{server.url}/healthz").status_code == 200

        # Behind the TLS proxy (X-Forwarded-Proto: https).
        with httpx.Client(base_url=server.url, headers={"X-Forwarded-Proto": "https"}) as browser:
            home = browser.get("/")
            assert home.status_code == 200
            assert home.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
            assert "script-src 'self';" in home.headers["content-security-policy"]

            form = browser.get("/accounts/login/")
            csrf_cookie = _set_cookie(form, "csrftoken")
            assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
            token = csrf_cookie.split(";", 1)[0].split("=", 1)[1]
            # httpx (rightly) keeps a Secure cookie off plain http; the browser talks https to the proxy and sends it.
            browser.cookies.clear()
            login = browser.post(
                "/accounts/login/",
                data={
                    "login": "ana@example.com",
                    "password": "correct-horse-battery-9",
                    "csrfmiddlewaretoken": token,
                },
                headers={"Referer": f"https://127.0.0.1:{server.port}/accounts/login/", "Cookie": f"csrftoken={token}"},
            )
            assert login.status_code == 302, login.text[:500]
            session = _set_cookie(login, "sessionid")
            assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    finally:
        server.stop()


def _set_cookie(response: httpx.Response, name: str) -> str:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")
