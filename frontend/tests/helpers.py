"""Shared helpers for the page tests (importable, so not a conftest)."""

from __future__ import annotations

import re

from django.test import Client

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def html(response) -> str:
    return response.content.decode()


def assert_csp_clean(response) -> None:
    """Nothing the Content-Security-Policy would block: no inline script, handler or style attribute."""
    body = html(response)
    assert not INLINE_SCRIPT.search(body), INLINE_SCRIPT.search(body).group(0)
    assert not INLINE_HANDLER.search(body), INLINE_HANDLER.search(body).group(0)
    assert not INLINE_STYLE.search(body), INLINE_STYLE.search(body).group(0)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client
