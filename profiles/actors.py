"""Who is acting: the types every layer names the caller with, and the one signed-in predicate.

- `Viewer`: whoever reads (a member, an anonymous visitor, or nobody at all: a background job);
  read paths and permission predicates take one and decide what it may see.
- `User` (profiles.models): an actor. Services take `actor: User` first; they are only ever
  called for a signed-in member (the API and pages refuse anonymous callers before).
- `is_signed_in(viewer)`: the one test for "a real, signed-in member", narrowing to User.
- `AuthenticatedHttpRequest`: the request a login-required page view receives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypeGuard

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

if TYPE_CHECKING:
    from profiles.models import User

Viewer: TypeAlias = "User | AnonymousUser | None"


def is_signed_in(viewer: Any) -> TypeGuard[User]:
    """A signed-in member (not None, not anonymous, not a deactivated account's session)."""
    return viewer is not None and bool(getattr(viewer, "is_authenticated", False)) and viewer.pk is not None


class AuthenticatedHttpRequest(HttpRequest):
    """An HttpRequest behind @login_required: its user is a member (as healthchecks' AuthenticatedHttpRequest)."""

    user: User
