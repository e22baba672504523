"""Who may see and change endorsements and requests. Used by services, resolvers and pages alike.

Anything a caller may not see is answered as if it did not exist (NOT_FOUND).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from endorsements.models import Endorsement, EndorsementRequest
from profiles.actors import is_signed_in
from profiles.models import Block, Visibility


def visible_endorsements(
    viewer: Any, queryset: QuerySet[Endorsement] | None = None, *, member_visible: bool = False
) -> QuerySet[Endorsement]:
    """Endorsements `viewer` may see in lists: visible ones, plus hidden ones they received, plus their
    own that wait for the member's review (shown to them as pending; docs/endorsements.md).

    Endorsements whose endorser or member `viewer` may not see are left out (an anonymous
    visitor does not learn the names of members-only profiles from someone else's page).
    `member_visible=True` when the caller already checked the member (e.g. reached through
    their profile): the member's checks are skipped, sparing two joins.
    """
    qs = queryset if queryset is not None else Endorsement.objects.all()
    qs = qs.filter(endorser__is_active=True)
    if not member_visible:
        qs = qs.filter(member__is_active=True)
    if is_signed_in(viewer):
        return qs.filter(Q(hidden=False) | Q(member_id=viewer.pk) | Q(endorser_id=viewer.pk, pending_review=True))
    qs = qs.filter(hidden=False, endorser__profile__visibility=Visibility.PUBLIC)
    return qs if member_visible else qs.filter(member__profile__visibility=Visibility.PUBLIC)


def can_hide(actor: Any, endorsement: Endorsement) -> bool:
    """Only the endorsed member hides or shows an endorsement."""
    return is_signed_in(actor) and endorsement.member_id == actor.pk


def can_see_status(viewer: Any, endorsement: Endorsement) -> bool:
    """Whether it is hidden or waits for review is the member's business; the endorser sees only that
    their own endorsement waits (not that it was hidden)."""
    return is_signed_in(viewer) and viewer.pk in (endorsement.member_id, endorsement.endorser_id)


def can_withdraw(actor: Any, endorsement: Endorsement) -> bool:
    return is_signed_in(actor) and endorsement.endorser_id == actor.pk


def can_request_reconfirmation(actor: Any, endorsement: Endorsement) -> bool:
    """Only the endorsed member asks "Still true?"."""
    return is_signed_in(actor) and endorsement.member_id == actor.pk


def can_reconfirm(actor: Any, endorsement: Endorsement) -> bool:
    """Only the endorser re-confirms (or withdraws) their endorsement."""
    return is_signed_in(actor) and endorsement.endorser_id == actor.pk


def visible_requests(viewer: Any, queryset: QuerySet[EndorsementRequest] | None = None) -> QuerySet[EndorsementRequest]:
    """A request is seen by its two parties only."""
    qs = queryset if queryset is not None else EndorsementRequest.objects.all()
    if not is_signed_in(viewer):
        return qs.none()
    return qs.filter(Q(requester_id=viewer.pk) | Q(recipient_id=viewer.pk))


def can_answer(actor: Any, request: EndorsementRequest) -> bool:
    return is_signed_in(actor) and request.recipient_id == actor.pk


def can_cancel(actor: Any, request: EndorsementRequest) -> bool:
    return is_signed_in(actor) and request.requester_id == actor.pk


def blocked_between(a: Any, b: Any) -> bool:
    """Either member blocked the other: no endorsements or requests pass between them."""
    return Block.objects.filter(Q(blocker_id=a.pk, blocked_id=b.pk) | Q(blocker_id=b.pk, blocked_id=a.pk)).exists()
