"""Small presentation helpers for the templates (no data access here)."""

from __future__ import annotations

import zlib
from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


def _initials(name: str) -> str:
    parts = [p for p in name.replace("-", " ").replace("_", " ").split() if p]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


@register.simple_tag
def avatar(user: Any, size: str = "") -> str:
    """The member's avatar image, or their initials on a colour derived from the handle."""
    profile = getattr(user, "profile", None)
    name = (profile.name if profile else None) or user.username
    size_class = f" avatar--{size}" if size else ""
    image = None
    if profile is not None:
        image = profile.avatar_small if size == "sm" and profile.avatar_small else profile.avatar
    if image:
        return format_html('<img class="avatar{}" src="{}" alt="">', size_class, image.url)
    hue = zlib.crc32(user.username.encode()) % 8
    return format_html(
        '<span class="avatar{} avatar--h{}" aria-hidden="true">{}</span>', size_class, hue, _initials(name)
    )


@register.filter
def meter_class(score: float, top: float) -> str:
    """A CSS width step (w0..w10) for a score relative to the page's highest one (no inline styles under CSP)."""
    try:
        ratio = float(score) / float(top) if top else 0.0
    except (TypeError, ValueError):
        ratio = 0.0
    return f"w{max(0, min(10, round(ratio * 10)))}"


