"""schema.graphql at the repository root is the exported SDL; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from vouch.graphql.schema import schema

ROOT = Path(__file__).resolve().parent.parent


def test_schema_graphql_is_current():
    exported = (ROOT / "schema.graphql").read_text()
    current = str(schema)
    assert exported.strip() == current.strip(), "schema.graphql is stale: run `make schema` and commit it"
