"""The process's push sender: notification pushes leave the request (or job) thread at once.

`notify()` schedules the push of a stored notification for after the commit; what is left then is one channel-layer
`group_send`. Done in the committing thread (async_to_sync) it costs that thread a hop to an event loop and the
channel layer's round trips to Redis (and, outside an ASGI server, a new event loop and new Redis connections each
time). Instead each process has one sender thread running its own event loop, which takes pushes from a queue and
sends them one after another, in the order the commits handed them over (a member's frames keep their order), each
bounded by PUSH_TIMEOUT. The committing thread only enqueues.

A push is best effort, as before: the notification is stored, and a socket that misses a frame catches up with
`resume` (docs/notifications.md). On interpreter exit the sender is given a moment to drain (atexit), so a
management command or job worker that notifies and then exits does not drop its last pushes.

The in-memory channel layer (the single-process newcomer default) keeps its queues in the event loop its consumers
run in, and is not thread-safe: with it the push is sent in the committing thread as before (`send_now`).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

PUSH_TIMEOUT = 2.0  # seconds one group_send may take before it is given up (the layer is down or hung)
EXIT_DRAIN_SECONDS = 2.0


def send_now(group: str, message: dict[str, Any]) -> None:
    """One group_send from this thread, bounded by PUSH_TIMEOUT. Raises what the layer raises."""
    from asgiref.sync import async_to_sync

    layer = get_channel_layer()
    if layer is None:
        return

    async def send() -> None:
        await asyncio.wait_for(layer.group_send(group, message), timeout=PUSH_TIMEOUT)

    async_to_sync(send)()


class Sender:
    """One daemon thread with an event loop, draining a queue of (group, message) in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[str, dict[str, Any]]] | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0

    def submit(self, group: str, message: dict[str, Any]) -> None:
        loop, queue = self._started()
        with self._lock:
            self._pending += 1
            self._idle.clear()
        loop.call_soon_threadsafe(queue.put_nowait, (group, message))

    def flush(self, timeout: float = PUSH_TIMEOUT + 1) -> bool:
        """Wait until every push submitted so far is sent (or given up). False if `timeout` passed first."""
        return self._idle.wait(timeout)

    def _started(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue[tuple[str, dict[str, Any]]]]:
        with self._lock:
            # After a fork the child has the parent's objects but not its thread: start one of its own.
            if self._loop is None or self._queue is None or self._pid != os.getpid():
                # The queue binds to the loop on first use; calls scheduled before the loop runs wait for it.
                loop, queue = asyncio.new_event_loop(), asyncio.Queue[tuple[str, dict[str, Any]]]()
                threading.Thread(
                    target=loop.run_until_complete, args=(self._drain(queue),), name="vouch-push-sender", daemon=True
                ).start()
                self._loop, self._queue, self._pid = loop, queue, os.getpid()
                self._pending = 0
                self._idle.set()
            return self._loop, self._queue

    async def _drain(self, queue: asyncio.Queue[tuple[str, dict[str, Any]]]) -> None:
        while True:
            group, message = await queue.get()
            try:
                layer = get_channel_layer()
                if layer is not None:
                    await asyncio.wait_for(layer.group_send(group, message), timeout=PUSH_TIMEOUT)
            except Exception:  # the layer failing loses this frame only; the row is stored
                log.warning("live push to %s failed", group, exc_info=True)
            finally:
                with self._lock:
                    self._pending -= 1
                    if self._pending <= 0:
                        self._pending = 0
                        self._idle.set()


_sender = Sender()


def push(group: str, message: dict[str, Any]) -> None:
    """Hand one push to the process's sender (in-memory layer: send it now). Never raises."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer):
            send_now(group, message)
        else:
            _sender.submit(group, message)
    except Exception:  # the layer failing must not fail the caller; the row is stored
        log.warning("live push to %s failed", group, exc_info=True)


def flush(timeout: float = PUSH_TIMEOUT + 1) -> bool:
    """Wait for the pushes handed over so far (tests, benchmarks, exit)."""
    return _sender.flush(timeout)


atexit.register(flush, EXIT_DRAIN_SECONDS)
