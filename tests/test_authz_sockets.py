"""Authorization of every websocket route, through the real ASGI application (origin check, session/token auth):
anonymous sockets are refused, the owner gets her own notifications, another member never gets hers.
`test_every_socket_route_has_an_entry` fails when a websocket route is added (or removed) without its entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction

from notifications.models import Notification
from notifications.tests.helpers import session_cookie
from tests.authz_world import World, build_world, changes, snapshot
from vouch.graphql.ids import encode_id
from vouch.routing import websocket_urlpatterns

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { notificationReceived { id kind } }"

world = database_sync_to_async(build_world)
cookie_for = database_sync_to_async(session_cookie)


async def connect(
    path: str,
    user: Any | None,
    *,
    origin: str = "http://localhost",
    token: str | None = None,
    subprotocols: list[str] | None = None,
) -> WebsocketCommunicator:
    from vouch.asgi import application

    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    if user is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={await cookie_for(user)}".encode()))
    if token is not None:
        headers.append((b"x-session-token", token.encode()))
    socket = WebsocketCommunicator(application, path, headers=headers, subprotocols=subprotocols)
    socket.connected, _ = await socket.connect(timeout=5)
    return socket


@database_sync_to_async
def notify(user: Any, kind: str = "endorsement.received") -> Notification:
    from notifications.services import notify as store_and_push

    with transaction.atomic():
        return store_and_push(user, kind, {"n": 1})


async def closed_with(socket: WebsocketCommunicator) -> int | None:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output.get("code")


# --- /ws/notifications/ -----------------------------------------------------------------------------------------------
async def _notifications_socket(user: Any) -> WebsocketCommunicator:
    socket = await connect("/ws/notifications/", user)
    assert socket.connected
    first = await socket.receive_json_from(timeout=5)
    assert first["type"] == "unread", first
    socket.unread = first["count"]
    return socket


async def notifications_anonymous(w: World) -> None:
    socket = await connect("/ws/notifications/", None)
    assert await closed_with(socket) == 4401


async def notifications_owner(w: World) -> None:
    socket = await _notifications_socket(w.olive)
    assert (
        socket.unread
        == await database_sync_to_async(
            lambda: Notification.objects.filter(recipient=w.olive, read_at__isnull=True).count()
        )()
    )
    stored = await notify(w.olive)
    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "notification" and frame["notification"]["id"] == encode_id("Notification", stored.pk)
    # Replaying from the start gives hers, and only hers.
    await socket.receive_json_from(timeout=5)  # the new unread count
    await socket.send_json_to({"type": "resume", "after": None})
    replayed = set()
    while not await socket.receive_nothing(timeout=0.3):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "notification":
            replayed.add(frame["notification"]["id"])
    mine = await database_sync_to_async(
        lambda: {encode_id("Notification", n.pk) for n in Notification.objects.filter(recipient=w.olive)}
    )()
    assert replayed and replayed <= mine
    await socket.disconnect()


async def notifications_other(w: World) -> None:
    socket = await _notifications_socket(w.otto)
    assert socket.unread == 1  # his own, not olive's
    await notify(w.olive)
    assert await socket.receive_nothing(timeout=0.3), "otto received olive's notification"
    # Replaying everything, or from the id of one of olive's notifications (on a fresh socket, which has
    # delivered nothing yet), returns his own only.
    for after in (None, encode_id("Notification", w.n_olive.pk)):
        await socket.send_json_to({"type": "resume", "after": after})
        frames = []
        while not await socket.receive_nothing(timeout=0.3):
            frames.append(await socket.receive_json_from(timeout=5))
        ids = [f["notification"]["id"] for f in frames if f["type"] == "notification"]
        assert ids == [encode_id("Notification", w.n_otto.pk)], frames
        await socket.disconnect()
        socket = await _notifications_socket(w.otto)
    await socket.disconnect()


# --- /graphql/ws/ -----------------------------------------------------------------------------------------------------
async def _graphql_socket(user: Any | None, init: dict[str, Any] | None = None) -> WebsocketCommunicator:
    socket = await connect("/graphql/ws/", user, subprotocols=[PROTOCOL])
    assert socket.connected
    await socket.send_json_to({"type": "connection_init", **({"payload": init} if init is not None else {})})
    return socket


async def _subscribed(user: Any) -> WebsocketCommunicator:
    socket = await _graphql_socket(user)
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}
    await socket.send_json_to({"id": "s", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    return socket


async def graphql_anonymous(w: World) -> None:
    assert await closed_with(await _graphql_socket(None)) == 4403
    # A made-up token in connection_init does not help.
    assert await closed_with(await _graphql_socket(None, {"sessionToken": "not-a-session"})) == 4403


async def graphql_owner(w: World) -> None:
    socket = await _subscribed(w.olive)
    stored = await notify(w.olive)
    message = await socket.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["id"] == encode_id("Notification", stored.pk)
    await socket.disconnect()


async def graphql_other(w: World) -> None:
    socket = await _subscribed(w.otto)
    await notify(w.olive)
    assert await socket.receive_nothing(timeout=0.3), "otto received olive's notification"
    own = await notify(w.otto)
    message = await socket.receive_json_from(timeout=5)
    assert message["payload"]["data"]["notificationReceived"]["id"] == encode_id("Notification", own.pk)
    await socket.disconnect()


SOCKETS: dict[str, dict[str, Callable[[World], Awaitable[None]]]] = {
    "ws/notifications/": {
        "anonymous": notifications_anonymous,
        "owner": notifications_owner,
        "other": notifications_other,
    },
    "graphql/ws/": {"anonymous": graphql_anonymous, "owner": graphql_owner, "other": graphql_other},
}


def test_every_socket_route_has_an_entry():
    routes = {str(pattern.pattern) for pattern in websocket_urlpatterns}
    assert routes == set(SOCKETS), (
        f"without entry: {sorted(routes - set(SOCKETS))}; stale: {sorted(set(SOCKETS) - routes)}"
    )


@pytest.mark.parametrize("role", ["anonymous", "owner", "other"])
@pytest.mark.parametrize("route", sorted(SOCKETS))
async def test_socket(route, role):
    w = await world()
    await SOCKETS[route][role](w)


@pytest.mark.parametrize("route", sorted(SOCKETS))
async def test_a_cross_site_page_cannot_open_a_socket_with_the_members_cookie(route):
    """Cross-site websocket hijacking: the browser would send olive's cookie, but the Origin is not ours."""
    w = await world()
    socket = await connect(f"/{route}", w.olive, origin="https://evil.example", subprotocols=[PROTOCOL])
    # Accepted, but the cookie is ignored: anonymous, closed before any data (tests/test_ws_origin.py has the table).
    assert socket.connected
    if route == "graphql/ws/":
        await socket.send_json_to({"type": "connection_init"})
        assert await closed_with(socket) == 4403
    else:
        assert await closed_with(socket) == 4401


