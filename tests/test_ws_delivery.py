"""The notification socket /ws/notifications/ through the real ASGI application: who may connect, what arrives."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from notifications.tests.helpers import (
    KIND,
    app_session_token,
    assert_silent,
    connect_as,
    make_notification,
    open_socket,
    session_cookie,
)
from profiles.tests.factories import PASSWORD, make_member
from vouch.graphql.ids import encode_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

make = database_sync_to_async(make_member)


async def test_anonymous_socket_is_closed_with_4401():
    communicator, connected = await open_socket()
    assert connected  # accepted first, so the close code reaches the client
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_bad_session_token_is_closed_with_4401_even_with_a_valid_cookie():
    ana = await make("ana")
    cookie = await database_sync_to_async(session_cookie)(ana)
    communicator, _ = await open_socket(cookie=cookie, token="not-a-token")
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_unknown_session_cookie_is_closed_with_4401():
    communicator, _ = await open_socket(cookie="no-such-session")
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}


async def test_session_cookie_connects_and_gets_the_unread_count():
    ana = await make("ana")
    await make_notification(ana)
    await make_notification(ana)
    cookie = await database_sync_to_async(session_cookie)(ana)
    communicator, connected = await open_socket(cookie=cookie)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "unread", "count": 2}
    await communicator.disconnect()


async def test_x_session_token_from_allauth_app_login_connects():
    await make("ana", email="ana@example.com")
    token = await database_sync_to_async(app_session_token)("ana@example.com", PASSWORD)
    communicator, connected = await open_socket(token=token)
    assert connected
    assert await communicator.receive_json_from(timeout=5) == {"type": "unread", "count": 0}
    await communicator.disconnect()


async def test_a_notification_is_delivered_after_commit_with_the_new_unread_count():
    ana = await make("ana")
    socket = await connect_as(ana)
    stored = await make_notification(ana, KIND, endorser="bo")
    frame = await socket.receive_json_from(timeout=5)
    assert frame == {
        "type": "notification",
        "notification": {
            "id": encode_id("Notification", stored.pk),
            "kind": KIND,
            "payload": {"endorser": "bo"},
            "createdAt": stored.created_at.isoformat(),
        },
    }
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await socket.disconnect()


async def test_nothing_is_pushed_for_a_rolled_back_event():
    from django.db import transaction

    from notifications.services import notify

    ana = await make("ana")
    socket = await connect_as(ana)

    @database_sync_to_async
    def fail_after_notify() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(ana, KIND, {})
            raise RuntimeError("the event failed")

    await fail_after_notify()
    await assert_silent(socket, 0.3)
    await socket.disconnect()


async def test_every_open_tab_of_the_member_receives_each_push():
    ana = await make("ana")
    tab1, tab2 = await connect_as(ana), await connect_as(ana)
    stored = await make_notification(ana)
    for tab in (tab1, tab2):
        frame = await tab.receive_json_from(timeout=5)
        assert frame["type"] == "notification"
        assert frame["notification"]["id"] == encode_id("Notification", stored.pk)
        assert await tab.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await tab1.disconnect()
    # The closed tab left the group; the other still receives.
    await make_notification(ana)
    assert (await tab2.receive_json_from(timeout=5))["type"] == "notification"
    await tab2.disconnect()


async def test_a_members_sockets_never_receive_another_members_notifications():
    ana, bo = await make("ana"), await make("bob")
    ana_socket, bo_socket = await connect_as(ana), await connect_as(bo)
    await make_notification(bo)
    assert (await bo_socket.receive_json_from(timeout=5))["type"] == "notification"
    await assert_silent(ana_socket, 0.3)
    await ana_socket.disconnect()
    await bo_socket.disconnect()


async def test_unknown_and_malformed_client_messages_get_an_error_frame_and_the_socket_stays_open():
    ana = await make("ana")
    socket = await connect_as(ana)
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from(timeout=5))["code"] == "BAD_JSON"
    await socket.send_json_to(["resume"])
    assert (await socket.receive_json_from(timeout=5))["code"] == "BAD_MESSAGE"
    await socket.send_json_to({"type": "subscribe"})
    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "error" and frame["code"] == "UNKNOWN_TYPE"
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from(timeout=5))["code"] == "BAD_MESSAGE"
    await socket.send_to(text_data='{"type": "ping", "pad": "' + "x" * 5000 + '"}')
    assert (await socket.receive_json_from(timeout=5))["code"] == "TOO_LARGE"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


async def test_a_push_reaches_the_socket_without_a_hop_to_the_sync_thread(monkeypatch):
    """Channels' dispatch runs close_old_connections in the worker's one sync thread before every handler; the
    notification consumer skips it (its database calls close stale connections themselves), so a push never
    queues behind other sockets' queries (bench/notifications_live.py, fan-out)."""
    import channels.consumer

    hops = []

    async def counted() -> None:
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    ana = await make("ana")
    socket = await connect_as(ana)
    await make_notification(ana, KIND, endorser="bo")
    assert (await socket.receive_json_from(timeout=5))["type"] == "notification"
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "count": 1}
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    assert hops == []
    await socket.disconnect()
