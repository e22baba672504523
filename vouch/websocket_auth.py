"""Websocket authentication: the session cookie (browsers) or an X-Session-Token header (apps).

The Origin rule (API-CONTRACT.md "The notification socket"): a socket authenticated by a token is accepted with or
without an `Origin` header (native and server-side clients send none). The session cookie counts only on a socket
whose `Origin` is exactly the site's own origin — scheme, host and port of the handshake itself (its Host header, in
ALLOWED_HOSTS, and ws→http / wss→https, or the proxy's SECURE_PROXY_SSL_HEADER) — or exactly one of
CSRF_TRUSTED_ORIGINS. Anywhere else the cookie is dropped before the session middleware reads it, so the socket is
anonymous and the consumer closes it (4401, or 4403 at /graphql/ws/) before any data. This replaces Channels'
AllowedHostsOriginValidator, which refused every handshake without Origin and compared the host only.
"""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host

_DEFAULT_PORTS = {"http": "80", "https": "443"}


@database_sync_to_async
def user_for_token(token: str) -> Any:
    """The user an allauth app session token belongs to, or AnonymousUser (also used by graphql-ws's
    connection_init `sessionToken`)."""
    from profiles.adapters import user_for_session_token

    return user_for_session_token(token) or AnonymousUser()


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


def _normalise(origin: str) -> str | None:
    """`scheme://host[:port]` lower-cased, the default port dropped; None if it is not such an origin."""
    scheme, sep, rest = origin.strip().lower().partition("://")
    if not sep or scheme not in _DEFAULT_PORTS or not rest or "/" in rest:
        return None
    host, port = split_domain_port(rest)
    if not host:
        return None
    if port and port != _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def site_origin(scope: dict[str, Any]) -> str | None:
    """The origin this handshake was made to, or None when its Host is not one of ALLOWED_HOSTS."""
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secure = scope.get("scheme") in ("wss", "https")
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, value = proxy
        header = name.lower().removeprefix("http_").replace("_", "-").encode("latin-1")
        secure = secure or headers.get(header, b"").decode("latin-1").split(",")[0].strip() == value
    return _normalise(f"{'https' if secure else 'http'}://{host}")


def cookie_allowed(scope: dict[str, Any]) -> bool:
    """True when the handshake's Origin is exactly the site's own origin (or an exact CSRF_TRUSTED_ORIGINS entry)."""
    headers = dict(scope.get("headers") or [])
    raw = headers.get(b"origin")
    if not raw:
        return False
    origin = _normalise(raw.decode("latin-1"))
    if origin is None:
        return False
    trusted = {_normalise(o) for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o}
    return origin == site_origin(scope) or origin in trusted


class CookieOriginGuard:
    """Drops the Cookie header of a handshake whose Origin is not the site's own (see the module docstring)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope.get("type") == "websocket" and not cookie_allowed(scope):
            headers = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"cookie"]
            scope = dict(scope, headers=headers, cookie_refused=True)
        return await self.inner(scope, receive, send)


def SessionOrTokenAuthMiddleware(inner: Any) -> Any:
    # The session middleware sets scope["user"] from the cookie (only when the Origin allows it); a token header,
    # when sent, wins.
    return CookieOriginGuard(AuthMiddlewareStack(_TokenAuth(inner)))
