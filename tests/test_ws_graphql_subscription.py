"""`notificationReceived` over the graphql-transport-ws protocol at /graphql/ws/ (what Apollo, urql and gql speak)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from notifications.services import update_preferences
from notifications.tests.helpers import assert_silent, make_notification, open_socket, session_cookie
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

PROTOCOL = ["graphql-transport-ws"]
SUBSCRIBE = "subscription OnNotification { notificationReceived { id kind payload createdAt readAt } }"

make = database_sync_to_async(make_member)
cookie_for = database_sync_to_async(session_cookie)


async def closed_with(socket) -> int:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def acked_socket(*, cookie=None, init_payload=None):
    socket, connected = await open_socket("/graphql/ws/", cookie=cookie, subprotocols=PROTOCOL)
    assert connected
    message = {"type": "connection_init"}
    if init_payload is not None:
        message["payload"] = init_payload
    await socket.send_json_to(message)
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}
    return socket


async def subscribe(socket, op_id: str, query: str = SUBSCRIBE) -> None:
    """Subscribe, then ping: the pong proves the server handled the subscribe before we go on."""
    await socket.send_json_to({"id": op_id, "type": "subscribe", "payload": {"query": query}})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}


async def test_subscription_happy_path_with_the_session_cookie():
    ana = await make("ana")
    socket = await acked_socket(cookie=await cookie_for(ana))
    await subscribe(socket, "1")

    stored = await make_notification(ana, "endorsement.received", endorser="bob")
    message = await socket.receive_json_from(timeout=5)
    assert message["id"] == "1" and message["type"] == "next"
    data = message["payload"]["data"]["notificationReceived"]
    assert data["id"] == encode_id("Notification", stored.pk)
    assert data["kind"] == "endorsement.received"
    assert data["payload"] == {"endorser": "bob"}  # the JSON scalar: an object, as on the notification socket
    assert data["readAt"] is None and data["createdAt"]
    assert "errors" not in message["payload"]

    # The client completes; nothing more arrives for that id.
    await socket.send_json_to({"id": "1", "type": "complete"})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await make_notification(ana)
    await assert_silent(socket, 0.3)
    await socket.disconnect()


async def test_session_token_in_connection_init_payload_authenticates():
    ana = await make("ana")
    token = await cookie_for(ana)  # allauth's app session token is the session key
    socket = await acked_socket(init_payload={"sessionToken": token})
    await subscribe(socket, "a")
    await make_notification(ana)
    assert (await socket.receive_json_from(timeout=5))["type"] == "next"
    await socket.disconnect()


async def test_anonymous_connection_init_is_closed_forbidden():
    socket, connected = await open_socket("/graphql/ws/", subprotocols=PROTOCOL)
    assert connected
    await socket.send_json_to({"type": "connection_init", "payload": {}})
    assert await closed_with(socket) == 4403


async def test_a_bad_session_token_in_connection_init_is_closed_forbidden():
    socket, _ = await open_socket("/graphql/ws/", subprotocols=PROTOCOL)
    await socket.send_json_to({"type": "connection_init", "payload": {"sessionToken": "nope"}})
    assert await closed_with(socket) == 4403


async def test_subscribe_before_connection_ack_is_closed_unauthorized():
    ana = await make("ana")
    socket, _ = await open_socket("/graphql/ws/", cookie=await cookie_for(ana), subprotocols=PROTOCOL)
    await socket.send_json_to({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    assert await closed_with(socket) == 4401


async def test_a_client_without_the_subprotocol_is_closed_4406():
    socket, connected = await open_socket("/graphql/ws/")
    assert connected
    assert await closed_with(socket) == 4406


async def test_protocol_rules_ping_duplicate_ids_second_init_and_garbage():
    ana = await make("ana")
    socket = await acked_socket(cookie=await cookie_for(ana))
    await socket.send_json_to({"type": "ping", "payload": {"x": 1}})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.send_json_to({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    await socket.send_json_to({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    assert await closed_with(socket) == 4409

    socket = await acked_socket(cookie=await cookie_for(ana))
    await socket.send_json_to({"type": "connection_init"})
    assert await closed_with(socket) == 4429

    socket = await acked_socket(cookie=await cookie_for(ana))
    await socket.send_to(text_data="nonsense")
    assert await closed_with(socket) == 4400


async def test_invalid_documents_and_non_subscriptions_get_an_error_message():
    ana = await make("ana")
    socket = await acked_socket(cookie=await cookie_for(ana))
    for op_id, query in [
        ("syntax", "subscription {"),
        ("unknown-field", "subscription { nope }"),
        ("query", "query { unreadNotificationCount }"),
    ]:
        await socket.send_json_to({"id": op_id, "type": "subscribe", "payload": {"query": query}})
        message = await socket.receive_json_from(timeout=5)
        assert message["id"] == op_id and message["type"] == "error", message
        assert message["payload"] and message["payload"][0]["message"]
    await socket.disconnect()


async def test_subscriptions_never_see_another_members_notifications_nor_muted_kinds():
    ana, bob = await make("ana"), await make("bob")
    await database_sync_to_async(update_preferences)(ana, muted_kinds=["badge.failed"])
    socket = await acked_socket(cookie=await cookie_for(ana))
    await subscribe(socket, "1")
    await make_notification(bob)
    await make_notification(ana, "badge.failed")
    await assert_silent(socket, 0.3)
    mine = await make_notification(ana)
    message = await socket.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["id"] == encode_id("Notification", mine.pk)
    await socket.disconnect()


async def test_two_subscriptions_on_one_socket_each_receive_the_push():
    ana = await make("ana")
    socket = await acked_socket(cookie=await cookie_for(ana))
    for op_id in ("a", "b"):
        await subscribe(socket, op_id)
    await make_notification(ana)
    ids = {(await socket.receive_json_from(timeout=5))["id"] for _ in range(2)}
    assert ids == {"a", "b"}
    await socket.disconnect()


async def test_no_connection_init_in_time_is_closed_4408(monkeypatch):
    from notifications import graphql_ws

    monkeypatch.setattr(graphql_ws, "INIT_TIMEOUT", 0.1)
    socket, connected = await open_socket("/graphql/ws/", subprotocols=PROTOCOL)
    assert connected
    assert await closed_with(socket) == 4408


async def test_a_subscriber_that_falls_behind_is_closed_so_memory_stays_bounded(monkeypatch):
    from notifications import graphql_ws

    monkeypatch.setattr(graphql_ws, "QUEUE_SIZE", 1)
    ana = await make("ana")
    socket = await acked_socket(cookie=await cookie_for(ana))
    await subscribe(socket, "1")

    async def stuck(self, op_id, stream):  # a consumer that never drains its queue
        import asyncio

        await asyncio.sleep(60)

    monkeypatch.setattr(graphql_ws.GraphQLWSConsumer, "_forward", stuck)
    await subscribe(socket, "2")
    for _ in range(3):
        await make_notification(ana)
    outputs = []
    while True:
        output = await socket.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1]["code"] == 1013
