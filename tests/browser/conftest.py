"""Browser tests: Debian's Chromium driven by Playwright's sync API against a real Daphne server.

The server is `tests.live_server.LiveServer` (HTTP + websockets, a fresh interpreter, STACK-NOTES 6)
on its own migrated SQLite file (STACK-NOTES 7), with the demo network seeded, e-mail written to
files (EMAIL_FILE_PATH) so the test can follow the verification link, and badge verification run
inline against a local issuer on 127.0.0.1 (BADGE_FETCH_ALLOWED_HOSTS).

These run in their own pytest process (`make test`): Playwright's sync API leaves an event loop
behind that breaks asyncio tests run after it (STACK-NOTES 4).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import LiveServer, manage, migrated_sqlite, server_env

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # STACK-NOTES 5: sync Playwright inside pytest


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def live(tmp_path_factory, mail_dir) -> Iterator[LiveServer]:
    database = migrated_sqlite(tmp_path_factory.mktemp("browser-db") / "vouch.sqlite3")
    extra = {
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "BADGE_FETCH_ALLOWED_HOSTS": "127.0.0.1",
        "BADGE_VERIFY_MODE": "inline",
        "DEBUG": "true",
    }
    manage(server_env(database, extra=extra), "seed_demo", timeout=300)
    server = LiveServer(database, extra_env=extra).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium_browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(chromium_browser, live):
    """Pages in separate browser contexts (separate cookie jars: one per person), closed after the test."""
    contexts = []

    def make(*, mobile: bool = False):
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        context = chromium_browser.new_context(base_url=live.url, viewport=viewport)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


def shoot(page, name: str) -> None:
    """Save a screenshot the README points to (docs/screenshots/), overwritten on every run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
