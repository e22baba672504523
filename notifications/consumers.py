"""The live notification socket `/ws/notifications/` (protocol in docs/notifications.md).

Thin on purpose: authenticate (vouch/websocket_auth.py put the user in the scope), join
the user's group, forward what notifications.services pushes, replay on `resume`. All
reads go through notifications.services.

Bounds, so a slow or hostile client cannot grow server memory without limit:
- incoming frames over MAX_INCOMING_BYTES are refused with an error frame (Daphne's
  --websocket-max-message-size bounds what is even read);
- `resume` at most RESUMES_PER_MINUTE times per socket, REPLAY_LIMIT rows each;
- the per-socket de-duplication memory is at most DEDUP_MEMORY ids;
- a send that does not complete within SEND_TIMEOUT, or a push that reaches the socket
  more than MAX_LAG seconds after it was sent (the consumer fell behind its queue), closes
  the socket with 4408: the client reconnects and resumes, and the channel layer's
  per-channel capacity (settings.CHANNEL_LAYERS) bounds what is queued meanwhile.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications import services
from notifications.payloads import ServerFrame
from notifications.sockets import MemberSocketMixin
from profiles.actors import is_signed_in
from vouch.websocket_auth import session_key_of

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4408
MAX_INCOMING_BYTES = 4096
RESUMES_PER_MINUTE = 30
DEDUP_MEMORY = 1000
MAX_LAG = 30.0


def authenticated_user(scope: dict[str, Any]) -> Any | None:
    user = scope.get("user")
    if not is_signed_in(user) or not user.is_active:
        return None
    return user


class NotificationConsumer(MemberSocketMixin, AsyncJsonWebsocketConsumer):
    socket_name = "notification"
    slow_close_code = CLOSE_TOO_SLOW

    async def connect(self) -> None:
        user = authenticated_user(self.scope)
        # Accept first: a close code only reaches the client after the handshake completed.
        await self.accept()
        if user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.delivered: OrderedDict[int, None] = OrderedDict()
        self.resumes: list[float] = []
        self.last_unread: int | None = None
        # Join before reading the count, so no change between the two is missed.
        await self.join(user, session_key_of(self.scope))
        await self._send_unread(await database_sync_to_async(services.unread_count)(self.user), force=True)

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every handler: that is a hop to the
        worker's one sync thread per pushed message, queued behind every other socket's connect-time queries
        (a worker pushing 200 notifications a second to sockets spent a third of its push time there). Every
        database call here goes through `database_sync_to_async`, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- client → server ----------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.group is None:  # refused socket still draining frames
            return
        if text_data is None:
            await self._error("BAD_MESSAGE", "Send JSON text frames.")
            return
        if len(text_data) > MAX_INCOMING_BYTES:
            await self._error("TOO_LARGE", f"Frames are at most {MAX_INCOMING_BYTES} bytes.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("BAD_JSON", "The frame is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("BAD_MESSAGE", 'A message is a JSON object with a "type".')
            return
        if content["type"] == "resume":
            await self._resume(content.get("after"))
        elif content["type"] == "ping":
            await self._send({"type": "pong"})
        else:
            await self._error(
                "UNKNOWN_TYPE", f"Unknown message type {content['type'][:40]!r}; expected resume or ping."
            )

    async def _resume(self, after: Any) -> None:
        now = time.monotonic()
        self.resumes = [t for t in self.resumes if now - t < 60]
        if len(self.resumes) >= RESUMES_PER_MINUTE:
            await self._error("RATE_LIMITED", f"At most {RESUMES_PER_MINUTE} resumes a minute.")
            return
        self.resumes.append(now)
        if after is None:
            after_pk = 0
        else:
            decoded = _decode_notification_id(after)
            if decoded is None:
                await self._error("BAD_RESUME", '"after" must be a notification id received from this server, or null.')
                return
            after_pk = decoded
        rows, has_more = await database_sync_to_async(services.replay)(self.user, after=after_pk)
        sent = 0
        for row in rows:
            if row.pk in self.delivered:  # already pushed live on this socket
                continue
            await self._send({"type": "notification", "notification": services.serialize(row)})
            self._remember(row.pk)
            sent += 1
        await self._send({"type": "resumed", "count": sent, "hasMore": has_more})

    # --- group messages (from notifications.services) ------------------------------------------
    async def notification_push(self, message: dict[str, Any]) -> None:
        if self.group is None:
            return
        if await self._too_slow(message):
            return
        pk = message.get("pk")
        if pk not in self.delivered:
            await self._send({"type": "notification", "notification": message["notification"]})
            if isinstance(pk, int):
                self._remember(pk)
        if isinstance(message.get("unread"), int):
            await self._send_unread(message["unread"])

    async def session_ended(self, message: dict[str, Any]) -> None:
        """The login session this socket was opened with ended (logout): stop serving it."""
        await self.leave()
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def unread_push(self, message: dict[str, Any]) -> None:
        if self.group is None:
            return
        await self._send_unread(int(message["count"]))

    # --- helpers -----------------------------------------------------------------------------------
    async def _too_slow(self, message: dict[str, Any]) -> bool:
        """True (and the socket is closing) when this push waited in our queue longer than MAX_LAG."""
        sent_at = message.get("sentAt")
        if not isinstance(sent_at, (int, float)) or time.time() - sent_at <= MAX_LAG:
            return False
        log.info("notification socket of user %s is over %ss behind; closing it", self.user.pk, MAX_LAG)
        await self.close_too_slow()
        return True

    def _remember(self, pk: int) -> None:
        self.delivered[pk] = None
        while len(self.delivered) > DEDUP_MEMORY:
            self.delivered.popitem(last=False)

    async def _send_unread(self, count: int, *, force: bool = False) -> None:
        if force or count != self.last_unread:
            self.last_unread = count
            await self._send({"type": "unread", "count": count})

    async def _error(self, code: str, message: str) -> None:
        await self._send({"type": "error", "code": code, "message": message})

    async def _send(self, frame: ServerFrame) -> None:
        await self.send_frame(frame)


def _decode_notification_id(value: Any) -> int | None:
    from django.core.exceptions import ValidationError

    from vouch.ids import decode_id

    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        return decode_id(value, "Notification")
    except ValidationError:
        return None
