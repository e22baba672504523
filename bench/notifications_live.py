"""Notification benchmarks, callable by `make bench` (bench/) or standalone:

    .venv/bin/python -m bench.notifications_live [--samples 200] [--sockets 1000]

1. Latency, commit → frame: an `endorse` (the real service, in its transaction) commits;
   we time from the commit (an on_commit hook registered before the service's own) to the
   `notification` frame arriving on the endorsed member's socket, through the real ASGI
   application and channel layer, in one event loop. The baseline is a bare Channels echo
   consumer's round trip (client frame → consumer → client) measured in the same run, so
   the ratio is about our code, not the machine.
2. Idle sockets per worker: one Daphne process (tests/live_server.py) holds N authenticated
   idle /ws/notifications/ sockets; we report N and the server's resident memory per socket
   (VmRSS after − before, / N).

`notification_latency()` and `idle_sockets()` need Django set up against a migrated,
disposable database (bench's harness does that; `main()` does it here for standalone use).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "n": len(ordered)}


async def _echo_round_trips(samples: int) -> list[float]:
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.urls import path

    class Echo(AsyncWebsocketConsumer):
        async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
            await self.send(text_data=text_data)

    app = URLRouter([path("echo/", Echo.as_asgi())])
    communicator = WebsocketCommunicator(app, "/echo/")
    await communicator.connect()
    timings = []
    for i in range(samples):
        started = time.perf_counter()
        await communicator.send_to(text_data=json.dumps({"type": "echo", "i": i}))
        await communicator.receive_from(timeout=10)
        timings.append(time.perf_counter() - started)
    await communicator.disconnect()
    return timings


async def _endorse_to_frame(samples: int) -> list[float]:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import transaction
    from django.test import Client

    from endorsements.services import endorse
    from profiles.tests.factories import make_member
    from skills.services import add_skill, get_or_create_skill
    from vouch.asgi import application

    skills_per_endorser = 20
    endorsers_needed = -(-samples // skills_per_endorser)

    @database_sync_to_async
    def setup() -> tuple[Any, list[Any], list[str], str]:
        tag = os.urandom(3).hex()
        member = make_member(f"bench-{tag}")
        names = [f"Bench skill {tag} {i}" for i in range(skills_per_endorser)]
        for name in names:
            get_or_create_skill(name)  # seeded into the taxonomy: a member's daily cap on new names is not the point
            add_skill(member, name=name)
        endorsers = [make_member(f"bench-{tag}-e{i}") for i in range(endorsers_needed)]
        client = Client()
        client.force_login(member)
        return member, endorsers, names, client.cookies["sessionid"].value

    member, endorsers, names, cookie = await setup()
    from django.conf import settings

    # The origin validator checks ALLOWED_HOSTS (bench's harness runs with DEBUG off).
    host = next((h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")), "localhost").encode()
    headers = [(b"origin", b"http://" + host), (b"host", host), (b"cookie", f"sessionid={cookie}".encode())]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    await socket.receive_json_from(timeout=10)  # unread

    committed: list[float] = []

    @database_sync_to_async
    def endorse_once(endorser: Any, skill: str) -> None:
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.perf_counter()))  # runs first after COMMIT
            endorse(endorser, member=member, skill=skill, relationship="PEER")

    timings = []
    for i in range(samples):
        endorser, skill = endorsers[i // skills_per_endorser], names[i % skills_per_endorser]
        await endorse_once(endorser, skill)
        while True:
            frame = await socket.receive_json_from(timeout=10)
            if frame["type"] == "notification":
                timings.append(time.perf_counter() - committed[-1])
                break
    await socket.disconnect()
    return timings


def notification_latency(
    samples: int = 200, redis_url: str | None = None, *, in_memory: bool = False
) -> dict[str, Any]:
    """commit → frame of the endorse mutation vs a bare Channels echo, p50/p95 and their ratio.

    The channel layer: Redis at `redis_url` when given (a prefix of its own), the in-memory
    layer with `in_memory=True`; otherwise REDIS_URL's layer when that is set, else in-memory.
    """
    from channels.layers import channel_layers
    from django.test.utils import override_settings

    layer = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 200, "expiry": 30}}}
    if redis_url:
        layer = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "capacity": 200, "expiry": 30, "prefix": f"vouch-bench-{os.getpid()}"},
            }
        }
    use_env_layer = redis_url is None and not in_memory and bool(os.environ.get("REDIS_URL"))
    with override_settings(
        ENDORSEMENTS_PER_DAY=10**6,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        **({} if use_env_layer else {"CHANNEL_LAYERS": layer}),
    ):
        channel_layers.backends.clear()

        async def both() -> tuple[list[float], list[float]]:
            await _echo_round_trips(20)  # warm up
            echo = await _echo_round_trips(samples)
            notify = await _endorse_to_frame(samples)
            return echo, notify

        echo, notify = asyncio.run(both())
        channel_layers.backends.clear()
    echo_stats, notify_stats = _percentiles(echo), _percentiles(notify)
    return {
        "echo_round_trip": echo_stats,
        "endorse_commit_to_frame": notify_stats,
        "ratio_p50": notify_stats["p50_ms"] / echo_stats["p50_ms"],
        "ratio_p95": notify_stats["p95_ms"] / echo_stats["p95_ms"],
        "channel_layer": "redis" if redis_url or use_env_layer else "in-memory",
    }


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle_sockets(count: int = 1000, database: dict[str, str] | None = None) -> dict[str, Any]:
    """Open `count` authenticated idle sockets on one Daphne worker; memory per socket."""
    sys.path.insert(0, str(ROOT))
    from tests.live_server import LiveServer, WebSocket, migrated_sqlite

    if database is None:
        database = migrated_sqlite(Path(tempfile.mkdtemp(prefix="vouch-bench-")) / "bench.sqlite3")
    with LiveServer(database) as server:
        cookie = (
            server.shell(
                "from django.test import Client\n"
                "from profiles.tests.factories import make_member\n"
                "import os\n"
                "c = Client(); c.force_login(make_member('idle-' + os.urandom(3).hex()))\n"
                "print(c.cookies['sessionid'].value)\n"
            )
            .strip()
            .splitlines()[-1]
        )
        assert server.process is not None
        pid = server.process.pid

        async def hold() -> dict[str, Any]:
            warm = [await WebSocket.connect(server.ws_url(), cookie=cookie) for _ in range(10)]
            for socket in warm:
                await socket.receive_json()
            before = _rss_kib(pid)
            sockets, started = [], time.perf_counter()
            for _ in range(count):
                socket = await WebSocket.connect(server.ws_url(), cookie=cookie)
                await socket.receive_json()  # authenticated, joined, unread sent
                sockets.append(socket)
            opened_in = time.perf_counter() - started
            await asyncio.sleep(1)
            after = _rss_kib(pid)
            for socket in sockets + warm:
                await socket.close()
            per_socket = (after - before) / count
            return {
                "sockets": count,
                "opened_in_s": opened_in,
                "rss_before_mib": before / 1024,
                "rss_after_mib": after / 1024,
                "kib_per_socket": per_socket,
                "sockets_per_gib": int(1024 * 1024 / per_socket) if per_socket > 0 else None,
            }

        return asyncio.run(hold())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=1000)
    args = parser.parse_args(argv)

    # A disposable database: never the development one.
    workdir = Path(tempfile.mkdtemp(prefix="vouch-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    latency = notification_latency(args.samples)
    print(json.dumps({"notification_latency": latency}, indent=2))
    sockets = idle_sockets(args.sockets, {"SQLITE_PATH": str(workdir / "bench.sqlite3")})
    print(json.dumps({"idle_sockets": sockets}, indent=2))


if __name__ == "__main__":
    main()
