"""Errors (DEBUG off, as in production): pages get the site's layout; /graphql… and /_allauth/… get JSON in their
API's shape, never Django's HTML page — 404, 403 (CSRF) and 500 alike."""

from __future__ import annotations

import json

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import path

from vouch.urls import handler400, handler403, handler404, handler500  # noqa: F401
from vouch.urls import urlpatterns as _site

pytestmark = pytest.mark.django_db


def _boom(request: HttpRequest):
    raise RuntimeError("secret internals")


urlpatterns = [path("boom/", _boom), path("graphql/boom/", _boom), path("_allauth/boom/", _boom), *_site]


@pytest.fixture
def crashing_site(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def _is_branded_page(response) -> None:
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in html and 'class="site-header"' in html and "site-footer" in html
    assert "Traceback" not in html and "secret internals" not in html and "Django" not in html


def test_a_missing_page_is_the_branded_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    _is_branded_page(response)
    assert "Page not found" in response.content.decode()


def test_a_crash_is_the_branded_500_without_internals(crashing_site):
    response = crashing_site.get("/boom/")
    assert response.status_code == 500
    _is_branded_page(response)
    assert "Something went wrong" in response.content.decode()


def test_a_stale_form_is_the_branded_403():
    from profiles.tests.factories import make_member

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member("ana"))
    response = client.post("/settings/", {"display_name": "x"})
    assert response.status_code == 403
    _is_branded_page(response)
    assert "This form has expired" in response.content.decode()


@pytest.mark.parametrize("path", ["/graphql/nope", "/graphql/nope/deeper/"])
def test_graphql_404_is_a_graphql_error(path):
    response = Client().get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "There is nothing here.", "extensions": {"code": "NOT_FOUND"}}]}


def test_graphql_500_is_a_graphql_error(crashing_site):
    response = crashing_site.post("/graphql/boom/", "{}", content_type="application/json")
    assert response.status_code == 500
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "SERVER_ERROR"
    assert "secret" not in json.dumps(body)


@pytest.mark.parametrize("path", ["/_allauth/app/v1/nope", "/_allauth/browser/v1/auth/nope", "/_allauth/v9/x"])
def test_allauth_404_is_json_in_allauths_shape(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json() == {"status": 404, "errors": [{"message": "There is nothing here.", "code": "not_found"}]}


def test_allauth_500_is_json(crashing_site):
    response = crashing_site.get("/_allauth/boom/")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "server_error"


@pytest.mark.parametrize(
    "path",
    [
        "/_allauth/app/v1/account/phone",
        "/_allauth/browser/v1/auth/phone/verify",
        "/_allauth/app/v1/auth/phone/verify/resend",
    ],
)
def test_phone_endpoints_are_not_served_and_answer_a_json_404(path):
    # Vouch has no phone numbers; allauth routed these to adapter methods that raise NotImplementedError (a 500).
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 404, (method, response.content[:200])
        assert response.json()["errors"][0]["code"] == "not_found"


def test_with_debug_on_api_errors_are_still_json(settings):
    settings.DEBUG = True  # `make run`: Django's technical 404/500 pages would answer otherwise
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    assert client.get("/_allauth/app/v1/nope").json()["errors"][0]["code"] == "not_found"
    assert client.get("/graphql/nope").json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    crashed = client.get("/graphql/boom/")
    assert crashed.status_code == 500 and "secret" not in crashed.content.decode()
    assert crashed.json()["errors"][0]["extensions"]["code"] == "SERVER_ERROR"


def test_the_headless_openapi_specification_is_served_without_phone_endpoints():
    response = Client().get("/_allauth/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert "/_allauth/{client}/v1/auth/signup" in paths and "/_allauth/{client}/v1/auth/login" in paths
    assert not [p for p in paths if "phone" in p]
    assert Client().get("/_allauth/openapi.yaml").status_code == 200


@pytest.mark.parametrize("body", ["[null, null]", "42", '"text"', "{bad json"])
def test_allauth_endpoints_refuse_a_body_that_is_not_a_json_object_with_a_json_400(body):
    # Found by schemathesis: allauth answers these with ImmediateHttpResponse(400); the API error middleware must
    # leave that to allauth's AccountMiddleware (it had turned it into a 500).
    response = Client().post("/_allauth/app/v1/auth/login", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["code"] == "bad_request"
