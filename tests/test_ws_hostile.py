"""Hostile frames on /graphql/ws/ (issue 12, item 11): the same limits and cache as HTTP, off the event loop,
a subscribe rate limit, and a socket closed after repeated refusals. The timing proof against a real server is
test_healthz_answers_while_hostile_frames_arrive (tests/live_server.py)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from notifications import graphql_ws
from notifications.tests.helpers import open_socket, session_cookie
from profiles.tests.factories import make_member
from vouch.graphql import documents

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = "subscription { notificationReceived { id kind } }"


def _big_document(n: int) -> str:
    """A subscription with `n` distinct aliases: near the token limit it is the costliest valid-looking text."""
    return "subscription { notificationReceived { " + " ".join(f"a{i}: kind" for i in range(n)) + " } }"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    documents.clear()
    yield
    documents.clear()


async def _acked() -> WebsocketCommunicator:
    user = await database_sync_to_async(make_member)("olive")
    cookie = await database_sync_to_async(session_cookie)(user)
    socket, connected = await open_socket("/graphql/ws/", cookie=cookie, subprotocols=[PROTOCOL])
    assert connected
    await socket.send_json_to({"type": "connection_init"})
    assert await socket.receive_json_from(timeout=5) == {"type": "connection_ack"}
    return socket


async def _subscribe(socket: WebsocketCommunicator, op_id: str, query: str) -> dict[str, Any]:
    await socket.send_json_to({"id": op_id, "type": "subscribe", "payload": {"query": query}})
    await socket.send_json_to({"type": "ping"})
    first = await socket.receive_json_from(timeout=10)
    if first == {"type": "pong"}:
        return {"type": "started"}
    assert await socket.receive_json_from(timeout=10) == {"type": "pong"}
    return first


pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
@pytest.mark.usefixtures("in_memory_layer")
@pytest.mark.parametrize(
    ("query", "code"),
    [
        (_big_document(3000), "QUERY_TOO_LARGE"),  # over GRAPHQL_MAX_TOKENS
        ("subscription { notificationReceived { " + "kind " * 8000 + "} }", "QUERY_TOO_LARGE"),  # over the length
        ("subscription { notificationReceived { kind ", "GRAPHQL_PARSE_FAILED"),
        ("subscription { notificationReceived { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ " + " ".join(f"a{n}: __schema {{ types {{ fields {{ name }} }} }}" for n in range(150)) + " }",
            "QUERY_TOO_COSTLY",
        ),
    ],
)
async def test_the_socket_applies_the_http_limits(query: str, code: str) -> None:
    socket = await _acked()
    message = await _subscribe(socket, "x", query)
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == code
    await socket.disconnect()


@pytestmark_db
@pytest.mark.usefixtures("in_memory_layer")
async def test_parse_and_validate_run_off_the_event_loop_with_the_http_cache(monkeypatch: Any) -> None:
    threads: list[int] = []
    real = documents.parse_document

    def spy(query: str) -> Any:
        threads.append(threading.get_ident())
        return real(query)

    monkeypatch.setattr(documents, "parse_document", spy)
    socket = await _acked()
    assert (await _subscribe(socket, "a", SUBSCRIBE))["type"] == "started"
    assert threads and threads[0] != threading.get_ident(), "parsed on the event loop's thread"
    # The HTTP view's cache holds it now: the same text over POST /graphql/ is not parsed again.
    assert documents._parsed.get(SUBSCRIBE) is not None
    await socket.disconnect()


@pytestmark_db
@pytest.mark.usefixtures("in_memory_layer")
async def test_subscribe_is_rate_limited(monkeypatch: Any) -> None:
    monkeypatch.setattr(graphql_ws, "SUBSCRIBES_PER_MINUTE", 3)
    socket = await _acked()
    for n in range(3):
        assert (await _subscribe(socket, f"s{n}", SUBSCRIBE))["type"] == "started"
        await socket.send_json_to({"id": f"s{n}", "type": "complete"})
    refused = await _subscribe(socket, "s3", SUBSCRIBE)
    assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
    await socket.disconnect()


@pytestmark_db
@pytest.mark.usefixtures("in_memory_layer")
async def test_a_socket_is_closed_after_repeated_refusals() -> None:
    socket = await _acked()
    for n in range(graphql_ws.MAX_ERRORS - 1):
        assert (await _subscribe(socket, f"e{n}", "subscription { nope }"))["type"] == "error"
    await socket.send_json_to({"id": "last", "type": "subscribe", "payload": {"query": "subscription { nope }"}})
    assert (await socket.receive_json_from(timeout=5))["type"] == "error"
    closed = await socket.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == graphql_ws.CLOSE_TOO_MANY_ERRORS


# --- the proof on a real server ---------------------------------------------------------------------------------------
SETUP = """
import json
from django.test import Client
from profiles.tests.factories import make_member
client = Client()
client.force_login(make_member("mallory"))
print(json.dumps(client.cookies["sessionid"].value))
"""


def _healthz_latencies(url: str, stop: threading.Event, out: list[float]) -> None:
    """Probe /healthz from a thread of its own (with its own client), so the test's event loop, busy sending the
    hostile frames, does not delay the measurement."""
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            start = time.monotonic()
            response = client.get(f"{url}/healthz")
            out.append(time.monotonic() - start)
            assert response.status_code == 200
            time.sleep(0.05)


async def _hostile(server: Any, session: str, frames: int, query: str) -> int:
    import websockets

    answered = 0
    async with websockets.connect(
        server.ws_url("/graphql/ws/"), subprotocols=[PROTOCOL], max_size=2**20, open_timeout=30
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"sessionToken": session}}))
        assert json.loads(await socket.recv()) == {"type": "connection_ack"}
        for n in range(frames):
            frame = {"id": str(n), "type": "subscribe", "payload": {"query": query + " " * n}}
            await socket.send(json.dumps(frame))
        try:
            while answered < frames:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
                if message.get("type") == "error":
                    answered += 1
        except (websockets.ConnectionClosed, TimeoutError):  # closed after too many refusals: an answer too
            pass
    return answered


@pytest.mark.timeout(240)
@pytest.mark.django_db(transaction=True)
async def test_healthz_answers_while_hostile_frames_arrive(live_server_factory: Any) -> None:
    """20 sockets each send 20 subscribe frames of up to 60 KB / thousands of tokens (the issue's reproduction):
    /healthz on the same worker keeps answering. Before the fix every frame was parsed and validated on the event
    loop (the standard rules twice) and /healthz waited seconds."""
    server = live_server_factory()
    session = json.loads(server.shell(SETUP).strip().splitlines()[-1])
    queries = [_big_document(3000)[:60_000], _big_document(1300)]  # over the token limit; within it (parsed)
    baseline: list[float] = []
    during: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_healthz_latencies, args=(server.url, stop, baseline))
    probe.start()
    await asyncio.sleep(1.0)
    stop.set()
    probe.join()
    stop = threading.Event()
    probe = threading.Thread(target=_healthz_latencies, args=(server.url, stop, during))
    probe.start()
    try:
        answered = await asyncio.gather(*(_hostile(server, session, 20, queries[n % 2]) for n in range(20)))
    finally:
        stop.set()
        probe.join()
    assert sum(answered) >= 20
    ordered = sorted(during)
    median, p95, worst = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)], ordered[-1]
    print(
        f"healthz: baseline max {max(baseline) * 1000:.0f} ms; while {sum(answered)} hostile frames were refused: "
        f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms over {len(during)} requests"
    )
    # Generous for a loaded 2-core machine; on the event loop the median alone was seconds.
    assert len(during) >= 10 and median < 0.25 and p95 < 1.0 and worst < 5.0, ordered[-10:]
