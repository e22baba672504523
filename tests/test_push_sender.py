"""The process's push sender (notifications/push.py): with a layer other than the in-memory one, a push leaves the
committing thread at once and is sent by one sender thread, in the order the commits handed pushes over."""

from __future__ import annotations

import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from notifications import push as live
from notifications.tests.helpers import connect_as, make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id


@pytest.fixture(autouse=True)
def _sender_idle():
    """Pushes an earlier test handed over (its commits) are sent before this test swaps the layer."""
    assert live.flush(5)
    yield


class RecordingLayer:
    """A channel layer that is not the in-memory one: records (thread, group, message) and can be held shut."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict]] = []
        self.gate = threading.Event()

    async def group_send(self, group: str, message: dict) -> None:
        import asyncio

        while not self.gate.is_set():
            await asyncio.sleep(0.005)
        self.sent.append((threading.current_thread().name, group, message))


def test_pushes_are_handed_over_at_once_and_sent_in_order_by_the_sender_thread(monkeypatch):
    layer = RecordingLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    for i in range(50):
        live.push(f"user.{i % 3}", {"type": "unread.push", "count": i})
    # The layer is held shut: nothing is sent yet, and yet every push call has returned.
    assert layer.sent == []
    assert not live.flush(0.05)
    layer.gate.set()
    assert live.flush(5)
    assert [m["count"] for _, _, m in layer.sent] == list(range(50))
    assert {thread for thread, _, _ in layer.sent} == {"vouch-push-sender"}
    assert [g for _, g, _ in layer.sent][:4] == ["user.0", "user.1", "user.2", "user.0"]


def test_a_failing_layer_loses_only_its_frame_and_the_sender_keeps_going(monkeypatch, caplog):
    calls: list[int] = []

    class Flaky:
        async def group_send(self, group: str, message: dict) -> None:
            calls.append(message["count"])
            if message["count"] == 1:
                raise ConnectionError("redis is down")

    monkeypatch.setattr(live, "get_channel_layer", lambda: Flaky())
    for i in range(3):
        live.push("user.9", {"type": "unread.push", "count": i})
    assert live.flush(5)
    assert calls == [0, 1, 2]
    assert "live push to user.9 failed" in caplog.text


@pytest.fixture
def redis_layer(settings, redis_url):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": f"test-push-{uuid.uuid4().hex[:8]}"},
        }
    }
    channel_layers.backends.clear()
    yield
    live.flush(5)
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
async def test_on_redis_a_notification_reaches_the_members_socket_through_the_sender(redis_layer):
    ana = await database_sync_to_async(make_member)("ana")
    socket = await connect_as(ana)
    stored = [await make_notification(ana) for _ in range(5)]  # each commits, then its push is handed over
    frames = [await socket.receive_json_from(timeout=5) for _ in range(2 * len(stored))]  # each: notification, unread
    assert [f["notification"]["id"] for f in frames if f["type"] == "notification"] == [
        encode_id("Notification", n.pk) for n in stored
    ]
    assert [f["count"] for f in frames if f["type"] == "unread"] == [1, 2, 3, 4, 5]
    assert [f["type"] for f in frames[:2]] == ["notification", "unread"]
    await socket.disconnect()
