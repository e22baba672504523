"""Parsed and validated GraphQL documents, cached by their text.

graphql-core parses and validates every request from scratch: for the profile query that is
~5 ms of a ~30 ms request (bench/profile_query.py), the same work each time, since clients send
the same few documents. Parsing is cached by the query text; a successful validation by the
text plus everything the rules read besides the document: the limit settings and the integer
variables (the cost rule costs `first: $n` by its value). Failed validations are not cached
(their errors are answered afresh), nor are documents larger than MAX_CACHED_QUERY, so the
cache is bounded in entries and bytes.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate

MAX_CACHED_QUERY = 20_000  # characters
MAX_ENTRIES = 500


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict[Any, Any](), Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


_parsed = _LRU(MAX_ENTRIES)
_validated = _LRU(MAX_ENTRIES)


def parse_document(query: str) -> DocumentNode:
    """`graphql.parse`, cached (raises GraphQLError on a syntax error, never cached)."""
    if len(query) > MAX_CACHED_QUERY:
        return parse(query)
    document = _parsed.get(query)
    if document is None:
        document = parse(query)
        _parsed.put(query, document)
    return document


def _limits() -> tuple[Any, ...]:
    return (settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_NODES, settings.GRAPHQL_MAX_PAGE_SIZE)


def validate_document(
    schema: GraphQLSchema, document: DocumentNode, query: str, variables: dict[str, Any] | None, max_errors: int | None
) -> list[GraphQLError]:
    """`graphql.validate` with Vouch's rules bound to `variables`; a success is remembered."""
    from vouch.graphql.limits import validation_rules

    ints = tuple(sorted((k, v) for k, v in (variables or {}).items() if isinstance(v, int) and not isinstance(v, bool)))
    key = (id(schema), query, ints, _limits()) if len(query) <= MAX_CACHED_QUERY else None
    if key is not None and _validated.get(key):
        return []
    errors = validate(schema, document, validation_rules(variables), max_errors)
    if not errors and key is not None:
        _validated.put(key, True)
    return errors


def clear() -> None:
    _parsed.clear()
    _validated.clear()
