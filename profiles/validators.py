"""Username rules: a handle used in profile URLs (/m/<username>/)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.validators import RegexValidator

from profiles.error_codes import ProfileErrorCode

USERNAME_RE = r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])?$"
# Routes of the site (a profile at /m/<name>/ must not look like one) and names that would let a member pass for
# the operators: "support", "security", "staff" and the like. A handle is refused when, with "-" and "_" removed
# and trailing digits dropped, it is one of these or one of them prefixed or suffixed with the site's name
# ("vouch-support", "admin_2", "staff-vouch"): docs/security.md, "Sign-up".
RESERVED_USERNAMES = frozenset(
    {
        # routes and technical names
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
        "e",
        "ws",
        "insights",
        "unsubscribe",
        "wellknown",
        "null",
        "undefined",
        "anonymous",
        # the operators and their roles
        "vouch",
        "root",
        "administrator",
        "administration",
        "sysadmin",
        "superuser",
        "staff",
        "support",
        "help",
        "helpdesk",
        "security",
        "abuse",
        "safety",
        "trust",
        "moderator",
        "moderation",
        "official",
        "system",
        "team",
        "legal",
        "privacy",
        "billing",
        "contact",
        "info",
        "noreply",
        "postmaster",
        "hostmaster",
        "webmaster",
        "mailerdaemon",
    }
)
_SITE_NAME = "vouch"


def is_reserved(value: str) -> bool:
    """True for a reserved handle or a look-alike of one (see RESERVED_USERNAMES)."""
    core = re.sub(r"[-_]", "", value.strip().lower())
    core = re.sub(r"\d+$", "", core) or core
    if core in RESERVED_USERNAMES:
        return True
    for affix in (_SITE_NAME, "the", "official"):
        for stripped in (core.removeprefix(affix), core.removesuffix(affix)):
            if stripped != core and len(stripped) >= 4 and stripped in RESERVED_USERNAMES:
                return True
    return False


username_validator = RegexValidator(
    USERNAME_RE,
    "Use 3 to 30 lower-case letters, digits, '-' or '_', starting and ending with a letter or digit.",
    code=ProfileErrorCode.INVALID_USERNAME,
)


def validate_not_reserved(value: str) -> None:
    from django.core.exceptions import ValidationError

    if is_reserved(value):
        raise ValidationError("This username is reserved.", code=ProfileErrorCode.USERNAME_RESERVED)


username_validators: list[Callable[[str], None]] = [username_validator, validate_not_reserved]
