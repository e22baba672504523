"""GET /healthz: 200 when the database and the channel layer answer and the job queue is served, 503 otherwise.

The `jobs` entry reports the queue (live workers, waiting and running jobs, the oldest waiting job's age). It fails
when workers are gone: every worker that was seen has stopped heart-beating (killed, crashed), or a job has waited
longer than JOBS_MAX_WAIT_SECONDS with no live worker. A web process that has never had a worker and has nothing
waiting is healthy (a development server before `make worker`). With the immediate backend there is no queue.
"""

from __future__ import annotations

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from jobs.worker import queue_status


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
    queue: dict[str, object] | None = None
    if checks["database"] == "ok" and settings.JOBS_BACKEND == "database":
        try:
            queue = queue_status()
            checks["jobs"] = _jobs_verdict(queue)
        except Exception as exc:
            checks["jobs"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if queue is not None:
        body["queue"] = {k: v for k, v in queue.items() if k != "workers_seen"}
    return JsonResponse(body, status=200 if healthy else 503)


def _jobs_verdict(queue: dict[str, object]) -> str:
    if queue["workers"]:
        return "ok"
    if queue["workers_seen"]:
        return "error: no live job worker (every worker stopped heart-beating)"
    if float(queue["oldest_waiting_seconds"]) > settings.JOBS_MAX_WAIT_SECONDS:  # type: ignore[arg-type]
        return f"error: jobs waiting {queue['oldest_waiting_seconds']} s and no job worker"
    return "ok"
