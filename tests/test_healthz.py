"""GET /healthz: 200 {"status": "ok"} when the database and the channel layer answer, 503 otherwise."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthy_answers_200_ok():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_broken_channel_layer_answers_503_quickly(settings):
    # A Redis channel layer at a port nobody listens on.
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    started = time.monotonic()
    response = Client().get("/healthz")
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"].startswith("error")


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("could not connect to server")


def test_broken_database_answers_503(monkeypatch):
    monkeypatch.setattr("vouch.health.connection", _BrokenConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "error: OperationalError", "channel_layer": "ok"}


def test_error_details_are_not_leaked(monkeypatch):
    monkeypatch.setattr("vouch.health.connection", _BrokenConnection())
    assert b"could not connect" not in Client().get("/healthz").content


def test_healthy_with_redis(redis_url, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "healthz-test"},
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ok"
