"""Muted kinds are stored, listed and counted, but not pushed live; `resume` still replays them."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from notifications.models import Notification
from notifications.services import update_preferences
from notifications.tests.helpers import assert_silent, connect_as, make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

make = database_sync_to_async(make_member)


async def test_a_muted_kind_is_stored_and_counted_but_only_the_unread_count_is_pushed():
    ana = await make("ana")
    await database_sync_to_async(update_preferences)(ana, muted_kinds=["badge.verified"])
    socket = await connect_as(ana)

    muted = await make_notification(ana, "badge.verified", badge="x")
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await assert_silent(socket, 0.2)
    assert await database_sync_to_async(Notification.objects.filter(pk=muted.pk).exists)()

    # Other kinds still arrive.
    await make_notification(ana, "endorsement.received")
    assert (await socket.receive_json_from(timeout=5))["type"] == "notification"
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 2}

    # Stored, so a catch-up includes it.
    await socket.send_json_to({"type": "resume", "after": None})
    first = await socket.receive_json_from(timeout=5)
    assert first["notification"]["id"] == encode_id("Notification", muted.pk)
    await socket.disconnect()
