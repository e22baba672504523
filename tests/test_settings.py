"""Settings from the environment: bad values stop start-up loudly; DEBUG off is production-safe.

Each case runs in a fresh interpreter, since settings are read once at import.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Everything the settings read that might be set in the developer's or CI's shell.
_CLEARED = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "PORT",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SQLITE_PATH",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "GITHUB_CLIENT_ID",
    "LINKEDIN_CLIENT_ID",
    "VOUCH_TESTING",
    "VOUCH_SIGNING_KEY",
    "VOUCH_RETIRED_SIGNING_KEYS",
    "VOUCH_ORIGIN",
    "GRAPHQL_MAX_DEPTH",
    "SEED_DEMO",
    "WORKER_CHANNEL_CAPACITY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests' conftest sets it for the session; deploy checks warn on it
)
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50)[:50],
    "ALLOWED_HOSTS": "vouch.example",
    "VOUCH_SIGNING_KEY": secrets.token_hex(32),
}

DUMP = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
    "LAYER": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "LAYER_HOSTS": settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "PORT": settings.PORT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
}))
"""


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env["DJANGO_SETTINGS_MODULE"] = "vouch.settings"
    env["SQLITE_PATH"] = "/tmp/vouch-settings-test.sqlite3"  # never the developer's db.sqlite3
    env.update(overrides)
    return env


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60
    )


def settings_with(**env: str) -> dict:
    result = run_python(DUMP, **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "ALLOWED_HOSTS"),
        ({**PRODUCTION, "VOUCH_SIGNING_KEY": ""}, "VOUCH_SIGNING_KEY must be set when DEBUG is off"),
        ({"VOUCH_SIGNING_KEY": "not-a-key"}, "VOUCH_SIGNING_KEY is not an Ed25519 secret key"),
        ({"VOUCH_RETIRED_SIGNING_KEYS": "z6Mkbogus"}, "VOUCH_RETIRED_SIGNING_KEYS"),
        ({"VOUCH_ORIGIN": "vouch.example"}, "VOUCH_ORIGIN"),
        ({"EMAIL_URL": "ftp://mail.example"}, "EMAIL_URL"),
        ({"GRAPHQL_MAX_DEPTH": "1"}, "GRAPHQL_MAX_DEPTH"),
        ({"SEED_DEMO": "sometimes"}, "SEED_DEMO"),
    ],
)
def test_bad_environment_values_fail_loudly(env, mentions):
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert mentions in result.stderr.splitlines()[-1]


def test_defaults_are_a_working_local_setup():
    values = settings_with()
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["LAYER"] == "channels.layers.InMemoryChannelLayer"
    assert values["PORT"] == 8000
    assert "localhost" in values["ALLOWED_HOSTS"]
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_database_and_redis_urls_switch_backends():
    values = settings_with(
        DATABASE_URL="postgres://u:p@db.example:5433/vouchdb", REDIS_URL="redis://cache.example:6380/2", PORT="9001"
    )
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_NAME"] == "vouchdb"
    assert values["LAYER"] == "channels_redis.core.RedisChannelLayer"
    assert [host["address"] for host in values["LAYER_HOSTS"]] == ["redis://cache.example:6380/2"]
    assert values["PORT"] == 9001


def test_redis_layer_reads_outlast_its_blocking_pop():
    """channels_redis waits for a worker's messages with a blocking pop of `brpop_timeout` (5 s); redis-py's default
    socket timeout is also 5 s, and then an idle worker's pop failed with TimeoutError (killing the consumer that
    held the receive lock, so its socket closed). The configured socket timeout must exceed the pop."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from channels_redis.core import RedisChannelLayer\n"
        "(host,) = settings.CHANNEL_LAYERS['default']['CONFIG']['hosts']\n"
        "print(host['socket_timeout'], RedisChannelLayer.brpop_timeout)\n"
    )
    result = run_python(code, REDIS_URL="redis://cache.example:6380/2")
    assert result.returncode == 0, result.stderr
    socket_timeout, pop = (float(v) for v in result.stdout.split())
    assert socket_timeout >= pop + 5


def test_redis_layer_bounds_each_socket_and_each_worker():
    """Every socket of a worker shares one Redis queue ("specific.<worker>!"): it is bounded per worker (many
    sockets' worth), while each socket's own in-process queue and any other channel keep the per-channel bound."""
    code = (
        "import django; django.setup()\n"
        "from channels.layers import get_channel_layer\n"
        "layer = get_channel_layer()\n"
        "print(layer.get_capacity('specific.abc!def'), layer.get_capacity('http.request'), layer.capacity)\n"
    )
    result = run_python(code, REDIS_URL="redis://cache.example:6380/2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["10000", "200", "200"]
    result = run_python(code, REDIS_URL="redis://cache.example:6380/2", WORKER_CHANNEL_CAPACITY="50000")
    assert result.stdout.split() == ["50000", "200", "200"]


def test_debug_off_is_production_safe():
    values = settings_with(**PRODUCTION)
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert values["ALLOWED_HOSTS"] == ["vouch.example"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_development_key_is_never_used_with_debug_off():
    dev = settings_with()["SECRET_KEY"]
    assert dev.startswith("dev-insecure")
    assert settings_with(**PRODUCTION)["SECRET_KEY"] != dev


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_boolean_spellings(value):
    assert settings_with(DEBUG=value)["DEBUG"] is True


def test_check_deploy_is_clean_with_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_serves_no_debug_pages(tmp_path):
    # A 404 with DEBUG off is the branded page, not the technical one listing the URL patterns. Production serves
    # collected, hashed static files (bin/serve-prod runs collectstatic first), so the test collects them too.
    static = {"STATIC_ROOT": str(tmp_path / "static")}
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=_env(**PRODUCTION, **static),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr[-2000:]
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='vouch.example').get('/no/such/page/', secure=True)\n"
        "print(r.status_code, b'URLconf' in r.content, r.headers.get('Strict-Transport-Security'))\n"
    )
    result = run_python(code, **PRODUCTION, **static)
    assert result.returncode == 0, result.stderr[-2000:]
    status, technical, hsts = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert status == "404"
    assert technical == "False"
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
