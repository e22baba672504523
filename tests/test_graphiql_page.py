"""GraphiQL (GET /graphql/ in a browser) works offline: every script and stylesheet it loads is one of Vouch's own
static files (vendored with their licences in vouch/static/graphiql/), and its relaxed policy belongs to that one
answer — any other HTML under /graphql… (a 404, the JSON API) has the strict one."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from vouch.middleware import CSP

pytestmark = pytest.mark.django_db


def _page():
    response = Client().get("/graphql/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    return response, response.content.decode()


def test_graphiql_loads_only_vouchs_own_static_files():
    _response, html = _page()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 8, assets
    for url in assets:
        assert url.startswith("/static/"), url  # nothing from a CDN
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file of the project"
    assert "cdn" not in html.lower() and "https://" not in html
    assert finders.find("graphiql/licenses/README.md") and finders.find("graphiql/licenses/graphiql.LICENSE")


def test_graphiql_has_a_title_a_language_and_no_inline_script():
    response, html = _page()
    assert '<html lang="en">' in html
    assert re.search(r"<title>GraphiQL · Vouch GraphQL API</title>", html)
    # The only <script> without src is the JSON settings block, which browsers do not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="graphiql-settings" type="application/json"'], inline
    csp = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert '"subscriptionPath": "/graphql/ws/"' in html


@pytest.mark.parametrize("path", ["/graphql/nope", "/graphql/ws/", "/graphqlx", "/graphql/?raw"])
def test_only_the_graphiql_page_gets_its_policy(path):
    response = Client().get(path, HTTP_ACCEPT="text/html")
    if path == "/graphql/?raw":  # graphene-django's "&raw": JSON, not the page
        assert response["Content-Type"].startswith("application/json")
    assert response["Content-Security-Policy"] == CSP, (path, response.status_code)
