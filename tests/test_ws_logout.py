"""Logging out ends the live sockets of that login session, and only those."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from notifications.tests.helpers import app_session_token, open_socket
from profiles.tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]


@database_sync_to_async
def _browser_session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _open(cookie: str | None = None, token: str | None = None):
    socket, connected = await open_socket(cookie=cookie, token=token)
    assert connected
    assert (await socket.receive_json_from(timeout=5))["type"] == "unread"
    return socket


async def test_logging_out_in_the_browser_closes_that_sessions_sockets_only():
    ana = await database_sync_to_async(make_member)("ana")
    laptop, phone = await _browser_session(ana), await _browser_session(ana)
    laptop_socket = await _open(cookie=laptop.cookies[settings.SESSION_COOKIE_NAME].value)
    phone_socket = await _open(cookie=phone.cookies[settings.SESSION_COOKIE_NAME].value)

    response = await database_sync_to_async(laptop.post)("/accounts/logout/")
    assert response.status_code == 302

    assert await laptop_socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await phone_socket.send_json_to({"type": "ping"})
    assert await phone_socket.receive_json_from(timeout=5) == {"type": "pong"}
    await phone_socket.disconnect()


async def test_an_app_logging_out_its_session_token_closes_its_socket():
    await database_sync_to_async(make_member)("ana", email="ana@example.com")
    token = await database_sync_to_async(app_session_token)("ana@example.com", PASSWORD)
    socket = await _open(token=token)

    response = await database_sync_to_async(Client().delete)(
        "/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token
    )
    assert response.status_code in (200, 401)  # allauth answers 401 "not authenticated" after a logout

    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_logging_out_ends_the_graphql_subscription_socket():
    ana = await database_sync_to_async(make_member)("ana")
    browser = await _browser_session(ana)
    socket, connected = await open_socket(
        "/graphql/ws/",
        cookie=browser.cookies[settings.SESSION_COOKIE_NAME].value,
        subprotocols=["graphql-transport-ws"],
    )
    assert connected
    await socket.send_json_to({"type": "connection_init"})
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}

    await database_sync_to_async(browser.post)("/accounts/logout/")

    closed = await socket.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == 4403
