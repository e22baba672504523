"""The domain's error vocabulary, shared by every app's services (and read by the API and the pages).

Services refuse with django.core.exceptions.ValidationError carrying a SCREAMING_SNAKE `code`, keyed by
the input field when the error is about one. This module builds them, so each refusal is written one
way: `error(field, message, code)`, `not_found(field, what)` (the one answer for "does not exist" and
"not yours": never reveal which) and `clean_text` (the one cleaning of free text). The GraphQL layer
turns them into payload errors (vouch.graphql.errors), the pages into form errors (frontend.forms).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError


class Code(StrEnum):
    """Codes every app uses; each app's own are its `<app>/error_codes.py` StrEnum (ProfileErrorCode, …)."""

    NOT_FOUND = "NOT_FOUND"  # does not exist, or not the actor's: never which
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    MAX_LENGTH = "MAX_LENGTH"
    INVALID_CHOICE = "INVALID_CHOICE"
    RATE_LIMITED = "RATE_LIMITED"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"  # staff only
    CONFLICT = "CONFLICT"  # lost a race with a concurrent write: try again
    DUPLICATE_ID = "DUPLICATE_ID"
    TOO_MANY_IDS = "TOO_MANY_IDS"  # a list of ids longer than the operation takes


# C0 control characters except tab, line feed and carriage return, and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def error(field: str | None, message: str, code: str) -> ValidationError:
    """A refusal with `code`, on `field` when it is about one input."""
    refusal = ValidationError(message, code=str(code))
    return ValidationError({field: refusal}) if field else refusal


def not_found(field: str | None = None, what: str = "object") -> ValidationError:
    """The one answer for 'does not exist' and 'not yours': never reveal which."""
    return error(field, f"No such {what}.", Code.NOT_FOUND)


def clean_text(field: str, value: Any, limit: int, *, none_as_empty: bool = True) -> str:
    """Free text as stored: control characters dropped, stripped; INVALID for a non-string (None reads as
    empty unless `none_as_empty` is False), MAX_LENGTH beyond `limit` characters (counted after cleaning)."""
    if value is None and none_as_empty:
        return ""
    if not isinstance(value, str):
        raise error(field, "Must be text.", Code.INVALID)
    value = CONTROL_CHARACTERS.sub("", value).strip()
    if len(value) > limit:
        raise error(field, f"At most {limit} characters.", Code.MAX_LENGTH)
    return value
