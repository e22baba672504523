"""GraphQL subscriptions over the graphql-transport-ws protocol at `/graphql/ws/`.

The protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) is what Apollo Client,
urql and Python's `gql` speak. Implemented here directly on a Channels consumer:

  client                                server
  connection_init {payload?}   ──▶      authenticate; connection_ack (or close 4403)
  subscribe {id, payload}      ──▶      validate + graphql-core `subscribe`
                               ◀──      next {id, payload: ExecutionResult} …
                               ◀──      error {id, payload: [GraphQLError]}  (never started)
  complete {id}                ◀─▶      either side ends one operation
  ping / pong                  ◀─▶      keep-alive, either direction

Authentication is the notification socket's: the session cookie or an X-Session-Token
header (vouch/websocket_auth.py), or `{"sessionToken": "..."}` in connection_init's
payload (browsers cannot set headers on a websocket). Anonymous → close 4403 Forbidden,
the close code the reference server uses when a connection is refused at init.

Only subscription operations are served here; queries and mutations go to POST /graphql/
(so CSRF, uploads and the HTTP limits stay in one place) and get an `error` message.
The stream is the user's group `user.<id>`, the same pushes as /ws/notifications/
(muted kinds are not sent). A subscription is live only: after a reconnect, catch up
with the `notifications` query (or the notification socket's `resume`).

Close codes: 4400 bad message, 4401 subscribe before ack, 4403 not signed in,
4406 subprotocol not offered, 4408 no connection_init in time, 4409 duplicate id,
4429 second connection_init, 1013 the client fell too far behind (reconnect),
1008 too many refused operations (MAX_ERRORS within ERROR_WINDOW seconds).

Hostile frames cannot stall the worker: a document is held to the HTTP limits
(GRAPHQL_MAX_QUERY_BYTES, GRAPHQL_MAX_TOKENS before parsing; depth and cost before the
standard rules) and parsed and validated by vouch/graphql/documents.py — the cache HTTP
uses — in a worker thread, never on the event loop; at most SUBSCRIBES_PER_MINUTE
`subscribe` frames per socket; a socket whose operations are refused MAX_ERRORS times in
ERROR_WINDOW seconds is closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from graphql import DocumentNode, ExecutionResult, GraphQLError, OperationType, subscribe
from graphql.utilities import get_operation_ast

from notifications.consumers import authenticated_user
from notifications.models import Notification
from notifications.sockets import MemberSocketMixin
from vouch.websocket_auth import session_key_of

log = logging.getLogger(__name__)

PROTOCOL = "graphql-transport-ws"
INIT_TIMEOUT = 10.0
MAX_MESSAGE_BYTES = 64 * 1024
MAX_SUBSCRIPTIONS = 20
QUEUE_SIZE = 100  # per subscription: pushes waiting to be sent before the socket is dropped as too slow
SUBSCRIBES_PER_MINUTE = 30
MAX_ERRORS = 10
ERROR_WINDOW = 60.0
CLOSE_TOO_MANY_ERRORS = 1008


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def prepare(query: str, variables: dict[str, Any] | None) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """Parse and validate like POST /graphql/ (same limits, same cache): runs in a worker thread."""
    from vouch.graphql import documents
    from vouch.graphql.schema import schema

    try:
        document = documents.parse_document(query)
    except GraphQLError as error:
        return None, [error]
    errors = documents.validate_document(schema.graphql_schema, document, query, variables, None)
    return (None, errors) if errors else (document, [])


# One thread for every socket of the process: parsing is CPU work that holds the GIL, so more threads would only
# take more turns from the event loop (20 hostile sockets on the loop's default pool of 6 threads: /healthz 9 s).
# With one, the loop gets the GIL back every switch interval whatever the sockets send; a socket waits its turn.
_PREPARE_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphql-ws-prepare")


async def _prepare_off_loop(query: str, variables: dict[str, Any] | None) -> tuple[DocumentNode | None, list[Any]]:
    from vouch.graphql import documents

    cached = documents.cached_valid_document(query, variables)
    if cached is not None:  # a document seen before (over HTTP or here): no parse, no validation, no thread
        return cached, []
    return await asyncio.get_running_loop().run_in_executor(_PREPARE_POOL, prepare, query, variables)


def _formatted(result: ExecutionResult) -> dict[str, Any]:
    from vouch.graphql.errors import format_graphql_error

    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [format_graphql_error(e) for e in result.errors]
    return out


class _Listener:
    """One subscription's source stream: an async iterator over the user's pushed notifications."""

    def __init__(self, registry: set[_Listener]) -> None:
        self.queue: asyncio.Queue[Notification] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.registry = registry
        registry.add(self)  # registered now, not on first iteration, so nothing pushed meanwhile is missed

    def __aiter__(self) -> _Listener:
        return self

    async def __anext__(self) -> Notification:
        return await self.queue.get()

    async def aclose(self) -> None:
        self.registry.discard(self)


class SubscriptionContext:
    """`info.context` for subscription resolvers: the user, and `listen()` for their stream."""

    def __init__(self, user: Any, registry: set[_Listener]) -> None:
        self.user = user
        self._registry = registry

    def listen(self) -> _Listener:
        return _Listener(self._registry)


class GraphQLWSConsumer(MemberSocketMixin, AsyncWebsocketConsumer):
    socket_name = "subscription"
    slow_close_code = 1013
    slow_close_reason = "Too slow; reconnect"

    async def connect(self) -> None:
        self.init_received = False
        self.acked = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self.listeners: set[_Listener] = set()
        self.subscribes: list[float] = []
        self.refusals: list[float] = []
        self.open = False
        if PROTOCOL not in (self.scope.get("subprotocols") or []):
            await self.accept()
            await self.close(code=4406, reason="Subprotocol not acceptable")
            return
        await self.accept(subprotocol=PROTOCOL)
        self.open = True
        self.init_timer = asyncio.get_running_loop().call_later(
            INIT_TIMEOUT, lambda: asyncio.ensure_future(self._init_timed_out())
        )

    async def _init_timed_out(self) -> None:
        if not self.acked and self.open:
            await self.close(code=4408, reason="Connection initialisation timeout")

    async def disconnect(self, code: int) -> None:
        timer = getattr(self, "init_timer", None)
        if timer is not None:
            timer.cancel()
        for task in list(getattr(self, "operations", {}).values()):
            task.cancel()
        await self.leave()

    # --- client → server ------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if not self.open:  # refused (wrong subprotocol) or closing: frames still draining
            return
        if text_data is None or len(text_data) > MAX_MESSAGE_BYTES:
            await self.close(code=4400, reason="Invalid message received")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.close(code=4400, reason="Invalid message received")
            return
        kind = message["type"]
        if kind == "connection_init":
            await self._connection_init(message.get("payload"))
        elif kind == "ping":
            await self._send({"type": "pong"})
        elif kind == "pong":
            pass
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            task = self.operations.pop(str(message.get("id")), None)
            if task is not None:
                task.cancel()
        else:
            await self.close(code=4400, reason=f"Unknown message type {kind[:40]!r}")

    async def _connection_init(self, payload: Any) -> None:
        if self.init_received:
            await self.close(code=4429, reason="Too many initialisation requests")
            return
        self.init_received = True
        user = authenticated_user(self.scope)
        token = payload.get("sessionToken") if isinstance(payload, dict) else None
        session_key = session_key_of(self.scope)
        if isinstance(token, str) and token:
            from vouch.websocket_auth import user_for_token

            user = authenticated_user({"user": await user_for_token(token[:200])})
            session_key = token[:200]
        if user is None:
            await self.close(code=4403, reason="Forbidden")
            return
        # The login session's group too: logging out of it ends the subscription socket.
        await self.join(user, session_key)
        self.acked = True
        self.init_timer.cancel()
        await self._send({"type": "connection_ack"})

    async def session_ended(self, message: dict[str, Any]) -> None:
        await self.close(code=4403, reason="Session ended")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        if not self.acked:
            await self.close(code=4401, reason="Unauthorized")
            return
        op_id, payload = message.get("id"), message.get("payload")
        if not isinstance(op_id, str) or not op_id or len(op_id) > 100 or not isinstance(payload, dict):
            await self.close(code=4400, reason="Invalid message received")
            return
        if op_id in self.operations:
            await self.close(code=4409, reason=f"Subscriber for {op_id} already exists")
            return
        now = time.monotonic()
        self.subscribes = [t for t in self.subscribes if now - t < 60]
        if len(self.subscribes) >= SUBSCRIBES_PER_MINUTE:
            await self._refuse(op_id, [_error(f"At most {SUBSCRIBES_PER_MINUTE} subscribe a minute.", "RATE_LIMITED")])
            return
        self.subscribes.append(now)
        if len(self.operations) >= MAX_SUBSCRIPTIONS:
            refusal = f"At most {MAX_SUBSCRIPTIONS} subscriptions per socket."
            await self._refuse(op_id, [_error(refusal, "TOO_MANY_SUBSCRIPTIONS")])
            return
        result = await self._start(payload)
        if not self.open:
            return
        if isinstance(result, list):
            await self._refuse(op_id, result)
            return
        self.operations[op_id] = asyncio.ensure_future(self._forward(op_id, result))

    async def _refuse(self, op_id: str, errors: list[GraphQLError]) -> None:
        """Answer `error` for the operation; a socket refused MAX_ERRORS times within ERROR_WINDOW is closed."""
        await self._errors(op_id, errors)
        now = time.monotonic()
        self.refusals = [t for t in self.refusals if now - t < ERROR_WINDOW] + [now]
        if len(self.refusals) >= MAX_ERRORS and self.open:
            self.open = False
            await self.close(code=CLOSE_TOO_MANY_ERRORS, reason="Too many refused operations")

    async def _start(self, payload: dict[str, Any]) -> Any:
        """The response stream of a valid subscription, or the list of errors that stopped it."""
        from vouch.graphql.schema import schema

        query, variables, name = payload.get("query"), payload.get("variables"), payload.get("operationName")
        if not isinstance(query, str) or not isinstance(variables or {}, dict) or not isinstance(name or "", str):
            message = "The payload needs a query string, and optionally variables and operationName."
            return [_error(message, "BAD_REQUEST")]
        document, errors = await _prepare_off_loop(query, variables or None)
        if document is None:
            return errors
        operation = get_operation_ast(document, name)
        if operation is None:
            return [_error("Unknown or ambiguous operation.", "BAD_REQUEST")]
        if operation.operation != OperationType.SUBSCRIPTION:
            message = "Only subscriptions are served on this socket; POST queries and mutations to /graphql/."
            return [_error(message, "BAD_REQUEST")]
        result = await subscribe(
            schema.graphql_schema,
            document,
            context_value=SubscriptionContext(self.user, self.listeners),
            variable_values=variables,
            operation_name=name,
        )
        if isinstance(result, ExecutionResult):
            return list(result.errors or [_error("The subscription could not start.", "BAD_REQUEST")])
        return result

    async def _forward(self, op_id: str, stream: Any) -> None:
        try:
            async for result in stream:
                await self._send({"id": op_id, "type": "next", "payload": _formatted(result)})
            await self._send({"id": op_id, "type": "complete"})
        except asyncio.CancelledError:
            pass
        except Exception:  # a bug must end this operation, not the server; the client hears "complete"
            log.exception("subscription %s failed", op_id)
            await self._send({"id": op_id, "type": "complete"})
        finally:
            self.operations.pop(op_id, None)
            await stream.aclose()

    # --- group messages (from notifications.services) -------------------------------------------
    async def notification_push(self, message: dict[str, Any]) -> None:
        if not self.listeners:
            return
        data = message["notification"]
        notification = Notification(
            pk=message["pk"],
            recipient_id=self.user.pk,
            kind=data["kind"],
            payload=data["payload"],
            # Written by notifications.services (ISO 8601); a value it cannot parse reads as now, never None.
            created_at=parse_datetime(data["createdAt"]) or timezone.now(),
            read_at=None,
        )
        for listener in list(self.listeners):
            try:
                listener.queue.put_nowait(notification)
            except asyncio.QueueFull:
                log.info("subscription socket of user %s fell behind; closing it", self.user.pk)
                await self.close_too_slow()
                return

    async def unread_push(self, message: dict[str, Any]) -> None:
        """The unread count is not part of the subscription's stream."""

    # --- helpers ------------------------------------------------------------------------------------
    async def _errors(self, op_id: str, errors: list[GraphQLError]) -> None:
        from vouch.graphql.errors import format_graphql_error

        await self._send({"id": op_id, "type": "error", "payload": [format_graphql_error(e) for e in errors]})

    async def _send(self, message: dict[str, Any]) -> None:
        await self.send_frame(message)

    def closing(self) -> None:
        self.open = False
