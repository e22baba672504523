"""GraphiQL in a real browser with every request off the site blocked (as offline): the editor renders from Vouch's
own static files, runs a query against /graphql/, and the page logs no error (a CSP violation would be one)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_graphiql_works_with_nothing_but_the_site_reachable(live, new_page):
    page = new_page()
    elsewhere: list[str] = []

    def only_the_site(route) -> None:
        if route.request.url.startswith(live.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_site)
    page.goto("/graphql/#query=" + quote("{ members(first: 2) { edges { node { username } } } }"))
    expect(page.locator(".graphiql-container")).to_be_visible()
    assert page.title() == "GraphiQL · Vouch GraphQL API"
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text('"username"', timeout=15_000)
    assert elsewhere == []
    assert page.console_errors == []
