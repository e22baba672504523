"""Notification e-mail: what a mail says, its unsubscribe link, and sending it (docs/notifications.md, "E-mail").

Every mail is HTML + plain text from templates (notifications/templates/notifications/email/), from SITE_NAME, with
absolute links (SITE_URL) to the exact request or endorsement, and carries RFC 8058 one-click unsubscribe headers:
`List-Unsubscribe: <SITE_URL/unsubscribe/<token>/>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
A mail names only the member it goes to and the person who acted (display name and profile link), never another
member's e-mail address or anything the recipient could not see on the site.

Tokens are signed (django.core.signing, salted), name one member and one kind (or "digest"), expire after
UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS and are revoked together by bumping `MailState.token_generation`.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from notifications.payloads import Kind

log = logging.getLogger(__name__)

TOKEN_SALT = "vouch.notifications.unsubscribe"
DIGEST = "digest"  # the token "kind" of the digest mail
# An endorsement waiting for the member's review (docs/endorsements.md, "Review before showing").
REVIEW_LINE = "It awaits your review: it shows on your profile and counts only once you show it."


# --- unsubscribe tokens -------------------------------------------------------------------------------------------
class BadToken(Exception):
    def __init__(self, reason: str) -> None:  # "invalid" | "expired" | "revoked"
        super().__init__(reason)
        self.reason = reason


def make_token(user_id: int, kind: str, generation: int) -> str:
    return signing.dumps({"u": user_id, "k": kind, "g": generation}, salt=TOKEN_SALT)


def read_token(token: str) -> tuple[int, str, int]:
    """(user id, kind, generation) of a well-signed, unexpired token; BadToken otherwise. Bounded: tokens are short."""
    if not token or len(token) > 300:
        raise BadToken("invalid")
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise BadToken("expired") from exc
    except (signing.BadSignature, ValueError, UnicodeError) as exc:
        raise BadToken("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("k"), str):
        raise BadToken("invalid")
    return data["u"], data["k"], int(data.get("g") or 0)


def unsubscribe_url(user_id: int, kind: str, generation: int) -> str:
    return f"{settings.SITE_URL}/unsubscribe/{make_token(user_id, kind, generation)}/"


# --- what a notification says ---------------------------------------------------------------------------------------
@dataclass
class Item:
    kind: str
    subject: str  # one line: the mail's subject, or the digest entry's title
    detail: str  # a second line (the request's message, the endorsement's comment, error codes), may be ""
    link: str  # absolute
    action: str  # the button's label


def _abs(path: str) -> str:
    path = path if path.startswith("/") else "/" + path
    return settings.SITE_URL + path


def _pk(global_id: Any, type_name: str) -> int | None:
    from vouch.ids import decode_id

    try:
        return decode_id(str(global_id), type_name)
    except Exception:
        return None


def describe(kind: str, payload: dict[str, Any]) -> Item:
    def name(ref: Any) -> str:
        return str((ref or {}).get("displayName") or (ref or {}).get("username") or "Someone")[:80]

    skill = str((payload.get("skill") or {}).get("name") or "a skill")[:80]
    if kind == Kind.ENDORSEMENT_REQUEST_RECEIVED:
        pk = _pk(payload.get("requestId"), "EndorsementRequest")
        link = _abs(f"/requests/#request-{pk}" if pk else "/requests/")
        return Item(
            kind,
            f"{name(payload.get('requester'))} asked you to endorse them for {skill}",
            str(payload.get("message") or "")[:500],
            link,
            "Answer the request",
        )
    if kind == Kind.ENDORSEMENT_REQUEST_ANSWERED:
        who = name(payload.get("recipient"))
        if payload.get("status") == "ACCEPTED":
            pk = _pk(payload.get("endorsementId"), "Endorsement")
            link = _abs(f"/settings/endorsements/#endorsement-{pk}" if pk else "/settings/endorsements/")
            if payload.get("awaitingReview") is True:
                return Item(
                    kind, f"{who} endorsed you for {skill}, as you asked", REVIEW_LINE, link, "Review the endorsement"
                )
            return Item(kind, f"{who} endorsed you for {skill}, as you asked", "", link, "See the endorsement")
        return Item(kind, f"{who} answered your request about {skill}", "", _abs("/requests/"), "See your requests")
    if kind == Kind.ENDORSEMENT_RECEIVED:
        pk = _pk(payload.get("endorsementId"), "Endorsement")
        link = _abs(f"/settings/endorsements/#endorsement-{pk}" if pk else "/settings/endorsements/")
        review = payload.get("awaitingReview") is True
        comment = str(payload.get("comment") or "")[:500]
        return Item(
            kind,
            f"{name(payload.get('endorser'))} endorsed you for {skill}",
            (REVIEW_LINE + (" “" + comment + "”" if comment else "")) if review else comment,
            link,
            "Review the endorsement" if review else "See the endorsement",
        )
    if kind == Kind.ENDORSEMENT_RECONFIRMATION_REQUESTED:
        url = str(payload.get("url") or "")
        link = _abs(url if url.startswith("/reconfirm/") else "/notifications/")
        return Item(
            kind,
            f"Still true? {name(payload.get('member'))} asks you to re-confirm your endorsement for {skill}",
            "One click re-confirms it; you can also withdraw it from the same page.",
            link,
            "Re-confirm or withdraw",
        )
    if kind == Kind.ENDORSEMENT_RECONFIRMED:
        return Item(
            kind,
            f"{name(payload.get('endorser'))} re-confirmed their endorsement of your {skill}",
            "",
            _abs(str(payload.get("url") or "/settings/endorsements/")),
            "See your profile",
        )
    if kind in {Kind.BADGE_VERIFIED, Kind.BADGE_FAILED, Kind.BADGE_REVOKED}:
        badge = payload.get("badge") or {}
        title = str(badge.get("name") or "Your badge")[:120]
        link = _abs(str(badge.get("url") or "/badges/"))
        if kind == Kind.BADGE_VERIFIED:
            return Item(kind, f"Your badge “{title}” is verified", "", link, "See the badge")
        if kind == Kind.BADGE_FAILED:
            codes = ", ".join(str(c) for c in (payload.get("errors") or [])[:10])
            return Item(kind, f"Your badge “{title}” could not be verified", codes, link, "See the report")
        return Item(
            kind,
            f"Your badge “{title}” was revoked by its issuer",
            str(payload.get("reason") or "")[:300],
            link,
            "See the badge",
        )
    return Item(kind, "Something happened on " + settings.SITE_NAME, "", _abs("/notifications/"), "Open")


# --- building and sending -------------------------------------------------------------------------------------------
def _message(
    user: Any, *, subject: str, template: str, context: dict[str, Any], unsubscribe: str, address: str
) -> EmailMultiAlternatives:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "name": user.profile.name if hasattr(user, "profile") else user.username,
        "unsubscribe_url": unsubscribe,
        "settings_url": _abs("/settings/notifications/"),
        **context,
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject[:200],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(user: Any, notification: Any, *, address: str, generation: int) -> EmailMultiAlternatives:
    item = describe(notification.kind, notification.payload or {})
    return _message(
        user,
        subject=item.subject,
        template="notification",
        context={"item": item},
        unsubscribe=unsubscribe_url(user.pk, notification.kind, generation),
        address=address,
    )


def digest_message(
    user: Any, notifications: list[Any], *, more: int, address: str, generation: int
) -> EmailMultiAlternatives:
    items = [describe(n.kind, n.payload or {}) for n in notifications]
    count = len(items) + more
    subject = items[0].subject if count == 1 else f"{count} things happened on {settings.SITE_NAME}"
    return _message(
        user,
        subject=subject,
        template="digest",
        context={"items": items, "more": more, "count": count},
        unsubscribe=unsubscribe_url(user.pk, DIGEST, generation),
        address=address,
    )


class AddressRefused(Exception):
    """The receiving server refused the address for good (5xx): stop mailing it."""


def send(message: EmailMultiAlternatives) -> None:
    """Send; a permanent refusal of the recipient raises AddressRefused, anything transient propagates (retried)."""
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = [
            f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            for code, text in exc.recipients.values()
        ]
        if all(str(r).startswith("5") for r in reasons):
            raise AddressRefused("; ".join(reasons)[:500]) from exc
        raise
    except smtplib.SMTPSenderRefused:
        raise  # our sender address or the server's policy: an operator problem, retried, not the member's
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise AddressRefused(f"{exc.smtp_code} {error}"[:500]) from exc
        raise
