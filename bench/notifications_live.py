"""Notification benchmarks, callable by `make bench` (bench/) or standalone:

    .venv/bin/python -m bench.notifications_live [--samples 200] [--sockets 10000] [--members 1000]

1. Latency, commit → frame (one socket): an `endorse` (the real service, in its transaction) commits;
   we time from the commit (an on_commit hook registered before the service's own) to the
   `notification` frame arriving on the endorsed member's socket, through the real ASGI
   application and channel layer, in one event loop. The baseline is a bare Channels echo
   consumer's round trip (client frame → consumer → client) measured in the same run, so
   the ratio is about our code, not the machine.
2. Idle sockets per worker: one Daphne process (tests/live_server.py, DEBUG off, the Redis layer with
   REDIS_URL) holds N (10,000 at BENCH_SCALE=1) authenticated idle /ws/notifications/ sockets, one per
   member, each with its own login session (seeded by bulk insert); we report the server's resident
   memory per socket (VmRSS after − before, / N), the time to open them (50 handshakes in flight) and
   the peak number of PostgreSQL connections the worker held meanwhile (its psycopg pool bounds it: the
   session, user and unread-count reads of every connect share it). Client and server run with the
   open-files soft limit raised to the hard limit; the client is bench/socket_client.py (one
   asyncio.Protocol per socket, which answers Daphne's pings).
3. Fan-out: M (1,000) members connected to a fresh worker, and 2,000 notifications at 200 per second
   (open loop, from 4 producer processes — bench/fanout_producer.py — sharing one schedule, as several
   web workers would) spread over them: each is `notifications.services.notify()` in its transaction,
   timed from its COMMIT (an on_commit hook registered before notify's push) to its `notification` frame
   on the member's socket (`time.monotonic()`, one clock for all processes). The floor, in the same run
   and at the same rate: bare `group_send`s to M bare sockets on the same worker (bench/asgi.py), send →
   frame. Dropped frames (stamped, never received) are reported; they must be 0. Redis only: with the
   in-memory layer no other process can reach the worker.

`notification_latency()`, `idle_sockets()` and `fanout()` need Django set up against a migrated,
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
from collections import Counter
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


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _open_files_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return None


def seed_signed_in_members(count: int) -> list[tuple[int, str]]:
    """`count` members, each signed in once (a database session row, as a login writes it): (user id, session key).

    Bulk inserts (bench/datasets.py), not `force_login` ×N: 10,000 logins would take minutes."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from bench.datasets import _next_id, _reset_sequences, insert_members, insert_rows
    from profiles.models import Profile, User

    tag, first, now = os.urandom(3).hex(), _next_id(User), timezone.now()
    members = [
        {"id": first + i, "username": f"sock{tag}{i}", "email": f"sock{tag}{i}@bench.invalid", "joined": now}
        for i in range(count)
    ]
    insert_members(members)
    _reset_sequences([User, Profile])
    auth_hash = User(password="!").get_session_auth_hash()  # every seeded member has the unusable password "!"
    store = SessionStore()
    keys = [get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789") for _ in members]
    insert_rows(
        Session,
        (
            {
                "session_key": key,
                "session_data": store.encode(
                    {
                        SESSION_KEY: str(m["id"]),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: auth_hash,
                    }
                ),
                "expire_date": now + timedelta(days=14),
            }
            for m, key in zip(members, keys, strict=True)
        ),
    )
    return [(m["id"], key) for m, key in zip(members, keys, strict=True)]


def live_server(database: dict[str, str], redis_url: str | None = None) -> Any:
    """One Daphne worker (bench/asgi.py: Vouch plus the bench's bare socket), DEBUG off, on `database` and, with
    `redis_url`, the Redis channel layer under a prefix of its own. Started with this process's open-files limit
    raised to its hard limit (the server inherits it)."""
    sys.path.insert(0, str(ROOT))
    from bench.socket_client import raise_fd_limit
    from tests.live_server import LiveServer

    raise_fd_limit()
    return LiveServer(
        database,
        redis_url=redis_url,
        channel_prefix=f"vouch-bench-{os.getpid()}-{os.urandom(2).hex()}" if redis_url else None,
        extra_env={"DEBUG": "0"},
        application="bench.asgi:application",
    )


class _ConnectionCounter:
    """The peak number of PostgreSQL connections to the bench database other than this one (the server's),
    sampled every 0.25 s from a thread with a plain psycopg connection of its own."""

    def __init__(self) -> None:
        from django.db import connection

        self.enabled = connection.vendor == "postgresql"
        self.peak = 0
        self.samples = 0
        self._stop = False
        if self.enabled:
            d = connection.settings_dict
            self.conninfo = {
                "dbname": d["NAME"],
                "user": d.get("USER") or "",
                "password": d.get("PASSWORD") or "",
                "host": d.get("HOST") or "127.0.0.1",
                "port": d.get("PORT") or 5432,
            }

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(**self.conninfo, autocommit=True) as conn:
            while not self._stop:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                self.samples += 1
                time.sleep(0.25)

    async def __aenter__(self) -> _ConnectionCounter:
        if self.enabled:
            self._task = asyncio.ensure_future(asyncio.to_thread(self._run))
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._stop = True
        if self.enabled:
            await self._task


def idle_sockets(server: Any, sessions: list[tuple[int, str]], concurrency: int = 50) -> dict[str, Any]:
    """Open one authenticated idle /ws/notifications/ socket per (member, session) on `server` (one Daphne
    process), `concurrency` handshakes in flight; the server's resident memory per socket and the time to open."""
    from bench.socket_client import connect, connect_many, raise_fd_limit

    soft, _hard = raise_fd_limit()
    assert server.process is not None
    pid = server.process.pid
    path = "/ws/notifications/"

    async def hold() -> dict[str, Any]:
        warm = [await connect("127.0.0.1", server.port, path, cookie=key) for _user, key in sessions[:10]]
        before = _rss_kib(pid)
        async with _ConnectionCounter() as counter:
            started = time.perf_counter()
            sockets = await connect_many(
                "127.0.0.1", server.port, [(path, key) for _user, key in sessions], concurrency=concurrency
            )
            opened_in = time.perf_counter() - started
            await asyncio.sleep(1)
        after = _rss_kib(pid)
        alive = sum(1 for s in sockets if s.is_open)
        for socket in sockets + warm:
            socket.close()
        await asyncio.sleep(0.5)
        count = len(sessions)
        per_socket = (after - before) / count
        return {
            "sockets": count,
            "alive": alive,
            "opened_in_s": opened_in,
            "opened_per_s": count / opened_in,
            "rss_before_mib": before / 1024,
            "rss_after_mib": after / 1024,
            "kib_per_socket": per_socket,
            "sockets_per_gib": int(1024 * 1024 / per_socket) if per_socket > 0 else None,
            "server_db_connections_peak": counter.peak if counter.enabled else None,
            "fd_limit_server": _open_files_limit(pid),
            "fd_limit_client": soft,
        }

    return asyncio.run(hold())


async def _run_producers(server: Any, job: dict[str, Any], processes: int) -> dict[str, Any]:
    """`processes` producers (bench/fanout_producer.py) sharing one schedule, which starts once all are set up."""
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.fanout_producer",
            cwd=ROOT,
            env=server.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    for i, proc in enumerate(procs):
        assert proc.stdin is not None
        proc.stdin.write((json.dumps(job | {"shard": i, "shards": processes, "handshake": True}) + "\n").encode())
    for proc in procs:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        if line.strip() != b"ready":
            _out, err = await proc.communicate()
            raise RuntimeError(f"a fan-out producer failed to start:\n{err.decode(errors='replace')[-4000:]}")
    start = time.monotonic() + 0.3
    outputs = await asyncio.gather(*(proc.communicate(f"{start!r}\n".encode()) for proc in procs))
    parts = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise RuntimeError(f"a fan-out producer failed:\n{err.decode(errors='replace')[-4000:]}")
        parts.append(json.loads(out))
    return {
        "stamps": [stamp for part in parts for stamp in part["stamps"]],
        "late": sum(part["late"] for part in parts),
        "max_late_ms": max(part["max_late_ms"] for part in parts),
        "seconds": max(part["seconds"] for part in parts),
    }


def fanout(
    server: Any,
    sessions: list[tuple[int, str]],
    *,
    rate: float = 200,
    total: int = 2000,
    producers: int = 4,
    concurrency: int = 50,
) -> dict[str, Any]:
    """`total` notifications at `rate` per second (open loop, from another process) spread over the members of
    `sessions`, each connected once to `server` (one Daphne worker; Redis channel layer): commit → frame per
    notification, beside the floor — bare group_sends at the same rate to as many bare sockets on the same
    worker (bench/asgi.py), send → frame. Dropped = stamped but never received (must be 0)."""
    from bench.socket_client import connect_many, raise_fd_limit

    raise_fd_limit()
    members = len(sessions)
    notify_arrivals: dict[str, float] = {}
    floor_arrivals: dict[str, float] = {}
    frames = {"notification": 0, "unread": 0, "other": 0}

    def on_notify(_i: int) -> Any:
        def on_text(text: str, at: float) -> None:
            frame = json.loads(text)
            kind = frame.get("type")
            if kind == "notification":
                notify_arrivals.setdefault(frame["notification"]["id"], at)
            frames[kind if kind in frames else "other"] += 1

        return on_text

    def on_floor(_i: int) -> Any:
        def on_text(text: str, at: float) -> None:
            if text != "ready":
                floor_arrivals.setdefault(str(json.loads(text)["k"]), at)

        return on_text

    def measured(stamps: list[list[Any]], arrivals: dict[str, float]) -> tuple[dict[str, float], int]:
        latencies = [arrivals[key] - at for key, at in stamps if key in arrivals]
        return _percentiles(latencies) if latencies else {"p50_ms": 0.0, "p95_ms": 0.0, "n": 0}, len(stamps) - len(
            latencies
        )

    async def wait_for(arrivals: dict[str, float], stamps: list[list[Any]], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(key not in arrivals for key, _ in stamps):
            await asyncio.sleep(0.05)

    async def run() -> dict[str, Any]:
        host, port = "127.0.0.1", server.port
        member_sockets = await connect_many(
            host,
            port,
            [("/ws/notifications/", key) for _user, key in sessions],
            concurrency=concurrency,
            on_text=on_notify,
        )
        floor_sockets = await connect_many(
            host,
            port,
            [(f"/bench/ws/group/f{i}/", None) for i in range(members)],
            concurrency=concurrency,
            on_text=on_floor,
        )
        job = {"rate": rate, "total": total}
        cpu0 = _cpu_seconds(server.process.pid)
        floor = await _run_producers(
            server, job | {"mode": "floor", "targets": [f"f{i}" for i in range(members)]}, producers
        )
        await wait_for(floor_arrivals, floor["stamps"])
        cpu1 = _cpu_seconds(server.process.pid)
        notified = await _run_producers(
            server, job | {"mode": "notify", "targets": [user for user, _key in sessions]}, producers
        )
        await wait_for(notify_arrivals, notified["stamps"])
        cpu2 = _cpu_seconds(server.process.pid)
        closed = Counter(str(s.closed.result()) for s in member_sockets + floor_sockets if s.closed.done())
        for socket in member_sockets + floor_sockets:
            socket.close()
        floor_stats, floor_dropped = measured(floor["stamps"], floor_arrivals)
        notify_stats, notify_dropped = measured(notified["stamps"], notify_arrivals)
        return {
            "members": members,
            "rate": rate,
            "total": total,
            "commit_to_frame": notify_stats,
            "dropped": notify_dropped,
            "producer_seconds": notified["seconds"],
            "producer_late": notified["late"],
            "producer_max_late_ms": notified["max_late_ms"],
            "floor": floor_stats,
            "floor_dropped": floor_dropped,
            "floor_producer_late": floor["late"],
            "sockets_closed_early": dict(closed),
            "server_cpu_ms_per_push": round((cpu2 - cpu1) * 1000 / total, 2),
            "floor_server_cpu_ms_per_push": round((cpu1 - cpu0) * 1000 / total, 2),
            "frames": frames,
        }

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=10000)
    parser.add_argument("--members", type=int, default=1000, help="fan-out members (needs REDIS_URL)")
    parser.add_argument("--notifications", type=int, default=2000, help="fan-out notifications, at 200/s")
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
    database = {"SQLITE_PATH": str(workdir / "bench.sqlite3")}
    redis_url = os.environ.get("REDIS_URL")
    sessions = seed_signed_in_members(max(args.sockets, args.members))
    with live_server(database, redis_url) as server:
        print(json.dumps({"idle_sockets": idle_sockets(server, sessions[: args.sockets])}, indent=2))
    if redis_url:
        with live_server(database, redis_url) as server:
            result = fanout(server, sessions[: args.members], total=args.notifications)
        print(json.dumps({"fanout": result}, indent=2))


if __name__ == "__main__":
    main()
