"""A real Vouch server in another process, for tests that need HTTP *and* websockets on a port.

pytest-django's `live_server` serves HTTP only (websockets 404). `LiveServer` starts
`daphne vouch.asgi:application` on a free port, as `make run` does, and waits until
/healthz answers. Fixtures in tests/conftest.py (`live_server_factory`) start and stop
them; browser tests reuse the same fixture.

Two traps this avoids (docs/testing.md, STACK-NOTES 6 and 7):
- The server is a fresh interpreter (subprocess), not a fork of the test process: a
  forked `daphne.testing.DaphneProcess` inherits asgiref's single-thread executor in a
  dead state and hangs on the first `database_sync_to_async`.
- It cannot see an in-memory SQLite test database. On PostgreSQL it connects to the
  test database itself (the test must use `transactional_db` so rows are committed);
  on SQLite it gets its own migrated file (WAL), and a test creates its data with
  `server.shell(code)` (a `manage.py shell -c` against the same database), which works
  on both.

`WebSocket` is a minimal RFC 6455 client (text frames, ping/pong, close codes), so the
tests need nothing beyond the pinned dependencies.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(
    database: dict[str, str],
    *,
    redis_url: str | None = None,
    channel_prefix: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a server (and of its `shell`): the test's, pointed at `database` and `redis_url`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DATABASE_URL", "SQLITE_PATH", "REDIS_URL"))
    }
    env.update(database)
    if redis_url:
        env["REDIS_URL"] = redis_url
    if channel_prefix:
        env["CHANNEL_PREFIX"] = channel_prefix
    env.update({"DJANGO_SETTINGS_MODULE": "vouch.settings", "PYTHONUNBUFFERED": "1", "SEED_DEMO": "0"})
    # The server is reached as 127.0.0.1 whatever the caller's ALLOWED_HOSTS; plain HTTP even with DEBUG off.
    hosts = [h for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    env["ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, "127.0.0.1", "localhost"]))
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    # DEBUG-off servers refuse to start without a signing key: a fixed test-only one (never a real secret).
    env.setdefault("VOUCH_SIGNING_KEY", "7e" * 32)
    # No job worker beside a plain live server: its jobs run in the server process when enqueued (on commit).
    # Tests of the real worker path pass JOBS_BACKEND=database and start workers (jobs/testing.py).
    env.setdefault("JOBS_BACKEND", "immediate")
    env.update(extra or {})
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args[:2])} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def migrated_sqlite(path: Path) -> dict[str, str]:
    """A SQLite file with every migration applied; returns the env that selects it."""
    database = {"SQLITE_PATH": str(path)}
    manage(server_env(database), "migrate", "--noinput", "-v0")
    return database


def postgres_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The env that points a server at the database `settings_dict` describes (the test database)."""
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return {"DATABASE_URL": f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"}


class LiveServer:
    def __init__(
        self,
        database: dict[str, str],
        *,
        redis_url: str | None = None,
        channel_prefix: str | None = None,
        extra_env: dict[str, str] | None = None,
        application: str = "vouch.asgi:application",
    ) -> None:
        self.env = server_env(database, redis_url=redis_url, channel_prefix=channel_prefix, extra=extra_env)
        self.application = application
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        # The server writes to it for its whole life and output() reads it back: no `with` block fits.
        self.log = tempfile.NamedTemporaryFile(prefix="vouch-live-", suffix=".log", delete=False)  # noqa: SIM115 - see above

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, path: str = "/ws/notifications/") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def start(self, timeout: float = 30.0) -> LiveServer:
        for _attempt in range(3):  # another process may take the free port between our bind and daphne's
            self.port = free_port()
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "--ping-interval",
                    "20",
                    "--ping-timeout",
                    "30",
                    self.application,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
        raise RuntimeError(f"the live server did not become ready:\n{self.output()[-4000:]}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def shell(self, code: str) -> str:
        """Run Python in `manage.py shell` against this server's database and settings; its stdout."""
        return manage(self.env, "shell", "-c", code)

    def graphql(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None) -> dict:
        """POST a GraphQL document as an app client (X-Session-Token: no CSRF)."""
        headers = {"X-Session-Token": token} if token else {}
        response = httpx.post(
            f"{self.url}/graphql/", json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
        )
        assert response.status_code == 200, response.text[:500]
        return response.json()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class ConnectionClosed(Exception):
    def __init__(self, code: int | None, reason: str = "") -> None:
        super().__init__(f"websocket closed with {code} {reason}".strip())
        self.code = code
        self.reason = reason


class WebSocket:
    """A small RFC 6455 client over asyncio streams (client frames masked, server frames not)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, subprotocol: str | None) -> None:
        self.reader, self.writer, self.subprotocol = reader, writer, subprotocol
        self.close_code: int | None = None

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        cookie: str | None = None,
        token: str | None = None,
        subprotocols: list[str] | None = None,
        timeout: float = 10.0,
    ) -> WebSocket:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {parts.path or '/'} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: http://{host}:{port}",
        ]
        if subprotocols:
            lines.append(f"Sec-WebSocket-Protocol: {', '.join(subprotocols)}")
        if cookie:
            lines.append(f"Cookie: sessionid={cookie}")
        if token:
            lines.append(f"X-Session-Token: {token}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)).decode("latin-1")
        status, *header_lines = head.split("\r\n")
        if " 101 " not in status + " ":
            writer.close()
            raise ConnectionError(f"websocket handshake refused: {status}")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines if ":" in h)}
        expected = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        if headers.get("sec-websocket-accept") != expected.decode():
            raise ConnectionError("bad Sec-WebSocket-Accept")
        return cls(reader, writer, headers.get("sec-websocket-protocol"))

    async def _write(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)
        await self.writer.drain()

    async def send_text(self, text: str) -> None:
        await self._write(0x1, text.encode())

    async def send_json(self, value: Any) -> None:
        await self.send_text(json.dumps(value))

    async def _read_frame(self) -> tuple[bool, int, bytes]:
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        mask = await self.reader.readexactly(4) if second & 0x80 else b""
        payload = await self.reader.readexactly(length)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(first & 0x80), first & 0x0F, payload

    async def _receive_message(self) -> str:
        parts: list[bytes] = []
        while True:
            fin, opcode, payload = await self._read_frame()
            if opcode == 0x8:  # close: answer it, then report the code
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                with contextlib.suppress(ConnectionError):
                    await self._write(0x8, payload[:2])
                raise ConnectionClosed(self.close_code, payload[2:].decode(errors="replace"))
            if opcode == 0x9:
                await self._write(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return b"".join(parts).decode()

    async def receive_json(self, timeout: float = 10.0) -> Any:
        return json.loads(await asyncio.wait_for(self._receive_message(), timeout))

    async def receive_close(self, timeout: float = 10.0) -> int | None:
        """Read until the server closes; the close code (fails if a data frame arrives first)."""
        try:
            message = await asyncio.wait_for(self._receive_message(), timeout)
        except ConnectionClosed as closed:
            return closed.code
        raise AssertionError(f"expected a close, got {message!r}")

    async def receive_nothing(self, timeout: float = 0.5) -> bool:
        try:
            message = await asyncio.wait_for(self._receive_message(), timeout)
        except TimeoutError:
            return True
        raise AssertionError(f"expected nothing, got {message!r}")

    async def close(self, code: int = 1000) -> None:
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self._write(0x8, struct.pack("!H", code))
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()
