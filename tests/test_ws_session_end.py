"""A socket stops being served when the login session it was opened with ends — here: a password change (web page
and headless app), a password reset, and an account deactivation in the admin (logout and deletion have their own
files). Each case opens real sockets through the ASGI application with real credentials, ends the session the way a
member or staff would, and checks that the sockets close and that a notification made afterwards reaches none of
them, while another member's socket goes on receiving."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.core import mail
from django.test import Client

from notifications.tests.helpers import app_session_token, connect_as, make_notification, open_socket
from profiles.tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

APP = "/_allauth/app/v1"
NEW_PASSWORD = "another-long-passphrase-77"


@database_sync_to_async
def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _sockets(ana, browser: Client, token: str):
    """A browser notification socket, an app notification socket and an app subscription socket of ana."""
    cookie_socket, ok1 = await open_socket(cookie=browser.cookies[settings.SESSION_COOKIE_NAME].value)
    token_socket, ok2 = await open_socket(token=token)
    assert ok1 and ok2
    for socket in (cookie_socket, token_socket):
        assert (await socket.receive_json_from(timeout=5))["type"] == "unread"
    subscription, ok3 = await open_socket("/graphql/ws/", subprotocols=["graphql-transport-ws"])
    assert ok3
    await subscription.send_json_to({"type": "connection_init", "payload": {"sessionToken": token}})
    assert await subscription.receive_json_from(timeout=5) == {"type": "connection_ack"}
    return [cookie_socket, token_socket, subscription]


async def _assert_all_closed_and_deaf(ana, sockets, bystander) -> None:
    codes = []
    for socket in sockets:
        out = await socket.receive_output(timeout=5)
        assert out["type"] == "websocket.close", out
        codes.append(out["code"])
    assert codes == [4401, 4401, 4403]
    await make_notification(ana)  # nothing is served any more on those sockets: they are closed
    for socket in sockets:
        assert await socket.receive_nothing(timeout=0.2)
    # Another member is not affected.
    frame = await bystander.receive_json_from(timeout=5)
    assert frame["type"] in {"notification", "unread"}


async def _setup():
    ana = await database_sync_to_async(make_member)("ana", email="ana@example.com")
    bob = await database_sync_to_async(make_member)("bob", email="bob@example.com")
    browser = await _browser(ana)
    token = await database_sync_to_async(app_session_token)("ana@example.com", PASSWORD)
    sockets = await _sockets(ana, browser, token)
    bystander = await connect_as(bob)
    return ana, bob, browser, token, sockets, bystander


async def test_changing_the_password_in_an_app_closes_every_socket_of_the_member():
    ana, bob, _browser_client, token, sockets, bystander = await _setup()
    response = await database_sync_to_async(Client().post)(
        f"{APP}/account/password/change",
        json.dumps({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert response.status_code == 200, response.content
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


async def test_changing_the_password_on_the_web_page_closes_every_socket_of_the_member():
    ana, bob, browser, _token, sockets, bystander = await _setup()
    response = await database_sync_to_async(browser.post)(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:500]
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


async def test_resetting_the_password_closes_every_socket_of_the_member():
    ana, bob, _browser_client, _token, sockets, bystander = await _setup()
    client = Client()
    response = await database_sync_to_async(client.post)(
        f"{APP}/auth/password/request", json.dumps({"email": "ana@example.com"}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    key = unquote(re.search(r"/accounts/password/reset/key/([^/\s]+)/", mail.outbox[-1].body).group(1))
    response = await database_sync_to_async(client.post)(
        f"{APP}/auth/password/reset",
        json.dumps({"key": key, "password": NEW_PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code in (200, 401), response.content  # 401: reset done, login (verification) pending
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


async def test_deactivating_the_account_in_the_admin_closes_every_socket_of_the_member():
    ana, bob, _browser_client, _token, sockets, bystander = await _setup()
    staff = await database_sync_to_async(_superuser)()
    admin = await _browser(staff)
    response = await database_sync_to_async(admin.post)(
        "/admin/profiles/user/",
        {"action": "deactivate", "_selected_action": [ana.pk], "index": 0},
    )
    assert response.status_code == 302, response.content[:500]
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)
    assert (await database_sync_to_async(type(ana).objects.get)(pk=ana.pk)).is_active is False


async def test_setting_a_password_in_the_admin_closes_every_socket_of_the_member():
    ana, bob, _browser_client, _token, sockets, bystander = await _setup()
    admin = await _browser(await database_sync_to_async(_superuser)())
    response = await database_sync_to_async(admin.post)(
        f"/admin/profiles/user/{ana.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:800]
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


def _superuser():
    from profiles.models import User

    return User.objects.create_superuser("staffer", "staffer@example.com", PASSWORD)


async def test_changepassword_command_closes_every_socket_of_the_member(monkeypatch):
    from django.contrib.auth.management.commands.changepassword import Command
    from django.core.management import call_command

    ana, bob, _browser_client, _token, sockets, bystander = await _setup()
    monkeypatch.setattr(Command, "_get_pass", lambda self, prompt="Password: ": NEW_PASSWORD)
    await database_sync_to_async(call_command)("changepassword", "ana")
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


async def test_a_password_set_in_code_closes_every_socket_of_the_member():
    ana, bob, _browser_client, _token, sockets, bystander = await _setup()

    def set_password() -> None:
        user = type(ana).objects.get(pk=ana.pk)
        user.set_password(NEW_PASSWORD)
        user.save()

    await database_sync_to_async(set_password)()
    await make_notification(bob)
    await _assert_all_closed_and_deaf(ana, sockets, bystander)


async def test_saving_the_member_without_a_new_password_leaves_the_sockets_open():
    ana, bob, _browser_client, _token, sockets, bystander = await _setup()

    def touch() -> None:
        user = type(ana).objects.get(pk=ana.pk)
        user.first_name = "Ana"
        user.save()

    await database_sync_to_async(touch)()
    await make_notification(ana)
    for socket in sockets[:2]:
        frame = await socket.receive_json_from(timeout=5)
        assert frame["type"] in {"notification", "unread"}
