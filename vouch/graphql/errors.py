"""Turning domain ValidationErrors into typed payload errors.

Services raise django.core.exceptions.ValidationError with a `code` (and a field when
the error belongs to one input). Mutations turn them into `Error` objects; codes are
SCREAMING_SNAKE_CASE so Django's own lower-case codes ("max_length") are upper-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import graphene
from django.core.exceptions import ValidationError


class Error(graphene.ObjectType):
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


def not_found(field: str | None = None, what: str = "object") -> ValidationError:
    """The one answer for 'does not exist' and 'not yours': never reveal which."""
    error = ValidationError(f"No such {what}.", code="NOT_FOUND")
    return ValidationError({field: error}) if field else error
