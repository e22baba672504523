"""Websocket test helpers: connect through the real ASGI application with real credentials."""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from notifications.models import Notification
from notifications.services import notify

KIND = "endorsement.received"


def session_cookie(user: Any) -> str:
    """A real session (stored by the session engine) for `user`: the value of the sessionid cookie."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def app_session_token(email: str, password: str) -> str:
    """Log in like an app client (allauth headless) and return its X-Session-Token."""
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        json.dumps({"email": email, "password": password}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


async def open_socket(
    path: str = "/ws/notifications/",
    *,
    cookie: str | None = None,
    token: str | None = None,
    subprotocols: list[str] | None = None,
) -> tuple[WebsocketCommunicator, bool]:
    from vouch.asgi import application

    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    if token:
        headers.append((b"x-session-token", token.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


async def connect_as(user: Any) -> WebsocketCommunicator:
    """An authenticated notification socket for `user`, its first `unread` frame already read."""
    cookie = await database_sync_to_async(session_cookie)(user)
    communicator, connected = await open_socket(cookie=cookie)
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "unread", first
    return communicator


@database_sync_to_async
def make_notification(user: Any, kind: str = KIND, **payload: Any) -> Notification:
    """What a domain service does: notify() inside its transaction; the push goes out on commit."""
    with transaction.atomic():
        return notify(user, kind, payload or {"n": 1})


async def assert_silent(communicator: WebsocketCommunicator, timeout: float = 0.2) -> None:
    assert await communicator.receive_nothing(timeout=timeout), "expected no frame"
