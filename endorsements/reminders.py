"""Whether a request was seen, and the one reminder a requester may send (docs/endorsements.md, "Seen and
reminders").

Both rest on the recipient's notifications, so no new column is needed:
- a request is **seen** once the recipient read its `endorsement_request.received` notification (the bell, the
  notifications page, or opening the requests page, which then reads the notifications of the requests it
  shows: vouch.js posts them to /notifications/read/, since a GET writes nothing);
- a **reminder** is a second `endorsement_request.received` notification for the same request, its payload
  marked `"reminder": true`. A requester may send one per request, `REMIND_AFTER` after asking, while the
  request is pending.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from endorsements import payloads
from endorsements.error_codes import EndorsementErrorCode
from endorsements.models import EndorsementRequest, RequestStatus
from notifications.models import Notification
from notifications.payloads import Kind
from notifications.services import notify
from profiles.actors import is_signed_in
from vouch.errors import error, not_found
from vouch.ids import encode_id

REMIND_AFTER = timedelta(days=3)


def _gid(request_id: int) -> str:
    return encode_id("EndorsementRequest", request_id)


def _received(recipient_ids: Iterable[int], request_ids: Iterable[int]) -> Any:
    return Notification.objects.filter(
        kind=Kind.ENDORSEMENT_REQUEST_RECEIVED,
        recipient_id__in=list(recipient_ids),
        payload__requestId__in=[_gid(pk) for pk in request_ids],
    )


def outbox_states(requests: list[EndorsementRequest]) -> dict[int, dict[str, Any]]:
    """request id -> {"seen": bool, "reminded": bool, "remind_from": datetime | None}, one query for the list.
    `remind_from` is when a reminder may be sent (None when it may not: sent already, or not pending)."""
    if not requests:
        return {}
    by_gid = {_gid(r.pk): r.pk for r in requests}
    seen: set[int] = set()
    reminded: set[int] = set()
    rows = _received({r.recipient_id for r in requests}, [r.pk for r in requests]).values_list(
        "payload__requestId", "read_at", "payload__reminder"
    )
    for gid, read_at, reminder in rows:
        pk = by_gid.get(gid)
        if pk is None:
            continue
        if read_at is not None:
            seen.add(pk)
        if reminder:
            reminded.add(pk)
    out = {}
    for r in requests:
        may = r.effective_status == RequestStatus.PENDING and r.pk not in reminded
        out[r.pk] = {
            "seen": r.pk in seen or r.effective_status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED),
            "reminded": r.pk in reminded,
            "remind_from": (r.created_at + REMIND_AFTER) if may else None,
        }
    return out


@transaction.atomic
def remind_endorsement_request(actor: Any, *, request_id: int) -> EndorsementRequest:
    """Send the recipient one reminder of a pending request. Codes: NOT_FOUND (no such request of the actor's),
    INVALID_STATE (not pending), TOO_SOON (before REMIND_AFTER), ALREADY_REMINDED."""
    if not is_signed_in(actor):
        raise not_found("requestId", "endorsement request")
    request = (
        EndorsementRequest.objects.select_for_update(of=("self",))
        .select_related("requester__profile", "recipient", "skill")
        .filter(pk=request_id, requester_id=actor.pk)
        .first()
    )
    if request is None:
        raise not_found("requestId", "endorsement request")
    if request.effective_status != RequestStatus.PENDING:
        state = request.effective_status.lower()
        raise error("requestId", f"This request is {state}.", EndorsementErrorCode.INVALID_STATE)
    now = timezone.now()
    if now < request.created_at + REMIND_AFTER:
        days = REMIND_AFTER.days
        raise error("requestId", f"You can send a reminder {days} days after asking.", EndorsementErrorCode.TOO_SOON)
    if _received([request.recipient_id], [request.pk]).filter(payload__reminder=True).exists():
        raise error("requestId", "You already sent a reminder for this request.", EndorsementErrorCode.ALREADY_REMINDED)
    notify(
        request.recipient, Kind.ENDORSEMENT_REQUEST_RECEIVED, {**payloads.request_received(request), "reminder": True}
    )
    return request


def unseen_notification_ids(recipient: Any, requests: list[EndorsementRequest]) -> list[int]:
    """The recipient's unread notifications of these requests (at most 100): the requests page posts them to
    /notifications/read/ once it has shown them (a GET writes nothing), which makes the requests seen."""
    pending = [r.pk for r in requests if r.recipient_id == recipient.pk]
    if not pending:
        return []
    return list(
        _received([recipient.pk], pending)
        .filter(read_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
