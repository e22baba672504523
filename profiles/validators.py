"""Username rules: a handle used in profile URLs (/m/<username>/)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.validators import RegexValidator

USERNAME_RE = r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])?$"
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "api",
        "graphql",
        "me",
        "settings",
        "static",
        "media",
        "accounts",
        "healthz",
        "b",
        "m",
        "ws",
        "vouch",
        "root",
    }
)

username_validator = RegexValidator(
    USERNAME_RE,
    "Use 3 to 30 lower-case letters, digits, '-' or '_', starting and ending with a letter or digit.",
    code="INVALID_USERNAME",
)


def validate_not_reserved(value: str) -> None:
    from django.core.exceptions import ValidationError

    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError("This username is reserved.", code="USERNAME_RESERVED")


username_validators: list[Callable[[str], None]] = [username_validator, validate_not_reserved]
