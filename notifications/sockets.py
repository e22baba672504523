"""What the two member sockets share (`/ws/notifications/` and `/graphql/ws/`).

Both join the member's Channels group (what notifications.services pushes to) and the group of the login
session they were opened with (a logout ends them), leave both when they close, and send each frame within
SEND_TIMEOUT: a client too slow to take it is closed (it reconnects, and resumes or re-subscribes) rather than
let frames queue in server memory. Each socket says how it closes a slow client (`slow_close_code`,
`slow_close_reason`, `closing()`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from notifications import services

log = logging.getLogger(__name__)

SEND_TIMEOUT = 10.0


class MemberSocketMixin:
    """For a Channels consumer (AsyncWebsocketConsumer or a subclass) serving one signed-in member."""

    user: Any = None
    group: str | None = None
    session_group: str | None = None
    socket_name = "member"  # for the log
    slow_close_code = 1013
    slow_close_reason: str | None = None
    channel_layer: Any  # set by Channels
    channel_name: str

    async def join(self, user: Any, session_key: str | None) -> None:
        """Join the member's group, then their login session's (when the socket has one)."""
        self.user = user
        self.group = services.group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.session_group = services.session_group_name(session_key) if session_key else None
        if self.session_group:
            await self.channel_layer.group_add(self.session_group, self.channel_name)

    async def leave(self) -> None:
        """Leave both groups (idempotent: a socket closing twice leaves once)."""
        if self.group is not None:
            group, self.group = self.group, None
            await self.channel_layer.group_discard(group, self.channel_name)
        if self.session_group:
            session_group, self.session_group = self.session_group, None
            await self.channel_layer.group_discard(session_group, self.channel_name)

    async def send_frame(self, frame: Mapping[str, Any]) -> None:
        """Send one JSON frame; one not taken within SEND_TIMEOUT closes the socket as too slow."""
        try:
            # asyncio.timeout, not wait_for: no extra task per frame (a push is two frames).
            async with asyncio.timeout(SEND_TIMEOUT):
                await self.send(text_data=json.dumps(frame))
        except TimeoutError:
            log.info(
                "send to the %s socket of user %s timed out; closing it",
                self.socket_name,
                getattr(self.user, "pk", None),
            )
            await self.close_too_slow()

    async def close_too_slow(self) -> None:
        self.closing()
        await self.leave()
        await self.close(code=self.slow_close_code, reason=self.slow_close_reason)

    def closing(self) -> None:
        """Called before the socket closes itself: stop serving (the consumer's own state)."""

    if TYPE_CHECKING:  # provided by the consumer this is mixed into (never defined here: it would shadow them)

        async def send(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None: ...

        async def close(self, code: int | None = None, reason: str | None = None) -> None: ...
