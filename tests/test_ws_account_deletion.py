"""Deleting an account closes every live socket of that member."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client

from notifications.tests.helpers import open_socket
from profiles.tests.factories import PASSWORD, make_member
from vouch.testing import client_for, data_of, gql

DELETE = "mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) { errors { field code } } }"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("in_memory_layer")
async def test_deleting_the_account_closes_its_live_sockets():
    ana = await database_sync_to_async(make_member)("ana")
    browser = Client()
    await database_sync_to_async(browser.force_login)(ana)
    socket, connected = await open_socket(cookie=browser.cookies[settings.SESSION_COOKIE_NAME].value)
    assert connected and (await socket.receive_json_from(timeout=5))["type"] == "unread"
    body = await database_sync_to_async(lambda: gql(client_for(ana), DELETE, {"input": {"password": PASSWORD}}))()
    assert data_of(body)["deleteAccount"]["errors"] == []
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
