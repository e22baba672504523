"""Uploads are bounded at the ASGI layer too, before Django parses anything."""

from __future__ import annotations

import pytest

from vouch.bodylimit import BodySizeLimit


async def _echo_app(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


async def _call(app, headers, chunks):
    sent = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app({"type": "http", "headers": headers}, receive, send)
    return sent


async def test_declared_oversized_body_is_refused_with_413():
    app = BodySizeLimit(_echo_app, max_bytes=1000)
    sent = await _call(app, [(b"content-length", b"5000")], [b"x" * 10])
    assert sent[0]["status"] == 413
    assert b"REQUEST_TOO_LARGE" in sent[1]["body"]


async def test_streamed_oversized_body_is_refused_with_413():
    app = BodySizeLimit(_echo_app, max_bytes=1000)
    sent = await _call(app, [], [b"x" * 600, b"x" * 600, b"x" * 600])
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]


async def test_body_within_the_limit_reaches_the_app():
    app = BodySizeLimit(_echo_app, max_bytes=1000)
    sent = await _call(app, [(b"content-length", b"900")], [b"x" * 450, b"x" * 450])
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"900"


@pytest.mark.django_db
def test_asgi_application_is_wrapped_by_the_limit():
    from vouch import asgi

    assert isinstance(asgi.django_asgi_app, BodySizeLimit)
