"""A push that fails (channel layer down or hanging) never fails the request and never loses the notification."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from notifications import push as live
from notifications import services
from notifications.models import Notification
from notifications.tests.helpers import connect_as, make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

MARK_ALL = "mutation { markNotificationsRead(input: {all: true}) { unreadCount errors { code } } }"

make = database_sync_to_async(make_member)


class BrokenLayer:
    async def group_send(self, group, message):
        raise ConnectionError("redis is down")


class HangingLayer:
    async def group_send(self, group, message):
        await asyncio.sleep(60)


@pytest.mark.parametrize("layer", [BrokenLayer(), HangingLayer()], ids=["raises", "hangs"])
async def test_the_notification_is_stored_and_the_mutation_succeeds_when_the_push_fails(monkeypatch, layer, caplog):
    monkeypatch.setattr(live, "PUSH_TIMEOUT", 0.2)
    ana = await make("ana")
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)

    stored = await make_notification(ana)  # notify + commit: the push is handed to the sender and returns at once
    assert await database_sync_to_async(Notification.objects.filter(pk=stored.pk).exists)()
    assert await asyncio.to_thread(live.flush, 5)  # the sender gave it up (raised, or PUSH_TIMEOUT) and logged it
    assert "live push to user." in caplog.text

    body = await database_sync_to_async(lambda: gql(client_for(ana), MARK_ALL))()
    assert data_of(body)["markNotificationsRead"] == {"unreadCount": 0, "errors": []}

    # The layer is back: a client catches up with resume and misses nothing.
    monkeypatch.undo()
    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": None})
    frame = await socket.receive_json_from(timeout=5)
    assert frame["notification"]["id"] == encode_id("Notification", stored.pk)
    await socket.disconnect()


async def test_a_socket_that_fell_far_behind_its_queue_is_closed_so_it_resumes(monkeypatch):
    ana = await make("ana")
    socket = await connect_as(ana)
    stale = {"type": "notification.push", "notification": {}, "pk": 1, "sentAt": 0.0}
    from channels.layers import get_channel_layer

    await get_channel_layer().group_send(services.group_name(ana.pk), stale)
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4408}
