"""Notification e-mail as jobs (docs/notifications.md, "E-mail"; the engine: docs/architecture.md, "Jobs").

- `send_notification_email(notification_id)`: enqueued on commit by `notify()` for a kind whose channel is EMAIL.
- `send_digests()`: periodic (PERIODIC_JOBS "notifications.send_digests"); claims each due member's digest with a
  conditional UPDATE on `MailState.next_digest_at` and enqueues `send_digest(user_id)` for the members it won.
- `send_digest(user_id)`: one member's digest: their unread, not yet mailed notifications of DIGEST kinds from the
  last DIGEST_WINDOW_DAYS; nothing to say, nothing sent.

All idempotent: a notification mailed (alone or in a digest) gets `emailed_at`, and a job finds it set and stops. A
transient SMTP failure raises and the engine retries with backoff; a permanent refusal of the address (5xx) stops
mail to that address (MailState.stopped_*) and the job ends normally: no retry storm.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from jobs.engine import retrying
from notifications.channels import DIGEST, EMAIL, MAILABLE, channel_for
from notifications.mail import AddressRefused, digest_message, notification_message, send
from notifications.models import MailState, Notification

log = logging.getLogger(__name__)


def deliverable(user: Any) -> tuple[str | None, MailState | None]:
    """The address to mail the member at, with their MailState; (None, …) when there is none we may use:
    inactive account, no or unverified address, or an address that refused mail for good."""
    if user is None or not user.is_active or not user.email:
        return None, None
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return None, None
    state, _ = MailState.objects.get_or_create(user=user)
    if state.stopped_address and state.stopped_address.lower() == user.email.lower():
        return None, state
    return user.email, state


def stop_address(user: Any, address: str, reason: str) -> None:
    log.warning("mail to member %s stopped: %s", user.pk, reason)
    MailState.objects.filter(user=user).update(
        stopped_address=address, stopped_reason=reason[:500], stopped_at=timezone.now()
    )


@task(priority=10)
@retrying(retries=5, backoff=60)
def send_notification_email(notification_id: int) -> str:
    notification = Notification.objects.select_related("recipient__profile").filter(pk=notification_id).first()
    if notification is None:
        return "deleted"
    if notification.emailed_at is not None:
        return "already sent"
    if notification.read_at is not None:
        return "already read"  # seen live in the meantime
    user = notification.recipient
    if channel_for(notification.kind, user.profile.notification_channels) != EMAIL:
        return "not wanted"
    address, state = deliverable(user)
    if address is None or state is None:
        return "no address"
    message = notification_message(user, notification, address=address, generation=state.token_generation)
    try:
        send(message)
    except AddressRefused as exc:
        stop_address(user, address, str(exc))
        return "address refused"
    Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return "sent"


def _digest_queryset(user: Any, now: datetime) -> Any:
    channels = user.profile.notification_channels
    kinds = [k for k in MAILABLE if channel_for(k, channels) == DIGEST]
    return Notification.objects.filter(
        recipient=user,
        kind__in=kinds,
        emailed_at__isnull=True,
        read_at__isnull=True,  # what the member already saw live is not mailed again
        created_at__gte=now - timedelta(days=settings.DIGEST_WINDOW_DAYS),
    ).order_by("id")


def due_digests(now: datetime | None = None) -> list[int]:
    """Claim the digests due now and return those members' ids. Each digest is claimed once, whoever runs this:
    `UPDATE … SET next_digest_at = now + interval WHERE user = … AND (next_digest_at IS NULL OR next_digest_at <= now)`
    changes the row for exactly one caller."""
    from profiles.models import Profile

    now = now or timezone.now()
    rows = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            kind__in=MAILABLE,
            created_at__gte=now - timedelta(days=settings.DIGEST_WINDOW_DAYS),
        )
        .values_list("recipient_id", "kind")
        .distinct()
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    for user_id, kind in rows:
        kinds[user_id].add(kind)
    prefs = dict(Profile.objects.filter(user_id__in=kinds).values_list("user_id", "notification_channels"))
    wanted = sorted(u for u, ks in kinds.items() if any(channel_for(k, prefs.get(u)) == DIGEST for k in ks))
    existing = set(MailState.objects.filter(user_id__in=wanted).values_list("user_id", flat=True))
    MailState.objects.bulk_create([MailState(user_id=u) for u in wanted if u not in existing], ignore_conflicts=True)
    interval = timedelta(hours=settings.DIGEST_INTERVAL_HOURS)
    claimed = []
    for user_id in wanted:
        won = (
            MailState.objects.filter(user_id=user_id)
            .filter(Q(next_digest_at__isnull=True) | Q(next_digest_at__lte=now))
            .update(next_digest_at=now + interval)
        )
        if won:
            claimed.append(user_id)
    return claimed


@task(priority=5)
def send_digests() -> int:
    """Periodic: claim the due digests and enqueue one job per member (retried on its own)."""
    claimed = 0
    for user_id in due_digests():
        with transaction.atomic():
            send_digest.enqueue(user_id)
        claimed += 1
    return claimed


@task(priority=5)
@retrying(retries=5, backoff=120)
def send_digest(user_id: int) -> str:
    return deliver_digest(user_id)


def deliver_digest(user_id: int, now: datetime | None = None) -> str:
    from profiles.models import User

    now = now or timezone.now()
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    address, state = deliverable(user)
    if user is None or address is None or state is None:
        return "no address"
    queryset = _digest_queryset(user, now)
    ids = list(queryset.values_list("pk", flat=True)[: settings.DIGEST_MAX_ITEMS * 10])
    if not ids:
        return "empty"  # never an empty digest
    shown = list(Notification.objects.filter(pk__in=ids[: settings.DIGEST_MAX_ITEMS]).order_by("id"))
    message = digest_message(
        user, shown, more=len(ids) - len(shown), address=address, generation=state.token_generation
    )
    try:
        send(message)
    except AddressRefused as exc:
        stop_address(user, address, str(exc))
        return "address refused"
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
    MailState.objects.filter(user_id=user_id).update(last_digest_at=now)
    return f"sent {len(ids)}"
