"""A lean websocket client for holding thousands of sockets in one asyncio process (bench/notifications_live.py).

tests/live_server.py's `WebSocket` (asyncio streams, a task per reader) is the client the tests use; holding
10,000 of those costs a task, a StreamReader and a StreamWriter each. `LeanSocket` is one `asyncio.Protocol`
per socket: it does the RFC 6455 handshake, answers the server's pings (Daphne closes a socket that stops
answering), and hands each text frame with its arrival time (`time.monotonic()`, the same clock in every
process on Linux) to a callback. Nothing else: no fragmentation (the server sends whole frames), no close
handshake beyond sending a close frame.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import resource
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

ACCEPT_MAGIC = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OnText = Callable[[str, float], None]


def raise_fd_limit() -> tuple[int, int]:
    """Raise this process's soft limit of open files to its hard limit (children inherit it); (soft, hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def _mask(payload: bytes) -> bytes:
    key = os.urandom(4)
    if not payload:
        return key
    # XOR with the repeated key in one integer operation (payloads here are a few bytes: pongs, close).
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")
    return key + masked


def _client_frame(opcode: int, payload: bytes) -> bytes:
    if len(payload) >= 126:
        raise ValueError("control frames only")
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + _mask(payload)


class LeanSocket(asyncio.Protocol):
    def __init__(self, host: str, port: int, path: str, cookie: str | None, on_text: OnText | None) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {{key}}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{host}:{port}\r\n"
            + (f"Cookie: sessionid={cookie}\r\n" if cookie else "")
            + "\r\n"
        )
        self.on_text = on_text
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.key = base64.b64encode(os.urandom(16))
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[None] = loop.create_future()  # handshake done
        self.first_text: asyncio.Future[str] = loop.create_future()  # the first text frame (`unread`)
        self.closed: asyncio.Future[int | None] = loop.create_future()
        self.texts = 0

    # --- asyncio.Protocol ----------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request.replace("{key}", self.key.decode()).encode())

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = bytes(self.buffer[:end]).decode("latin-1"), self.buffer[end + 4 :]
            expected = base64.b64encode(hashlib.sha1(self.key + ACCEPT_MAGIC).digest()).decode()
            if " 101 " not in head.split("\r\n", 1)[0] + " " or expected not in head:
                self._fail(ConnectionError(f"handshake refused: {head.splitlines()[0] if head else ''}"))
                return
            self.upgraded = True
            self.opened.set_result(None)
        self._frames(now)

    def _frames(self, now: float) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            opcode, length, offset = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    return
                (length,) = struct.unpack_from("!H", buf, 2)
                offset = 4
            elif length == 127:
                if len(buf) < 10:
                    return
                (length,) = struct.unpack_from("!Q", buf, 2)
                offset = 10
            if len(buf) < offset + length:
                return
            payload = bytes(buf[offset : offset + length])
            del buf[: offset + length]
            if opcode == 0x1:
                self.texts += 1
                text = payload.decode()
                if not self.first_text.done():
                    self.first_text.set_result(text)
                if self.on_text is not None:
                    self.on_text(text, now)
            elif opcode == 0x9 and self.transport is not None:  # ping → pong
                self.transport.write(_client_frame(0xA, payload))
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                if not self.closed.done():
                    self.closed.set_result(code)
                if self.transport is not None:
                    self.transport.close()
                return

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done() or not self.first_text.done():
            self._fail(exc or ConnectionError("connection lost"))
        if not self.closed.done():
            self.closed.set_result(None)

    def _fail(self, exc: BaseException) -> None:
        for future in (self.opened, self.first_text):
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody awaits it
        if self.transport is not None:
            self.transport.close()

    # --- use ---------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.upgraded and not self.closed.done()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            with contextlib.suppress(Exception):
                self.transport.write(_client_frame(0x8, struct.pack("!H", 1000)))
            self.transport.close()


async def connect(
    host: str,
    port: int,
    path: str,
    *,
    cookie: str | None = None,
    on_text: OnText | None = None,
    timeout: float = 30.0,
) -> LeanSocket:
    """One socket, handshake done and its first text frame received (the `unread` frame of /ws/notifications/)."""
    loop = asyncio.get_running_loop()
    _transport, socket = await asyncio.wait_for(
        loop.create_connection(lambda: LeanSocket(host, port, path, cookie, on_text), host, port), timeout
    )
    await asyncio.wait_for(asyncio.shield(socket.first_text), timeout)
    return socket


async def connect_many(
    host: str,
    port: int,
    paths_and_cookies: Sequence[tuple[str, str | None]],
    *,
    concurrency: int = 50,
    on_text: Callable[[int], OnText] | None = None,
    timeout: float = 60.0,
) -> list[LeanSocket]:
    """Open one socket per (path, cookie), at most `concurrency` handshakes in flight; in order.

    `on_text(i)` builds the frame callback of the i-th socket."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int, path: str, cookie: str | None) -> LeanSocket:
        async with semaphore:
            return await connect(
                host, port, path, cookie=cookie, on_text=on_text(i) if on_text else None, timeout=timeout
            )

    results: list[Any] = await asyncio.gather(
        *(one(i, path, cookie) for i, (path, cookie) in enumerate(paths_and_cookies)), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        for r in results:
            if isinstance(r, LeanSocket):
                r.close()
        raise RuntimeError(f"{len(failures)} of {len(results)} sockets failed to open; first: {failures[0]!r}")
    return results
