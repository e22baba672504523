"""A real SMTP server on loopback for tests (aiosmtpd), registered as the `smtp_server` fixture in conftest.py.

`smtp_server` points this process's mail at it (the SMTP backend, as EMAIL_URL does) and gives `.env` for
subprocesses (`EMAIL_URL=smtp://127.0.0.1:<port>`). It records every message it accepted (`.messages`, parsed
`email.message.EmailMessage`s). `.refuse` holds addresses answered `550 5.1.1` at RCPT (a dead mailbox);
`.tempfail_next` answers that many DATA commands `451 4.3.0` (a server that is briefly unwell); `.block` (an Event)
makes DATA wait until it is set (a worker can be killed mid-send).
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest


class Recorder:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.rcpt_attempts: list[str] = []
        self.tempfail_next = 0
        self.block: threading.Event | None = None
        # When set: the first DATA waits until `release_first` is set, then answers 451 and records nothing (its
        # client may be dead by then: a worker killed mid-send).
        self.hold_first: bool = False
        self.release_first = threading.Event()
        self.data_started = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        self.rcpt_attempts.append(address)
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        first = not self.data_started.is_set()
        self.data_started.set()
        if first and self.hold_first:
            while not self.release_first.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        if self.block is not None:
            while not self.block.is_set():
                await asyncio.sleep(0.05)
        with self.lock:
            if self.tempfail_next > 0:
                self.tempfail_next -= 1
                return "451 4.3.0 Try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from tests.live_server import free_port

        self.recorder = Recorder()
        self.port = free_port()
        # server_hostname: otherwise aiosmtpd asks socket.getfqdn(), seconds on a machine without DNS.
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, server_hostname="localhost", ready_timeout=10
        )
        self.controller.start()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.recorder.messages

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {"EMAIL_URL": self.url}

    def wait_for(self, count: int, timeout: float = 30.0) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), the SMTP server got {len(self.messages)}")

    def stop(self) -> None:
        self.recorder.release_first.set()
        if self.recorder.block is not None:
            self.recorder.block.set()
        self.controller.stop()


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    from django.core.mail.utils import DNS_NAME

    DNS_NAME._fqdn = "localhost"  # socket.getfqdn() can take seconds on a machine without DNS
    yield server
    server.stop()


def text_part(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def html_part(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""
