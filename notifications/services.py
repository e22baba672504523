"""Storing notifications and pushing them live.

`notify()` is called by domain services inside their transaction: the row is written
with the event that caused it, and the push to the recipient's Channels group is
scheduled with transaction.on_commit, so nothing is pushed for a rolled-back event and
nothing is lost when nobody is connected (clients catch up with `resume`).
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from notifications.models import Notification

log = logging.getLogger(__name__)


def group_name(user_id: int) -> str:
    return f"user.{user_id}"


def serialize(notification: Notification) -> dict[str, Any]:
    from vouch.graphql.ids import encode_id

    return {
        "id": encode_id("Notification", notification.pk),
        "kind": notification.kind,
        "payload": notification.payload,
        "createdAt": notification.created_at.isoformat(),
    }


def notify(recipient: Any, kind: str, payload: Mapping[str, Any]) -> Notification:
    """Store a notification for `recipient` and push it after the surrounding transaction commits."""
    notification = Notification.objects.create(recipient=recipient, kind=kind, payload=dict(payload))
    transaction.on_commit(lambda: push(notification))
    return notification


def push(notification: Notification) -> None:
    """Send a stored notification to every open socket of its recipient. Never raises."""
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            group_name(notification.recipient_id),
            {"type": "notification.push", "notification": serialize(notification)},
        )
    except Exception:  # the layer being down must not fail the request; the row is stored
        log.warning("live push of notification %s failed", notification.pk, exc_info=True)
