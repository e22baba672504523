"""Real servers on real ports (Daphne subprocesses, tests/live_server.py): one process, and two sharing Redis."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.live_server import WebSocket

pytestmark = [pytest.mark.timeout(120), pytest.mark.django_db(transaction=True)]

SETUP = """
import json
from django.test import Client
from profiles.tests.factories import make_member
from skills.services import add_skill

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value

maria = make_member("maria", display_name="Maria")
ana = make_member("ana")
add_skill(ana, name="Kubernetes")
print(json.dumps({"maria": session(maria), "ana": session(ana), "ana_tab2": session(ana)}))
"""
NOTIFY_ANA = """
from django.db import transaction
from notifications.services import notify
from profiles.models import User
with transaction.atomic():
    notify(User.objects.get(username="ana"), "badge.verified", {"badge": {"id": "b", "name": "CKA", "url": "/b/b/"}})
"""
ENDORSE = """
mutation Endorse($input: EndorseInput!) { endorse(input: $input) { endorsement { id } errors { code } } }
"""
MARK_ALL = "mutation { markNotificationsRead(input: {all: true}) { unreadCount errors { code } } }"


def setup_members(server) -> dict[str, str]:
    return json.loads(server.shell(SETUP).strip().splitlines()[-1])


def endorse_ana(server, token: str) -> None:
    body = server.graphql(
        ENDORSE, {"input": {"member": "ana", "skill": "Kubernetes", "relationship": "PEER"}}, token=token
    )
    assert body["data"]["endorse"]["errors"] == [], body


async def test_one_live_server_serves_graphql_and_both_sockets(live_server_factory):
    server = live_server_factory()
    sessions = setup_members(server)

    anonymous = await WebSocket.connect(server.ws_url())
    assert await anonymous.receive_close() == 4401

    tab = await WebSocket.connect(server.ws_url(), cookie=sessions["ana"])
    assert await tab.receive_json() == {"type": "unread", "count": 0}
    subscription = await WebSocket.connect(server.ws_url("/graphql/ws/"), subprotocols=["graphql-transport-ws"])
    assert subscription.subprotocol == "graphql-transport-ws"
    await subscription.send_json({"type": "connection_init", "payload": {"sessionToken": sessions["ana"]}})
    assert await subscription.receive_json() == {"type": "connection_ack"}
    await subscription.send_json(
        {"id": "1", "type": "subscribe", "payload": {"query": "subscription { notificationReceived { id kind } }"}}
    )
    await subscription.send_json({"type": "ping"})
    assert await subscription.receive_json() == {"type": "pong"}

    endorse_ana(server, sessions["maria"])

    frame = await tab.receive_json()
    assert frame["type"] == "notification" and frame["notification"]["kind"] == "endorsement.received"
    assert frame["notification"]["payload"]["endorser"]["username"] == "maria"
    assert await tab.receive_json() == {"type": "unread", "count": 1}
    message = await subscription.receive_json()
    assert message["type"] == "next"
    assert message["payload"]["data"]["notificationReceived"]["id"] == frame["notification"]["id"]
    for socket in (tab, subscription):
        await socket.close()


@pytest.mark.redis
async def test_two_processes_sharing_redis_deliver_to_each_others_sockets(redis_url, live_server_factory):
    prefix = f"vouch-test-{uuid.uuid4().hex[:8]}"  # this test's own keys in a shared Redis
    server_a = live_server_factory(redis_url=redis_url, channel_prefix=prefix)
    server_b = live_server_factory(redis_url=redis_url, channel_prefix=prefix)
    sessions = setup_members(server_a)

    on_b = await WebSocket.connect(server_b.ws_url(), cookie=sessions["ana"])
    also_on_a = await WebSocket.connect(server_a.ws_url(), cookie=sessions["ana_tab2"])
    for tab in (on_b, also_on_a):
        assert await tab.receive_json() == {"type": "unread", "count": 0}

    # The endorse mutation is served by A; the socket on B hears it through Redis.
    endorse_ana(server_a, sessions["maria"])
    for tab in (on_b, also_on_a):
        frame = await tab.receive_json()
        assert frame["notification"]["kind"] == "endorsement.received"
        assert await tab.receive_json() == {"type": "unread", "count": 1}

    # A third process (a management command) notifies: both servers' sockets receive it.
    server_a.shell(NOTIFY_ANA)
    for tab in (on_b, also_on_a):
        assert (await tab.receive_json())["notification"]["kind"] == "badge.verified"
        assert await tab.receive_json() == {"type": "unread", "count": 2}

    # Marking read through B updates the tab held by A.
    body = server_b.graphql(MARK_ALL, token=sessions["ana"])
    assert body["data"]["markNotificationsRead"] == {"unreadCount": 0, "errors": []}
    for tab in (on_b, also_on_a):
        assert await tab.receive_json() == {"type": "unread", "count": 0}

    # Nothing crossed to Maria's socket on B.
    maria = await WebSocket.connect(server_b.ws_url(), cookie=sessions["maria"])
    assert await maria.receive_json() == {"type": "unread", "count": 0}
    assert await maria.receive_nothing(0.5)
    for socket in (on_b, also_on_a, maria):
        await socket.close()
