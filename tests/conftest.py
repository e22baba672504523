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
