"""The socket Origin rule (API-CONTRACT.md, vouch/websocket_auth.py), through vouch.asgi.application.

A token socket is served with or without Origin; the session cookie counts only when Origin is exactly the site's
own origin (scheme, host, port), elsewhere it is ignored: the socket is anonymous, accepted, then closed 4401
(4403 at /graphql/ws/) before any data.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from notifications.tests.helpers import app_session_token, session_cookie
from profiles.tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

PROTOCOL = "graphql-transport-ws"

# (origin header or None, host header, handshake scheme, the cookie counts)
COOKIE_CASES: list[tuple[str | None, str, str, bool]] = [
    ("http://localhost:8000", "localhost:8000", "ws", True),
    ("http://LOCALHOST:8000", "localhost:8000", "ws", True),
    ("http://localhost", "localhost", "ws", True),
    ("http://localhost:80", "localhost", "ws", True),  # the default port spelled out
    ("https://localhost", "localhost", "wss", True),
    ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws", True),
    (None, "localhost:8000", "ws", False),  # no Origin: the cookie is a browser's, refuse it
    ("http://127.0.0.1:9999", "127.0.0.1:8000", "ws", False),  # other port
    ("https://localhost", "localhost:8000", "ws", False),  # other scheme and port
    ("https://localhost:8000", "localhost:8000", "ws", False),  # other scheme
    ("http://localhost:8000", "localhost:8000", "wss", False),  # http page, https site
    ("http://evil.example", "localhost:8000", "ws", False),
    ("http://localhost.evil.example:8000", "localhost:8000", "ws", False),
    ("null", "localhost:8000", "ws", False),  # sandboxed iframe, file://
    ("http://localhost:8000/path", "localhost:8000", "ws", False),
    ("http://evil.example", "evil.example", "ws", False),  # a Host not in ALLOWED_HOSTS is never "our" origin
]


def _headers(origin: str | None, host: str, cookie: str | None = None, token: str | None = None) -> list:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if token is not None:
        headers.append((b"x-session-token", token.encode()))
    return headers


async def _open(path: str, headers: list, scheme: str) -> WebsocketCommunicator:
    from vouch.asgi import application

    socket = WebsocketCommunicator(
        application, path, headers=headers, subprotocols=[PROTOCOL] if "graphql" in path else None
    )
    socket.scope["scheme"] = scheme
    connected, _ = await socket.connect(timeout=5)
    assert connected, "every handshake is accepted; refusal is a close code"
    return socket


async def _outcome(path: str, socket: WebsocketCommunicator, init: dict[str, Any] | None = None) -> Any:
    """ "served" when the socket serves data, else its close code (nothing sent before it)."""
    if "graphql" in path:
        await socket.send_json_to({"type": "connection_init", **({"payload": init} if init else {})})
    output = await socket.receive_output(timeout=5)
    if output["type"] == "websocket.close":
        return output.get("code")
    await socket.disconnect()
    return "served"


@pytest.fixture
def member() -> Any:
    return make_member("olive")


@pytest.mark.parametrize("path", ["/ws/notifications/", "/graphql/ws/"])
@pytest.mark.parametrize(("origin", "host", "scheme", "counts"), COOKIE_CASES)
async def test_the_cookie_counts_only_from_the_sites_own_origin(
    member: Any, path: str, origin: str | None, host: str, scheme: str, counts: bool, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    cookie = await database_sync_to_async(session_cookie)(member)
    socket = await _open(path, _headers(origin, host, cookie=cookie), scheme)
    refused = 4403 if "graphql" in path else 4401
    assert await _outcome(path, socket) == ("served" if counts else refused)


@pytest.mark.parametrize("path", ["/ws/notifications/", "/graphql/ws/"])
@pytest.mark.parametrize("origin", [None, "http://localhost:8000", "https://evil.example", "null"])
async def test_a_token_socket_is_served_with_or_without_origin(member: Any, path: str, origin: str | None) -> None:
    token = await database_sync_to_async(app_session_token)(member.email, PASSWORD)
    socket = await _open(path, _headers(origin, "localhost:8000", token=token), "ws")
    assert await _outcome(path, socket) == "served"


@pytest.mark.parametrize("origin", [None, "https://evil.example"])
async def test_a_session_token_in_connection_init_is_served_with_or_without_origin(member: Any, origin: Any) -> None:
    token = await database_sync_to_async(app_session_token)(member.email, PASSWORD)
    socket = await _open("/graphql/ws/", _headers(origin, "localhost:8000"), "ws")
    assert await _outcome("/graphql/ws/", socket, {"sessionToken": token}) == "served"


@pytest.mark.parametrize("path", ["/ws/notifications/", "/graphql/ws/"])
async def test_a_cross_site_cookie_does_not_spoil_a_valid_token(member: Any, path: str) -> None:
    token = await database_sync_to_async(app_session_token)(member.email, PASSWORD)
    cookie = await database_sync_to_async(session_cookie)(member)
    socket = await _open(path, _headers("https://evil.example", "localhost:8000", cookie=cookie, token=token), "ws")
    assert await _outcome(path, socket) == "served"


async def test_a_trusted_origin_counts_exactly(member: Any, settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org"]
    cookie = await database_sync_to_async(session_cookie)(member)
    ok = await _open("/ws/notifications/", _headers("https://app.example.org", "localhost", cookie=cookie), "ws")
    assert await _outcome("/ws/notifications/", ok) == "served"
    bad = await _open("/ws/notifications/", _headers("http://app.example.org", "localhost", cookie=cookie), "ws")
    assert await _outcome("/ws/notifications/", bad) == 4401


async def test_behind_a_tls_proxy_the_forwarded_scheme_is_the_sites(member: Any, settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    cookie = await database_sync_to_async(session_cookie)(member)
    headers = [*_headers("https://localhost", "localhost", cookie=cookie), (b"x-forwarded-proto", b"https")]
    socket = await _open("/ws/notifications/", headers, "ws")
    assert await _outcome("/ws/notifications/", socket) == "served"
