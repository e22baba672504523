"""The producer of the fan-out benchmark (bench/notifications_live.py `fanout()`), run as its own process:

    python -m bench.fanout_producer < job.json > stamps.json

with the live server's environment (same database, REDIS_URL and CHANNEL_PREFIX), so every push crosses
processes through Redis to the Daphne worker that holds the sockets. The job (JSON on stdin):
`{"mode": "notify" | "floor", "targets": [...], "total": N, "rate": per second}`, and to share the schedule
between several producers (as several web workers would make the notifications), `"start"` (a
`time.monotonic()` time), `"shard"` and `"shards"`: this one makes messages shard, shard + shards, ...
With `"handshake": true` it prints `ready` once set up and reads the start time from its next stdin line.

Open loop: the k-th message is due at start + k / rate whatever happened to the ones before (one that
could not start within 5 ms of its due time is counted in `late`), so a slow push does not slow the rate
down and hide its own queueing. A notification is made as Django makes one in a request under Daphne:
in the process's one thread for sync code (`sync_to_async(thread_sensitive=True)`, what Django's ASGI
handler uses for views), whose on-commit push (`async_to_sync`) runs on this process's event loop and
its Redis connections.

- notify: `targets` are member ids; message k is `notifications.services.notify()` of an
  `endorsement.received` to member targets[k % len], in its own transaction. Its stamp is taken by an
  on_commit hook registered before notify's own (which pushes): the COMMIT time.
- floor: `targets` are bench group names (bench/asgi.py); message k is a bare `group_send` of a
  `bench.push` carrying its key, stamped just before the send: no database, no notification code.

Output (stdout, JSON): `{"stamps": [[key, monotonic seconds], ...], "late": n, "max_late_ms": x,
"seconds": wall}`; the key is the notification's global id (what its frame carries) or the floor's sequence
number. `time.monotonic()` is CLOCK_MONOTONIC, the same clock in the client process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from typing import Any


def _payload(k: int) -> dict[str, Any]:
    """An endorsement.received payload of the usual size (notifications/payloads.py)."""
    return {
        "endorsementId": f"RW5kb3JzZW1lbnQ6{k}",
        "endorser": {
            "username": f"endorser{k % 97}",
            "displayName": f"Endorser {k % 97}",
            "url": f"/m/endorser{k % 97}/",
            "avatarSmallUrl": None,
        },
        "skill": {"name": "Distributed systems", "slug": "distributed-systems"},
        "memberSkillId": f"TWVtYmVyU2tpbGw6{k}",
        "relationship": "PEER",
        "url": "/me/",
    }


async def produce(job: dict[str, Any], recipients: list[Any]) -> dict[str, Any]:
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.db import transaction

    from notifications.payloads import Kind
    from notifications.services import notify, serialize

    mode, targets, total, rate = job["mode"], job["targets"], int(job["total"]), float(job["rate"])
    stamps: list[tuple[str, float]] = []
    layer = get_channel_layer()
    assert layer is not None

    # Several producers share the schedule: producer `shard` of `shards` makes messages shard, shard + shards, ...
    shard, shards = int(job.get("shard", 0)), int(job.get("shards", 1))
    start = float(job["start"]) if "start" in job else time.monotonic() + 0.5
    lateness: list[float] = []  # how long after its due time each message was started

    await layer.group_send("bench.warm", {"type": "bench.push", "text": "warm"})  # this loop's Redis connections
    if mode == "notify":

        def one(k: int) -> None:
            lateness.append(time.monotonic() - (start + k / rate))
            committed: list[float] = []
            with transaction.atomic():
                transaction.on_commit(lambda: committed.append(time.monotonic()))  # runs before notify's push
                notification = notify(recipients[k % len(recipients)], Kind.ENDORSEMENT_RECEIVED, _payload(k))
            stamps.append((serialize(notification)["id"], committed[0]))

        send = sync_to_async(one, thread_sensitive=True)
    else:

        async def floor(k: int) -> None:
            started = time.monotonic()
            lateness.append(started - (start + k / rate))
            stamps.append((str(k), started))  # a send that fails is a dropped frame, as for notify()
            with contextlib.suppress(Exception):
                await layer.group_send(
                    "bench." + targets[k % len(targets)], {"type": "bench.push", "text": json.dumps({"k": k})}
                )

    tasks = []
    for k in range(shard, total, shards):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(send(k) if mode == "notify" else floor(k)))
    await asyncio.gather(*tasks)
    seconds = time.monotonic() - start
    late = [x for x in lateness if x > 0.005]  # started over 5 ms after its due time
    return {
        "stamps": stamps,
        "late": len(late),
        "max_late_ms": round(max(lateness, default=0) * 1000, 2),
        "seconds": round(seconds, 2),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
    import django

    django.setup()
    from profiles.models import User

    job = json.loads(sys.stdin.readline())
    recipients: list[Any] = []
    if job["mode"] == "notify":
        users = User.objects.in_bulk(job["targets"])
        recipients = [users[pk] for pk in job["targets"]]
    if job.get("handshake"):  # set up: say so, and wait for the shared start time
        print("ready", flush=True)
        job["start"] = float(sys.stdin.readline())
    result = asyncio.run(produce(job, recipients))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
