"""`resume` on /ws/notifications/: a client that was offline catches up, in order, with its own notifications only."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from notifications import services
from notifications.tests.helpers import assert_silent, connect_as, make_notification
from profiles.tests.factories import make_member
from vouch.graphql.ids import encode_id

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("in_memory_layer")]

make = database_sync_to_async(make_member)


async def receive_replay(socket) -> tuple[list[dict], dict]:
    frames = []
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "resumed":
            return frames, frame
        assert frame["type"] == "notification", frame
        frames.append(frame["notification"])


async def test_reconnecting_with_resume_replays_exactly_what_was_missed_in_order():
    ana = await make("ana")
    socket = await connect_as(ana)
    seen = await make_notification(ana, n=0)
    assert (await socket.receive_json_from(timeout=5))["notification"]["id"] == encode_id("Notification", seen.pk)
    await socket.receive_json_from(timeout=5)  # unread 1
    await socket.disconnect()

    missed = [await make_notification(ana, n=i) for i in (1, 2, 3)]

    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": encode_id("Notification", seen.pk)})
    frames, end = await receive_replay(socket)
    assert [f["id"] for f in frames] == [encode_id("Notification", n.pk) for n in missed]
    assert [f["payload"] for f in frames] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert end == {"type": "resumed", "count": 3, "hasMore": False}
    await assert_silent(socket)
    await socket.disconnect()


async def test_resume_with_null_replays_everything_stored():
    ana = await make("ana")
    stored = [await make_notification(ana, n=i) for i in range(2)]
    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": None})
    frames, end = await receive_replay(socket)
    assert [f["id"] for f in frames] == [encode_id("Notification", n.pk) for n in stored]
    assert end["count"] == 2
    await socket.disconnect()


async def test_a_forged_resume_with_another_members_id_replays_only_the_callers_own_newer_notifications():
    ana, bob = await make("ana"), await make("bob")
    ana_old = await make_notification(ana, n="ana-old")
    bob_first = await make_notification(bob, n="bob-1")
    await make_notification(bob, n="bob-2")
    ana_new = await make_notification(ana, n="ana-new")
    await make_notification(bob, n="bob-3")

    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": encode_id("Notification", bob_first.pk)})
    frames, end = await receive_replay(socket)
    assert [f["payload"] for f in frames] == [{"n": "ana-new"}]
    assert frames[0]["id"] == encode_id("Notification", ana_new.pk)
    assert end["count"] == 1
    assert ana_old.pk < bob_first.pk
    await socket.disconnect()


async def test_replay_is_bounded_and_says_when_there_is_more(monkeypatch):
    monkeypatch.setattr(services, "REPLAY_LIMIT", 2)
    ana = await make("ana")
    stored = [await make_notification(ana, n=i) for i in range(3)]
    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": None})
    frames, end = await receive_replay(socket)
    assert [f["payload"]["n"] for f in frames] == [0, 1]
    assert end == {"type": "resumed", "count": 2, "hasMore": True}
    await socket.send_json_to({"type": "resume", "after": frames[-1]["id"]})
    frames, end = await receive_replay(socket)
    assert [f["id"] for f in frames] == [encode_id("Notification", stored[2].pk)]
    assert end == {"type": "resumed", "count": 1, "hasMore": False}
    await socket.disconnect()


async def test_resume_does_not_repeat_what_this_socket_already_received_live():
    ana = await make("ana")
    before = await make_notification(ana)
    socket = await connect_as(ana)
    live = await make_notification(ana)
    assert (await socket.receive_json_from(timeout=5))["notification"]["id"] == encode_id("Notification", live.pk)
    await socket.receive_json_from(timeout=5)  # unread
    await socket.send_json_to({"type": "resume", "after": encode_id("Notification", before.pk)})
    frames, end = await receive_replay(socket)
    assert frames == [] and end["count"] == 0
    await socket.disconnect()


@pytest.mark.parametrize("after", ["garbage", 12, encode_id("Member", 1), "x" * 500])
async def test_resume_with_a_bad_id_is_an_error_frame(after):
    ana = await make("ana")
    socket = await connect_as(ana)
    await socket.send_json_to({"type": "resume", "after": after})
    frame = await socket.receive_json_from(timeout=5)
    assert frame["type"] == "error" and frame["code"] == "BAD_RESUME"
    await socket.disconnect()


async def test_resume_is_rate_limited_per_socket(monkeypatch):
    from notifications import consumers

    monkeypatch.setattr(consumers, "RESUMES_PER_MINUTE", 2)
    ana = await make("ana")
    socket = await connect_as(ana)
    for _ in range(2):
        await socket.send_json_to({"type": "resume", "after": None})
        assert (await socket.receive_json_from(timeout=5))["type"] == "resumed"
    await socket.send_json_to({"type": "resume", "after": None})
    assert (await socket.receive_json_from(timeout=5))["code"] == "RATE_LIMITED"
    await socket.disconnect()
