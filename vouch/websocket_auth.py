"""Websocket authentication: the session cookie (browsers) or an X-Session-Token header (apps)."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def user_for_token(token: str) -> Any:
    """The user an allauth app session token belongs to, or AnonymousUser (also used by graphql-ws's
    connection_init `sessionToken`)."""
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    result = authenticate_by_x_session_token(token)
    return result.user if result is not None and result.user is not None else AnonymousUser()


def session_key_of(scope: dict[str, Any]) -> str | None:
    """The login session a socket was opened with: the app token's session, else the cookie's."""
    if scope.get("token_session_key"):
        return scope["token_session_key"]
    session = scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


class _TokenAuth:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers") or [])
        token = headers.get(b"x-session-token")
        if token:
            # An invalid token makes the socket anonymous (refused), even with a valid cookie:
            # a client that sends a token means that identity, never a fallback.
            raw = token.decode("latin-1")[:200]
            # allauth's app session token is the key of a server-side session: remember it so that
            # logging out of that session closes this socket too.
            scope = dict(scope, user=await user_for_token(raw), token_session_key=raw)
        return await self.inner(scope, receive, send)


def SessionOrTokenAuthMiddleware(inner: Any) -> Any:  # noqa: N802 - reads like a class at the call site
    # The session middleware sets scope["user"] from the cookie; a token header, when sent, wins.
    return AuthMiddlewareStack(_TokenAuth(inner))
