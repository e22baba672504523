"""Parsed and validated GraphQL documents, cached by their text.

graphql-core parses and validates every request from scratch: for the profile query that is
~5 ms of a ~30 ms request (bench/profile_query.py), the same work each time, since clients send
the same few documents. Parsing is cached by the query text; a successful validation by the
text plus everything the rules read besides the document: the limit settings and the integer
variables (the cost rule costs `first: $n` by its value). Failed validations are not cached
(their errors are answered afresh), nor are documents larger than MAX_CACHED_QUERY, so the
cache is bounded in entries and bytes.

Before anything parses a document it is held to GRAPHQL_MAX_QUERY_BYTES characters and
GRAPHQL_MAX_TOKENS tokens (graphql-core stops lexing at the bound), both QUERY_TOO_LARGE; then
Vouch's depth and cost rules run, and only a document within them meets the specification's
rules (some of which are quadratic in the document). The HTTP view and the graphql-ws socket
share this module, its cache and its limits.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any, Generic, TypeVar

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules, validate

MAX_CACHED_QUERY = 20_000  # characters
MAX_ENTRIES = 500


K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict[K, V](), Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.data.clear()


_parsed: _LRU[str, DocumentNode] = _LRU(MAX_ENTRIES)
_validated: _LRU[tuple[Any, ...], bool] = _LRU(MAX_ENTRIES)


def too_large(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_LARGE"})


def parse_document(query: str) -> DocumentNode:
    """`graphql.parse` within the size and token limits, cached.

    Raises GraphQLError: QUERY_TOO_LARGE over a limit, GRAPHQL_PARSE_FAILED on a syntax error (never cached).
    """
    size_limit: int = settings.GRAPHQL_MAX_QUERY_BYTES
    if len(query) > size_limit:
        raise too_large(f"The document is longer than {size_limit} characters.")
    document = _parsed.get(query) if len(query) <= MAX_CACHED_QUERY else None
    if document is None:
        document = _parse(query)
        if len(query) <= MAX_CACHED_QUERY:
            _parsed.put(query, document)
    return document


def _parse(query: str) -> DocumentNode:
    tokens: int = settings.GRAPHQL_MAX_TOKENS
    try:
        return parse(query, max_tokens=tokens)
    except GraphQLError as error:
        if "tokens. Parsing aborted" in error.message:
            raise too_large(f"The document has more than {tokens} tokens.") from None
        error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_PARSE_FAILED"}
        raise
    except RecursionError:
        raise too_large("The document is nested too deeply.") from None


def _limits() -> tuple[Any, ...]:
    return (settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_COST, settings.GRAPHQL_MAX_PAGE_SIZE)


def _validation_key(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None) -> tuple[Any, ...] | None:
    ints = tuple(sorted((k, v) for k, v in (variables or {}).items() if isinstance(v, int) and not isinstance(v, bool)))
    return (id(schema), query, ints, _limits()) if len(query) <= MAX_CACHED_QUERY else None


def cached_valid_document(query: str, variables: dict[str, Any] | None) -> DocumentNode | None:
    """The parsed document when this text (with these integer variables) was parsed and validated before; else None.

    Cheap enough for the event loop: two dictionary look-ups.
    """
    from vouch.graphql.schema import schema

    document = _parsed.get(query) if len(query) <= min(MAX_CACHED_QUERY, settings.GRAPHQL_MAX_QUERY_BYTES) else None
    key = _validation_key(schema.graphql_schema, query, variables)
    if document is None or key is None or not _validated.get(key):
        return None
    return document


def validate_document(
    schema: GraphQLSchema, document: DocumentNode, query: str, variables: dict[str, Any] | None, max_errors: int | None
) -> list[GraphQLError]:
    """Vouch's limit rules bound to `variables`, then (only if they pass) the specification's; a success is remembered.

    Every error carries `extensions.code` (GRAPHQL_VALIDATION_FAILED unless a rule set its own).
    """
    from vouch.graphql.limits import limit_rules

    key = _validation_key(schema, query, variables)
    if key is not None and _validated.get(key):
        return []
    errors = validate(schema, document, limit_rules(variables), max_errors)
    if not errors:
        errors = validate(schema, document, specified_rules, max_errors)
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": "GRAPHQL_VALIDATION_FAILED"}
    if not errors and key is not None:
        _validated.put(key, True)
    return errors


def clear() -> None:
    _parsed.clear()
    _validated.clear()
