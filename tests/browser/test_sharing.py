"""Share links in a real browser: the profile's og:image is a PNG card, the embed renders inside another site's
iframe while the profile itself refuses to be framed, and the copy button puts the profile link on the clipboard.
Screenshots: docs/screenshots/card.png and embed.png."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

# The session fixture seeds the demo network in a subprocess: minutes on a loaded 2-core machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def _third_party_site(html: str) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{server.server_address[1]}/"


def test_share_card_embed_and_copy_link(live, new_page):
    page = new_page()
    page.goto("/m/maria/")
    name = page.locator("h1#member-name").inner_text()
    assert page.locator('meta[property="og:title"]').get_attribute("content") == name
    image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert image.endswith("/m/maria/card.png")
    response = page.request.get(image)  # as a link preview fetches it
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "card.png").write_bytes(response.body())

    site, url = _third_party_site(
        f'<!doctype html><title>Elsewhere</title><iframe id="embed" src="{live.url}/m/maria/embed" width="380" '
        f'height="320"></iframe><iframe id="profile" src="{live.url}/m/maria/" width="380" height="200"></iframe>'
    )
    try:
        other = new_page()
        other.goto(url)
        embed = other.frame_locator("#embed")
        expect(embed.locator("h1")).to_have_text(name)
        expect(embed.locator("text=verified by Vouch")).to_be_visible()
        other.locator("#embed").screenshot(path=str(SCREENSHOTS / "embed.png"))
        # The profile page keeps frame-ancestors 'none': the browser refuses to render it inside another site.
        other.wait_for_timeout(1000)
        assert other.frame_locator("#profile").locator("h1#member-name").count() == 0
    finally:
        site.shutdown()

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page.goto("/m/maria/")
    button = page.locator(f'button[data-copy="{live.url}/m/maria/"]')
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live.url}/m/maria/"
    assert page.console_errors == [], page.console_errors
    # The third-party page logs only the refusal to frame the profile (the embed itself loads cleanly).
    assert [e for e in other.console_errors if "frame-ancestors 'none'" not in e] == [], other.console_errors
    assert any("frame-ancestors 'none'" in e for e in other.console_errors)