@register.filter
def score_format(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "0"
    return f"{number:.1f}" if number < 100 else f"{number:.0f}"


# What each notification kind is called in the preferences, and how one reads in the list.
KIND_LABELS = {
    "endorsement.received": "Someone endorsed me",
    "endorsement_request.received": "Someone asked me for an endorsement",
    "endorsement_request.answered": "My request was answered",
    "endorsement.reconfirmation_requested": "Someone asked me to re-confirm an endorsement",
    "endorsement.reconfirmed": "Someone re-confirmed an endorsement of me",
    "badge.verified": "A badge of mine was verified",
    "badge.failed": "A badge of mine failed verification",
    "badge.revoked": "A badge of mine was revoked or expired",
}


def _name(ref: Any) -> str:
    if isinstance(ref, dict):
        return str(ref.get("displayName") or ref.get("username") or "Someone")
    return "Someone"


def notification_line(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """A sentence and a same-site link for a stored notification (the payload carries both)."""
    payload = payload if isinstance(payload, dict) else {}
    skill = (payload.get("skill") or {}).get("name", "a skill") if isinstance(payload.get("skill"), dict) else "a skill"
    badge: dict[str, Any] = payload["badge"] if isinstance(payload.get("badge"), dict) else {}
    url = payload.get("url") or badge.get("url") or ""
    review = " It awaits your review: show or hide it." if payload.get("awaitingReview") is True else ""
    if kind == "endorsement.received":
        text = f"{_name(payload.get('endorser'))} endorsed you for {skill}.{review}"
    elif kind == "endorsement_request.received" and payload.get("reminder") is True:
        text = f"Reminder: {_name(payload.get('requester'))} asked you to endorse their {skill}."
    elif kind == "endorsement_request.received":
        text = f"{_name(payload.get('requester'))} asked you to endorse their {skill}."
    elif kind == "endorsement_request.answered":
        verb = "accepted" if payload.get("status") == "ACCEPTED" else "declined"
        text = f"{_name(payload.get('recipient'))} {verb} your request for {skill}.{review}"
    elif kind == "endorsement.reconfirmation_requested":
        text = f"Still true? {_name(payload.get('member'))} asks you to re-confirm your endorsement for {skill}."
    elif kind == "endorsement.reconfirmed":
        text = f"{_name(payload.get('endorser'))} re-confirmed their endorsement of your {skill}."
    elif kind == "badge.verified":
        text = f"Your badge “{badge.get('name', 'badge')}” is verified."
    elif kind == "badge.failed":
        text = f"Your badge “{badge.get('name', 'badge')}” could not be verified."
    elif kind == "badge.revoked":
        text = f"Your badge “{badge.get('name', 'badge')}” is no longer valid."
    else:
        text = kind
    if not (isinstance(url, str) and url.startswith("/") and not url.startswith("//")):
        url = ""  # only same-site links: a payload never sends the reader elsewhere
    return text, url


@register.simple_tag
def notification_text(n: Any) -> str:
    return notification_line(n.kind, n.payload)[0]


@register.simple_tag
def notification_url(n: Any) -> str:
    return notification_line(n.kind, n.payload)[1]


@register.filter
def check_message(code: str) -> str:
    from badges.openbadges.codes import message_for

    return message_for(code)


@register.filter
def global_id(obj: Any, type_name: str) -> str:
    from vouch.ids import encode_id

    return encode_id(type_name, obj.pk)


@register.filter
def credential_path(endorsement_pk: int) -> str:
    """The endorsement's EndorsementCredential (docs/credentials.md), relative to the site."""
    from credentials.issuing import public_id

    return f"/e/{public_id(int(endorsement_pk))}/credential"


@register.simple_tag(takes_context=True)
def linkedin_add_url(context: Any, badge: Any) -> str:
    """LinkedIn's "Add to profile" link for a verified public badge, its public page as the credential URL."""
    from credentials.views import origin_of
    from frontend.sharing import linkedin_url

    request = context["request"]
    return linkedin_url(badge, f"{origin_of(request)}/b/{badge.public_id}/")


@register.filter
def http_url(value: Any) -> str:
    """The URL if it is an absolute http(s) one, else "" (so a template renders it as text, never as a link)."""
    from badges.openbadges.util import safe_url

    return safe_url(value) or ""


_RELATION_WORDS = {
    "MANAGER": "Managed {name}",
    "REPORT": "Reported to {name}",
    "PEER": "Worked alongside {name}",
    "OTHER": "Vouches for {name}",
}


def _times(value: float) -> str:
    places = 2 if abs(value) < 1 else 1
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return f"{text or '0'}×"


@register.simple_tag
def weight_summary(endorsement: Any, member: Any) -> str:
    """One line with the weight said once: "Managed Ana · counts 3×" (the relationship as it counts)."""
    inputs = endorsement.weight_inputs if isinstance(endorsement.weight_inputs, dict) else {}
    relationship = inputs.get("relationship") or endorsement.relationship
    profile = getattr(member, "profile", None)
    name = ((profile.name if profile else "") or member.username).split()[0]
    relation = _RELATION_WORDS.get(relationship, _RELATION_WORDS["OTHER"]).format(name=name)
    return f"{relation} · counts {_times(endorsement.weight)}"


@register.filter
def without_weight(explanation: str) -> str:
    """The explanation without its closing "Weight 4.29." (the summary line says the weight once)."""
    head, sep, tail = (explanation or "").rpartition(". Weight ")
    return head + "." if sep and tail.rstrip(".").replace(".", "", 1).isdigit() else explanation


@register.filter
def scale_class(score: Any) -> str:
    """A CSS width step (w0..w10) on the one 0–100 scale every score uses, so bars compare across people."""
    try:
        number = float(score)
    except (TypeError, ValueError):
        number = 0.0
    return f"w{max(0, min(10, round(number / 10)))}"


_SOURCE_WORDS = {"URL": "a link", "TEXT": "pasted assertion text", "IMAGE": "an uploaded badge image"}


@register.filter
def source_words(badge: Any) -> str:
    """Where a badge came from, in words: "a link" (with its host when known), "an uploaded badge image"…"""
    words = _SOURCE_WORDS.get(getattr(badge, "source_kind", ""), "an import")
    if getattr(badge, "source_kind", "") == "URL" and getattr(badge, "source_url", ""):
        from urllib.parse import urlsplit

        host = urlsplit(badge.source_url).hostname or ""
        if host:
            words += f" to {host}"
    return words


@register.filter
def asked_as(relationship: str) -> str:
    """What a requester said the recipient is to them, as the request form put it ("my manager")."""
    from frontend.forms import REQUEST_RELATIONSHIP_CHOICES

    return dict(REQUEST_RELATIONSHIP_CHOICES).get(relationship, "Other").lower()
