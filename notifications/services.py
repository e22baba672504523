"""Storing notifications and pushing them live.

`notify()` is called by domain services inside their transaction: the row is written
with the event that caused it, and the push to the recipient's Channels group is
scheduled with transaction.on_commit, so nothing is pushed for a rolled-back event and
nothing is lost when nobody is connected (clients catch up with `resume`).

A push is best effort: it never raises and is bounded in time (notifications.push.PUSH_TIMEOUT), so a
channel layer that is down or hangs never fails or stalls the request that caused it; with a Redis layer the
committing thread only hands the push to the process's sender thread (notifications.push).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jobs.engine import enqueue_on_commit
from notifications import push as live
from notifications.channels import CHANNELS, EMAIL, MAILABLE, OFF, all_channels, channel_for
from notifications.error_codes import NotificationErrorCode
from notifications.models import MailState, Notification
from notifications.payloads import KINDS, NotificationData, NotificationPushMessage, UnreadPushMessage
from profiles.actors import is_signed_in
from vouch.errors import Code

log = logging.getLogger(__name__)

# One `resume` replays at most this many notifications (oldest first); the client resumes
# again from the last id it received to get more (the `resumed` frame says `hasMore`).
REPLAY_LIMIT = 500
# markNotificationsRead takes at most this many ids at once.
MARK_READ_MAX_IDS = 100


def group_name(user_id: int) -> str:
    return f"user.{user_id}"


def session_group_name(session_key: str) -> str:
    """The group of the sockets opened with one login session (a browser's cookie or an app's token).

    Hashed: the session key is a credential and group names travel through Redis.
    """
    import hashlib

    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def end_live_sessions(session_key: str | None) -> None:
    """Close the sockets opened with `session_key` (its login session just ended). Never raises."""
    if not session_key:
        return

    def send() -> None:
        try:
            live.send_now(session_group_name(session_key), {"type": "session.ended"})
        except Exception:  # a layer that is down must not fail the logout
            log.warning("could not close the live sockets of an ended session", exc_info=True)

    transaction.on_commit(send)


def end_member_sockets(user_id: int) -> None:
    """Close every live socket of a member (account deleted or deactivated), after commit. Never raises."""

    def send() -> None:
        try:
            live.send_now(group_name(user_id), {"type": "session.ended"})
        except Exception:  # a layer that is down must not fail the deletion
            log.warning("could not close the live sockets of a deleted member", exc_info=True)

    transaction.on_commit(send)


def serialize(notification: Notification) -> NotificationData:
    from vouch.ids import encode_id

    return {
        "id": encode_id("Notification", notification.pk),
        "kind": notification.kind,
        "payload": notification.payload,
        "createdAt": notification.created_at.isoformat(),
    }


# --- writing -------------------------------------------------------------------------------
def notify(recipient: Any, kind: str, payload: Mapping[str, Any], *, profile: Any = None) -> Notification:
    """Store a notification for `recipient` and push it after the surrounding transaction commits.

    `profile`: the recipient's profile as the caller read it in this transaction, if it did (its notification
    preferences are then not read again). Never a profile loaded earlier: preferences may have changed since.

    Call it from a service, inside that service's transaction.atomic(). Muted kinds
    (Profile.muted_kinds) are stored like any other and counted as unread; only the
    live `notification` frame is skipped (the `unread` frame is still sent).
    """
    if kind not in KINDS:  # a programming error, not user input: fail loudly in tests
        raise ValueError(f"unknown notification kind {kind!r}; add it to notifications.payloads.Kind")
    notification = Notification.objects.create(recipient=recipient, kind=kind, payload=dict(payload))
    # The message (with the unread count, which includes this row) is built now, inside the
    # caller's transaction, so after COMMIT only the group_send is left: that is the time
    # from commit to frame (bench/notifications_live.py).
    muted, channels = _preferences(notification.recipient_id, profile)
    message = _push_message(notification, muted=muted, channels=channels)
    transaction.on_commit(lambda: _send_push(notification.recipient_id, notification.pk, message))
    if channel_for(kind, channels) == EMAIL:
        # A job, after commit: the request does not wait for SMTP, and a rolled-back event mails nothing.
        from notifications.tasks import send_notification_email

        enqueue_on_commit(send_notification_email, notification.pk)
    return notification


def mark_read(actor: Any, *, ids: Iterable[int] | None = None, all: bool = False) -> int:  # `all`: the API's name
    """Mark the actor's notifications read: the given primary keys, or all. Returns the new unread count.

    Exactly one of `ids` (non-empty) or `all=True`. A key that is not one of the actor's
    notifications is NOT_FOUND and nothing is written (we never reveal whether it exists).
    Already-read notifications keep their first read time.
    """
    wanted = sorted(set(ids or ()))
    if all == bool(wanted):
        raise ValidationError(
            "Give either the ids of the notifications to mark read, or all: true.",
            code=NotificationErrorCode.IDS_OR_ALL_REQUIRED,
        )
    if len(wanted) > MARK_READ_MAX_IDS:
        raise ValidationError(
            {"ids": ValidationError(f"At most {MARK_READ_MAX_IDS} ids at once.", code=Code.TOO_MANY_IDS)}
        )
    with transaction.atomic():
        mine = Notification.objects.filter(recipient=actor)
        if wanted:
            owned = set(mine.filter(pk__in=wanted).values_list("pk", flat=True))
            if owned != set(wanted):
                from vouch.errors import not_found

                raise not_found("ids", "notification")
            mine = mine.filter(pk__in=wanted)
        changed = mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        count = unread_count(actor)
        if changed:
            transaction.on_commit(lambda: push_unread(actor.pk, count))
    return count


def update_preferences(
    actor: Any, *, muted_kinds: Iterable[str] | None = None, channels: Iterable[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """Set the kinds not pushed live (`muted_kinds`, replaces the list) and/or the channel of some kinds
    (`channels`: (kind, LIVE_ONLY | EMAIL | DIGEST | OFF) pairs; kinds not named keep theirs). Nothing is written
    when anything is refused. Returns `preferences_of(actor)`."""
    from profiles.models import Profile

    pairs = [(str(k).strip(), str(c).strip().upper()) for k, c in (channels or ())]
    kinds = sorted({str(k).strip() for k in muted_kinds}) if muted_kinds is not None else None
    unknown = sorted({k for k in (kinds or [])} - KINDS)
    if unknown:
        raise ValidationError(
            {
                "muted_kinds": ValidationError(
                    "Unknown notification kind(s): %(kinds)s. Known: %(known)s.",
                    code=NotificationErrorCode.UNKNOWN_KIND,
                    params={"kinds": ", ".join(unknown), "known": ", ".join(sorted(KINDS))},
                )
            }
        )
    if len(pairs) > 2 * len(KINDS):
        raise ValidationError(
            {"channels": ValidationError("Too many entries.", code=NotificationErrorCode.TOO_MANY_ITEMS)}
        )
    unknown = sorted({k for k, _ in pairs} - KINDS)
    if unknown:
        raise ValidationError(
            {
                "channels": ValidationError(
                    "Unknown notification kind(s): %(kinds)s. Known: %(known)s.",
                    code=NotificationErrorCode.UNKNOWN_KIND,
                    params={"kinds": ", ".join(unknown), "known": ", ".join(sorted(KINDS))},
                )
            }
        )
    for kind, channel in pairs:
        if channel not in CHANNELS:
            raise ValidationError(
                {"channels": ValidationError(f"Unknown channel {channel[:20]!r}.", code=Code.INVALID)}
            )
        if channel in {EMAIL, "DIGEST"} and kind not in MAILABLE:
            raise ValidationError(
                {"channels": ValidationError(f"{kind} is not sent by e-mail.", code=NotificationErrorCode.NOT_MAILABLE)}
            )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=actor)
        fields = []
        if kinds is not None:
            profile.muted_kinds, fields = kinds, ["muted_kinds"]
        if pairs:
            stored = dict(profile.notification_channels or {})
            stored.update(dict(pairs))
            profile.notification_channels = {k: v for k, v in sorted(stored.items()) if k in KINDS}
            fields.append("notification_channels")
        if fields:
            profile.save(update_fields=[*fields, "updated_at"])
    return preferences_of(actor)


def preferences_of(actor: Any) -> dict[str, Any]:
    """What the settings page and `notificationPreferences` show: muted kinds, every kind's channel, and the
    e-mail state (the address mail goes to, or why it stopped)."""
    muted, stored = _preferences(actor.pk)
    state = MailState.objects.filter(user_id=actor.pk).first()
    stopped = bool(state and state.stopped_address and state.stopped_address.lower() == (actor.email or "").lower())
    return {
        "muted_kinds": sorted(muted),
        "channels": all_channels(stored),
        "email": {
            "address": actor.email or None,
            "stopped": stopped,
            "stopped_reason": state.stopped_reason if stopped and state else None,
            "stopped_at": state.stopped_at if stopped and state else None,
        },
    }


def resume_email(actor: Any) -> dict[str, Any]:
    """Mail the member's address again after it refused mail (they fixed their mailbox)."""
    MailState.objects.filter(user_id=actor.pk).update(stopped_address="", stopped_reason="", stopped_at=None)
    return preferences_of(actor)


