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
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import _unavailable
from tests.live_server import LiveServer, manage, migrated_sqlite, server_env

ROOT = Path(__file__).resolve().parent.parent.parent
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
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


def _patient_expectations() -> None:
    # expect(...) waits up to 15 s (5 s by default): on a loaded 2-core CI machine a GraphQL autocomplete or a
    # socket frame can take longer than 5 s, and a timing is never what these tests assert.
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


_patient_expectations()


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


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser script, installed from npm with tests/browser/axe/package-lock.json (once; node_modules
    is reused). Skips outside CI when npm is absent or the install fails; fails under CI=true."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if not npm:
            _unavailable("the accessibility checks need npm for axe-core (apt-get install npm)")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            _unavailable(f"npm ci in tests/browser/axe failed: {done.stderr[-500:]}")
    return AXE_SCRIPT.read_text()


def axe_violations(page: Any, axe_source: str, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules plus best practices) on the page as it is now; one line per
    violation of the given impacts, naming the rule and the first offending elements."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source + "\n;undefined")  # through the DevTools protocol: the page's CSP does not apply
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {resultTypes: ['violations']});
            const where = n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n')[1];
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(where)}));
        }"""
    )
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — {'; '.join(v['targets'])}"
        for v in result
        if v["impact"] in impacts
    ]
