"""Shared helpers for the badges app's Django-side tests (GraphQL over HTTP, with on-commit work executed)."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from badges.models import Badge
from vouch.graphql.ids import encode_id
from vouch.testing import gql

BADGE_FIELDS = """
  id publicId name description issuerName issuerUrl criteriaUrl imageUrl status verificationErrors
  issuedOn expiresAt verifiedAt lastCheckedAt public verificationReport pageUrl recipientMatched
  verificationChecks { name passed code message }
  memberSkill { id skill { name } }
"""

IMPORT_BADGE = f"""
mutation($input: ImportBadgeInput!) {{
  importBadge(input: $input) {{ badge {{ {BADGE_FIELDS} }} errors {{ field message code }} }}
}}
"""


def run(capture: Any, client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST a document and run what the request scheduled on commit (verification, pushes), as in production."""
    with capture(execute=True):
        return gql(client, query, variables)


def upload(
    capture: Any,
    client: Client,
    query: str,
    variables: dict[str, Any],
    path: str,
    data: bytes,
    name: str = "badge.png",
    content_type: str = "image/png",
) -> dict[str, Any]:
    """A GraphQL multipart request (the spec graphene-file-upload implements) carrying one file at `path`."""
    operations = {"query": query, "variables": variables}
    with capture(execute=True):
        response = client.post(
            "/graphql/",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": [path]}),
                "0": SimpleUploadedFile(name, data, content_type=content_type),
            },
        )
    assert response.status_code == 200, response.content[:500]
    return response.json()


BADGE_QUERY = f"query($id: ID!) {{ badge(id: $id) {{ {BADGE_FIELDS} }} }}"


def after_commit(client: Client, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its badge as it is once the on-commit verification ran.

    Under pytest-django the test transaction never commits, so captured on-commit callbacks run when the request
    has already answered (with the badge PENDING); in production the inline mode runs them before the payload is
    built. Reading the badge again gives what a client sees once verification finished.
    """
    if payload.get("badge"):
        body = gql(client, BADGE_QUERY, {"id": payload["badge"]["id"]})
        payload = {**payload, "badge": body["data"]["badge"]}
    return payload


def import_url(capture: Any, client: Client, url: str, **extra: Any) -> dict[str, Any]:
    payload = run(capture, client, IMPORT_BADGE, {"input": {"url": url, **extra}})["data"]["importBadge"]
    return after_commit(client, payload)


def import_text(capture: Any, client: Client, text: str) -> dict[str, Any]:
    payload = run(capture, client, IMPORT_BADGE, {"input": {"assertion": text}})["data"]["importBadge"]
    return after_commit(client, payload)


def import_image(
    capture: Any, client: Client, data: bytes, name: str = "badge.png", content_type: str = "image/png"
) -> dict[str, Any]:
    body = upload(
        capture, client, IMPORT_BADGE, {"input": {"image": None}}, "variables.input.image", data, name, content_type
    )
    return after_commit(client, body["data"]["importBadge"])


def gid(badge: Badge) -> str:
    return encode_id("Badge", badge.pk)