def revoke_unsubscribe_links(actor: Any) -> None:
    """Every unsubscribe link sent so far stops working (e.g. a mail was forwarded)."""
    from django.db.models import F

    MailState.objects.get_or_create(user_id=actor.pk)
    MailState.objects.filter(user_id=actor.pk).update(token_generation=F("token_generation") + 1)


def unsubscribe_target(token: str) -> tuple[Any, str]:
    """The member and kind ("digest" for the digest) an unsubscribe token names; mail.BadToken when the token is
    tampered with, expired, revoked, or names a member or kind that no longer exists. Reads only."""
    from notifications.mail import DIGEST as DIGEST_TOKEN
    from notifications.mail import BadToken, read_token
    from profiles.models import User

    user_id, kind, generation = read_token(token)
    user = User.objects.select_related("profile").filter(pk=user_id).first()
    if user is None or (kind not in MAILABLE and kind != DIGEST_TOKEN):
        raise BadToken("invalid")
    state = MailState.objects.filter(user_id=user_id).first()
    if (state.token_generation if state else 0) != generation:
        raise BadToken("revoked")
    return user, kind


def unsubscribe(token: str) -> tuple[Any, list[str]]:
    """One-click unsubscribe (RFC 8058), no login: the token's kind goes LIVE_ONLY (for the digest token: every kind
    now in the digest). Returns the member and the kinds changed. Idempotent; BadToken changes nothing."""
    from notifications.channels import DIGEST as DIGEST_CHANNEL
    from notifications.channels import LIVE_ONLY
    from notifications.mail import DIGEST as DIGEST_TOKEN

    user, kind = unsubscribe_target(token)
    stored = _preferences(user.pk)[1]
    if kind == DIGEST_TOKEN:
        kinds = [k for k in sorted(MAILABLE) if channel_for(k, stored) == DIGEST_CHANNEL]
    else:
        kinds = [kind] if channel_for(kind, stored) in {EMAIL, DIGEST_CHANNEL} else []
    if kinds:
        update_preferences(user, channels=[(k, LIVE_ONLY) for k in kinds])
    return user, kinds


