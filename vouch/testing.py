"""Helpers shared by the test-suites of every app (importable, so not in a conftest)."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def gql(client: Client, query: str, variables: dict[str, Any] | None = None, **headers: Any) -> dict[str, Any]:
    """POST a GraphQL document as JSON; returns the decoded body (asserting the HTTP layer answered)."""
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **headers,
    )
    assert response.status_code in (200, 400), (response.status_code, response.content[:500])
    return response.json()


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert not body.get("errors"), body.get("errors")
    return body["data"]


def error_codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def unauthenticated(body: dict[str, Any]) -> bool:
    return any((e.get("extensions") or {}).get("code") == "UNAUTHENTICATED" for e in body.get("errors") or [])


class CountQueries(CaptureQueriesContext):
    def __init__(self) -> None:
        super().__init__(connection)

    @property
    def count(self) -> int:
        return len(self.captured_queries)
