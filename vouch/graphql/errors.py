"""Turning domain ValidationErrors into typed payload errors.

Services raise django.core.exceptions.ValidationError with a `code` (and a field when
the error belongs to one input). Mutations turn them into `Error` objects; codes are
SCREAMING_SNAKE_CASE so Django's own lower-case codes ("max_length") are upper-cased.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import graphene
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from graphql import GraphQLError, GraphQLSyntaxError


class Error(graphene.ObjectType):  # type: ignore[misc]  # graphene is untyped (Any)
    """A validation error in a mutation payload. `code` is stable and machine-readable."""

    field = graphene.String(description="The input field the error is about (camelCase), or null.")
    message = graphene.String(required=True)
    code = graphene.String(required=True, description="SCREAMING_SNAKE_CASE, e.g. NOT_FOUND, SELF_ENDORSEMENT.")


@dataclass(frozen=True)
class ErrorData:
    field: str | None
    message: str
    code: str


def _camel(name: str | None) -> str | None:
    if not name or name == "__all__":
        return None
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _code(code: str | None) -> str:
    if not code:
        return "INVALID"
    return re.sub(r"[^A-Z0-9]+", "_", code.upper()).strip("_") or "INVALID"


def errors_from_validation(exc: ValidationError) -> list[ErrorData]:
    out: list[ErrorData] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = error.message % error.params if error.params else error.message
                out.append(ErrorData(_camel(field), str(message), _code(error.code)))
    else:
        for error in exc.error_list:
            message = error.message % error.params if error.params else error.message
            out.append(ErrorData(None, str(message), _code(error.code)))
    return out


# --- GraphQL errors (the `errors` of a response, not payload errors) -------------------------------------------------
_log = logging.getLogger("vouch.graphql")


def graphql_error_code(error: GraphQLError) -> tuple[str, str | None]:
    """The `extensions.code` of an error that has none, and the message to show instead (None: keep it).

    Resolver and rule errors set their own code; this names the rest: syntax errors, graphene-django's page
    limit (an AssertionError), Django's exceptions, and anything unexpected (INTERNAL_SERVER_ERROR, its Python
    text never shown: it is logged with its traceback instead).
    """
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED", None
    original = error.original_error
    if original is None or not error.path:
        # Not raised by a resolver: the request itself (variables that do not coerce, an unknown operation, …).
        return "BAD_REQUEST", None
    if isinstance(original, GraphQLError):
        return (original.extensions or {}).get("code") or "BAD_REQUEST", original.message
    if isinstance(original, AssertionError):  # graphene-django: "Requesting N records … exceeds the `first` limit"
        return "BAD_ARGUMENT", None
    if isinstance(original, PermissionDenied):
        return "FORBIDDEN", None
    if isinstance(original, ObjectDoesNotExist):
        return "NOT_FOUND", "Not found."
    if isinstance(original, ValidationError):
        return _code(getattr(original, "code", None) or "BAD_ARGUMENT"), "; ".join(str(m) for m in original.messages)
    if str(original).startswith("Unable to parse global ID"):  # graphene's relay Node
        return "BAD_ARGUMENT", None
    _log.error("GraphQL resolver failed: %s", error.message, exc_info=original)
    return "INTERNAL_SERVER_ERROR", "Internal server error."


def format_graphql_error(error: Exception) -> dict[str, Any]:
    """`error` as a response error, always with an `extensions.code`."""
    if not isinstance(error, GraphQLError):
        return {"message": str(error), "extensions": {"code": "BAD_REQUEST"}}
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if not extensions.get("code"):
        code, message = graphql_error_code(error)
        extensions["code"] = code
        if message is not None:
            formatted["message"] = message
    formatted["extensions"] = extensions
    return formatted