# --- reading -------------------------------------------------------------------------------
def unread_count(user: Any) -> int:
    """Served by the partial index on unread rows."""
    if not is_signed_in(user):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_for(user: Any, *, unread_only: bool = False) -> Any:
    """The user's notifications, newest first (anonymous: none)."""
    if not is_signed_in(user):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient_id=user.pk).order_by("-id")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def replay(user: Any, *, after: int, limit: int | None = None) -> tuple[list[Notification], bool]:
    """The user's notifications with id > `after`, oldest first, at most `limit`; and whether more remain.

    Filtering by recipient is what keeps a forged `after` (another member's notification id)
    harmless: it is only a position, and only the caller's own rows are returned.
    """
    limit = REPLAY_LIMIT if limit is None else limit
    rows = list(Notification.objects.filter(recipient_id=user.pk, pk__gt=after).order_by("id")[: limit + 1])
    return rows[:limit], len(rows) > limit


def muted_kinds(user_id: int) -> frozenset[str]:
    return _preferences(user_id)[0]


def _preferences(user_id: int, profile: Any = None) -> tuple[frozenset[str], dict[str, Any]]:
    """(kinds not pushed live, stored channel per kind), in one query; none if the caller gives the user's `profile`
    as it read it in its transaction."""
    from profiles.models import Profile

    if profile is not None and profile.user_id == user_id:
        row: Any = (profile.muted_kinds, profile.notification_channels)
    else:
        row = Profile.objects.filter(user_id=user_id).values_list("muted_kinds", "notification_channels").first()
    muted, channels = row or ((), {})
    return frozenset(muted or ()), channels if isinstance(channels, dict) else {}


# --- pushing -------------------------------------------------------------------------------
def _push_message(notification: Notification, *, muted: frozenset[str], channels: dict[str, Any]) -> dict[str, Any]:
    """The group message for a notification: the frame, or only the unread count for a muted kind (or OFF)."""
    user_id = notification.recipient_id
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    if notification.kind in muted or channel_for(notification.kind, channels) == OFF:
        only_count: UnreadPushMessage = {"type": "unread.push", "count": count}
        return dict(only_count)
    message: NotificationPushMessage = {
        "type": "notification.push",
        "notification": serialize(notification),
        "pk": notification.pk,
        "unread": count,
    }
    return dict(message)


def _send_push(user_id: int, pk: int, message: dict[str, Any]) -> None:
    try:
        if message["type"] == "notification.push":
            message = dict(message, sentAt=time.time())
        _group_send(group_name(user_id), message)
    except Exception:  # the layer failing must not fail the request; the row is stored
        log.warning("live push of notification %s failed", pk, exc_info=True)


def push_unread(user_id: int, count: int) -> None:
    """Tell every open socket of the user their unread count changed. Never raises."""
    try:
        message: UnreadPushMessage = {"type": "unread.push", "count": count}
        _group_send(group_name(user_id), dict(message))
    except Exception:
        log.warning("live push of the unread count of user %s failed", user_id, exc_info=True)


def _group_send(group: str, message: dict[str, Any]) -> None:
    """Hand the push to the process's push sender (notifications.push): the committing thread does not wait."""
    live.push(group, message)
