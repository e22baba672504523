"""Suite-wide test set-up.

Services: tests that need PostgreSQL, Redis or Chromium use the `postgres`, `redis_url`
and `chromium_path` fixtures. On a newcomer's machine those skip with a clear reason
when the service is not configured; under CI (CI=true) a missing service is a failure,
so CI proves every one of them.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def _port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres(settings) -> None:
    """Skip (or fail under CI) unless the suite runs on PostgreSQL."""
    if not settings.IS_POSTGRES:
        _unavailable("this test needs PostgreSQL: set DATABASE_URL=postgres://... (the default is SQLite)")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        _unavailable("this test needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    if not _port_open(url, 6379):
        _unavailable(f"REDIS_URL={url} does not answer")
    return url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _unavailable("browser tests need Debian's chromium (apt-get install chromium) or CHROMIUM_PATH")
    return path


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded files of a test go to its own temporary folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def issuer(settings):
    """A real Open Badges issuer on 127.0.0.1 (badges/tests/issuer.py), which the app's fetcher may reach."""
    from badges.tests.issuer import LocalIssuer

    settings.BADGE_FETCH_ALLOWED_HOSTS = frozenset({"127.0.0.1"})
    local = LocalIssuer()
    yield local
    local.close()


# Jobs on the real backend, in this process or in worker processes (jobs/testing.py).
from jobs.testing import database_backend, worker_env, worker_factory  # noqa: E402, F401
from notifications.testing import smtp_server  # noqa: E402, F401
