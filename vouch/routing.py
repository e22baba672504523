"""Websocket routes. Apps add their consumers here."""

from __future__ import annotations

from django.urls import path

from notifications.consumers import NotificationConsumer
from notifications.graphql_ws import GraphQLWSConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("graphql/ws/", GraphQLWSConsumer.as_asgi()),
]
