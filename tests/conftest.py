"""Fixtures for the cross-app tests in tests/ (websockets, live servers).

Async tests: Channels consumers and `database_sync_to_async` run the ORM in asgiref's
single-thread executor, outside pytest's thread. Such tests use
`pytest.mark.django_db(transaction=True)` (STACK-NOTES 1, 2), and the connection that
executor thread opened is closed after every test (STACK-NOTES 3), or PostgreSQL refuses
to drop the test database at the end of the run.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _close_executor_connections():
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=10)


@pytest.fixture
def in_memory_layer(settings):
    """A fresh in-memory channel layer for this test (its queues belong to this test's event loop)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 200, "expiry": 30}}
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """A SQLite file migrated once per run; each test gets a copy (tests/live_server.py)."""
    from tests.live_server import migrated_sqlite

    path = tmp_path_factory.mktemp("live-db") / "template.sqlite3"
    migrated_sqlite(path)
    return path


@pytest.fixture
def live_database(request, settings, tmp_path) -> dict[str, str]:
    """The env that points a live server at a database this test can fill.

    PostgreSQL: the test database itself (rows the test commits are visible to the server;
    the test must be marked `django_db(transaction=True)`, which also flushes what the server wrote).
    SQLite: a fresh migrated file of its own (the in-memory test database is invisible to another
    process); fill it with `server.shell()`.
    """
    from tests.live_server import postgres_env

    if settings.IS_POSTGRES:
        marker = request.node.get_closest_marker("django_db")
        if marker is None or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
            # Without the marker pytest-django sets up no test database for this test, and a
            # plain django_db test's rows would stay in its open transaction, unseen by the server.
            pytest.fail("tests using a live server need @pytest.mark.django_db(transaction=True)", pytrace=False)
        from django.db import connection

        return postgres_env(connection.settings_dict)
    import shutil

    path = tmp_path / "live.sqlite3"
    shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
    return {"SQLITE_PATH": str(path)}


@pytest.fixture
def live_server_factory(live_database):
    """Start Daphne-backed servers (HTTP + websockets) on free ports: `start(redis_url=..., channel_prefix=...)`.

    Every server started by one test shares that test's database; all are stopped afterwards.
    """
    from tests.live_server import LiveServer

    servers: list[LiveServer] = []

    def start(**kwargs):
        server = LiveServer(live_database, **kwargs)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