async def test_an_invalid_token_never_falls_back_to_the_cookie():
    w = await world()
    for route in SOCKETS:
        socket = await connect(f"/{route}", w.olive, token="forged", subprotocols=[PROTOCOL])
        assert socket.connected
        if route == "graphql/ws/":
            await socket.send_json_to({"type": "connection_init"})
            assert await closed_with(socket) == 4403
        else:
            assert await closed_with(socket) == 4401


async def test_the_subscription_socket_runs_no_query_or_mutation():
    """Only subscriptions are served on the socket: a mutation sent there (outside CSRF and the HTTP limits) is
    refused and writes nothing; queries too (they go to POST /graphql/)."""
    w = await world()
    socket = await _graphql_socket(w.olive)
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}
    before = await database_sync_to_async(snapshot)()
    for op_id, query in (
        ("m", 'mutation { updateProfile(input: {headline: "Pwned"}) { errors { code } } }'),
        ("q", "{ notifications(first: 5) { edges { node { id } } } }"),
    ):
        await socket.send_json_to({"id": op_id, "type": "subscribe", "payload": {"query": query}})
        message = await socket.receive_json_from(timeout=5)
        assert message["id"] == op_id and message["type"] == "error", message
    assert await database_sync_to_async(lambda: changes(before, snapshot()))() == []
    await socket.disconnect()
