"""markNotificationsRead (GraphQL over HTTP) updates the unread count on every open socket of the member."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from notifications.tests.helpers import assert_silent, connect_as, make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id
from vouch.testing import client_for, data_of, gql

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

MARK = """
mutation Mark($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { unreadCount errors { field code } }
}
"""

make = database_sync_to_async(make_member)


@database_sync_to_async
def mark(user, **input):
    return data_of(gql(client_for(user), MARK, {"input": input}))["markNotificationsRead"]


async def test_marking_read_pushes_the_new_count_to_every_tab():
    ana = await make("ana")
    first = await make_notification(ana)
    await make_notification(ana)
    tab1, tab2 = await connect_as(ana), await connect_as(ana)

    assert await mark(ana, ids=[encode_id("Notification", first.pk)]) == {"unreadCount": 1, "errors": []}
    for tab in (tab1, tab2):
        assert await tab.receive_json_from(timeout=5) == {"type": "unread", "count": 1}

    assert await mark(ana, all=True) == {"unreadCount": 0, "errors": []}
    for tab in (tab1, tab2):
        assert await tab.receive_json_from(timeout=5) == {"type": "unread", "count": 0}
    await tab1.disconnect()
    await tab2.disconnect()


async def test_marking_nothing_new_pushes_nothing():
    ana = await make("ana")
    await make_notification(ana)
    await mark(ana, all=True)
    socket = await connect_as(ana)
    assert await mark(ana, all=True) == {"unreadCount": 0, "errors": []}
    await assert_silent(socket, 0.3)
    await socket.disconnect()


async def test_marking_another_members_notification_is_not_found_and_pushes_nothing_to_anyone():
    ana, bob = await make("ana"), await make("bob")
    bobs = await make_notification(bob)
    ana_socket, bob_socket = await connect_as(ana), await connect_as(bob)
    result = await mark(ana, ids=[encode_id("Notification", bobs.pk)])
    assert result == {"unreadCount": None, "errors": [{"field": "ids", "code": "NOT_FOUND"}]}
    await assert_silent(ana_socket, 0.2)
    await assert_silent(bob_socket, 0.2)
    await ana_socket.disconnect()
    await bob_socket.disconnect()
