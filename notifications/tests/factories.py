from __future__ import annotations

from typing import Any

from django.db import transaction

from notifications.models import Notification
from notifications.services import notify


def make_notification(recipient: Any, kind: str = "endorsement.received", **payload: Any) -> Notification:
    with transaction.atomic():
        return notify(recipient, kind, payload or {"n": 1})
