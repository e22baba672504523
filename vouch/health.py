"""GET /healthz: 200 when the database and the channel layer answer, 503 otherwise."""

from __future__ import annotations

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


async def _layer_round_trip() -> None:
    layer = get_channel_layer()
    # The default "specific." prefix: channels_redis receives every process-local channel of one prefix with one
    # blocking pop, under one lock shared by all prefixes. With a prefix of its own the check waited for that lock
    # while a websocket consumer held it (up to 5 s) and timed out: 503 on any worker holding an idle socket.
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        import asyncio

        async def check() -> None:
            await asyncio.wait_for(_layer_round_trip(), timeout=2)

        async_to_sync(check)()
        checks["channel_layer"] = "ok"
    except Exception as exc:
        checks["channel_layer"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
