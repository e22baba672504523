"""The bench's live server application: Vouch's, plus one bench-only socket for the fan-out floor.

`/bench/ws/group/<name>/` joins the Channels group `bench.<name>` and forwards each `bench.push` message
as a text frame, nothing else (no authentication, no database, no per-frame logic): the floor of a push
through the channel layer and Daphne, measured beside the notification push in the same run
(bench/notifications_live.py). Production never serves it: `bin/serve-prod` runs vouch.asgi.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import path

from vouch.asgi import application as vouch_application


class BareGroupConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.group = "bench." + self.scope["url_route"]["kwargs"]["name"]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data="ready")

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def bench_push(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])


_bench_sockets = URLRouter([path("bench/ws/group/<str:name>/", BareGroupConsumer.as_asgi())])


async def application(scope: dict[str, Any], receive: Any, send: Any) -> Any:
    if scope["type"] == "websocket" and scope["path"].startswith("/bench/ws/"):
        return await _bench_sockets(scope, receive, send)
    return await vouch_application(scope, receive, send)
