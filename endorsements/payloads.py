"""The payloads of the notifications endorsements cause.

The TypedDicts are notifications.payloads' (one definition for senders and clients);
these builders fill them from rows the services already hold, so a client can render
"Maria endorsed you for Kubernetes" and link it without another query.
"""

from __future__ import annotations

from typing import Any

from notifications.payloads import (
    EndorsementReceivedPayload,
    EndorsementRequestAnsweredPayload,
    EndorsementRequestReceivedPayload,
    MemberRef,
    ReconfirmationRequestedPayload,
    ReconfirmedPayload,
    SkillRef,
)
from vouch.ids import encode_id

REQUEST_INBOX_URL = "/requests/"
REVIEW_QUEUE_URL = "/settings/endorsements/#review"


def request_url(request: Any) -> str:
    """The request itself on the requests page (inbox or outbox: one anchor per request)."""
    return f"{REQUEST_INBOX_URL}#request-{request.pk}"


def member_url(user: Any) -> str:
    return f"/m/{user.username}/"


def member_ref(user: Any) -> MemberRef:
    profile = getattr(user, "profile", None)
    return {
        "username": user.username,
        "displayName": (profile.display_name if profile else "") or user.username,
        "url": member_url(user),
    }


def skill_ref(skill: Any) -> SkillRef:
    return {"name": skill.name, "slug": skill.slug}


def endorsement_received(endorsement: Any) -> EndorsementReceivedPayload:
    payload: EndorsementReceivedPayload = {
        "endorsementId": encode_id("Endorsement", endorsement.pk),
        "endorser": member_ref(endorsement.endorser),
        "skill": skill_ref(endorsement.skill),
        "memberSkillId": encode_id("MemberSkill", endorsement.member_skill_id),
        "relationship": endorsement.relationship,
        "url": member_url(endorsement.member),
    }
    if endorsement.comment:
        payload["comment"] = endorsement.comment
    if endorsement.pending_review:
        # The member reviews endorsements before they show: the link goes to the queue.
        payload["awaitingReview"] = True
        payload["url"] = REVIEW_QUEUE_URL
    return payload


def request_received(request: Any) -> EndorsementRequestReceivedPayload:
    payload: EndorsementRequestReceivedPayload = {
        "requestId": encode_id("EndorsementRequest", request.pk),
        "requester": member_ref(request.requester),
        "skill": skill_ref(request.skill),
        "relationship": request.relationship,
        "url": request_url(request),
    }
    if request.message:
        payload["message"] = request.message
    return payload


def request_answered(request: Any, endorsement: Any = None) -> EndorsementRequestAnsweredPayload:
    """To the requester. A decline says only that: no comment, no reason (docs/endorsements.md)."""
    payload: EndorsementRequestAnsweredPayload = {
        "requestId": encode_id("EndorsementRequest", request.pk),
        "recipient": member_ref(request.recipient),
        "skill": skill_ref(request.skill),
        "status": request.status,
        # Accepted: the endorsement shows on the requester's own profile. Declined: the outbox.
        "url": member_url(request.requester) if request.endorsement_id else request_url(request),
    }
    if request.endorsement_id:
        payload["endorsementId"] = encode_id("Endorsement", request.endorsement_id)
    if endorsement is not None and endorsement.pending_review:
        payload["awaitingReview"] = True
        payload["url"] = REVIEW_QUEUE_URL
    return payload


def reconfirmation_requested(endorsement: Any, url: str) -> ReconfirmationRequestedPayload:
    return {
        "endorsementId": encode_id("Endorsement", endorsement.pk),
        "member": member_ref(endorsement.member),
        "skill": skill_ref(endorsement.skill),
        "givenAt": endorsement.fresh_since.isoformat(),
        "url": url,
    }


def reconfirmed(endorsement: Any) -> ReconfirmedPayload:
    return {
        "endorsementId": encode_id("Endorsement", endorsement.pk),
        "endorser": member_ref(endorsement.endorser),
        "skill": skill_ref(endorsement.skill),
        "url": member_url(endorsement.member),
    }
