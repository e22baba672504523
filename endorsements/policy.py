"""Member controls over endorsements: who may endorse a member, review before showing, and the one
relationship an endorser has with a member (docs/endorsements.md, "Member controls").

The predicates here are read by endorsements.services (the authority: a refused endorsement gets
ENDORSEMENT_NOT_ALLOWED or BLOCKED) and by the pages and the API (to say up front, before anyone types a
comment, that and why the viewer may not endorse a member). "People I asked" are the members a request
from the member went to, open (pending, not expired) or answered (accepted or declined), for any skill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from endorsements.error_codes import EndorsementErrorCode
from endorsements.models import Endorsement, EndorsementRequest, Relationship, RequestStatus
from profiles.actors import is_signed_in
from profiles.models import EndorsementPolicy, Profile, User
from vouch.errors import Code
from vouch.errors import error as _error

NOT_ALLOWED = EndorsementErrorCode.ENDORSEMENT_NOT_ALLOWED
BLOCKED_MESSAGE = "You can’t endorse this member, and they can’t endorse you: one of you blocked the other."


@dataclass(frozen=True)
class Refusal:
    """Why `viewer` may not endorse a member: a payload code and a sentence for people."""

    code: str
    message: str


def was_asked(asker: Any, asked: Any) -> bool:
    """`asker` sent `asked` an endorsement request that is open (pending, not expired) or was answered."""
    from django.utils import timezone

    return EndorsementRequest.objects.filter(
        Q(status__in=[RequestStatus.ACCEPTED, RequestStatus.DECLINED])
        | Q(status=RequestStatus.PENDING, expires_at__gt=timezone.now()),
        requester_id=asker.pk,
        recipient_id=asked.pk,
    ).exists()


def _same_verified_organisation(a: Any, b: Any) -> bool:
    from profiles.workplaces import verified_workplaces

    places = verified_workplaces([a.pk, b.pk])
    return b.pk in places and places.get(a.pk) == places[b.pk]


def policy_refusal(endorser: Any, member: User) -> Refusal | None:
    """The member's "who may endorse me" refuses `endorser` (None: allowed). Blocks are checked apart
    (endorsements.permissions.blocked_between); answering a request one received is always allowed."""
    policy = member.profile.who_may_endorse
    if policy == EndorsementPolicy.ANYONE:
        return None
    name = member.profile.name
    if policy == EndorsementPolicy.ONLY_ASKED:
        if was_asked(member, endorser):
            return None
        return Refusal(NOT_ALLOWED, f"{name} accepts endorsements only from people they asked.")
    if was_asked(member, endorser) or _same_verified_organisation(endorser, member):
        return None
    return Refusal(
        NOT_ALLOWED,
        f"{name} accepts endorsements only from people at their verified organisation and people they asked.",
    )


def endorse_refusal(viewer: Any, member: User) -> Refusal | None:
    """Why `viewer` may not endorse `member` at all, whatever the skill (None: they may try).

    The same refusals as endorsements.services.endorse in the same order (self, block, policy), for the
    profile page and `Member.viewerMayEndorse`. A block says that there is one, not who made it.
    """
    from endorsements.permissions import blocked_between

    if not is_signed_in(viewer):
        return Refusal(Code.UNAUTHENTICATED, "Log in to endorse.")
    if viewer.pk == member.pk:
        return Refusal(EndorsementErrorCode.SELF_ENDORSEMENT, "This is your profile: you can’t endorse yourself.")
    if blocked_between(viewer, member):
        return Refusal(EndorsementErrorCode.BLOCKED, BLOCKED_MESSAGE)
    return policy_refusal(viewer, member)


def check_may_endorse(endorser: Any, member: User) -> None:
    """Refuse a direct endorsement the member's policy does not allow (ENDORSEMENT_NOT_ALLOWED)."""
    refusal = policy_refusal(endorser, member)
    if refusal is not None:
        raise _error("member", refusal.message, refusal.code)


# --- one relationship per endorser and member ---------------------------------------------------
def pair_relationship(endorser: Any, member: Any) -> str | None:
    """The relationship `endorser` already gave in their endorsements of `member` (None: none yet)."""
    return (
        Endorsement.objects.filter(endorser_id=endorser.pk, member_id=member.pk)
        .order_by("id")
        .values_list("relationship", flat=True)
        .first()
    )


def relationship_notice(member: Any, said: str, kept: str) -> str:
    """What a second endorsement tells its endorser when it keeps the pair's relationship."""
    name = getattr(getattr(member, "profile", None), "name", None) or member.username
    return (
        f"You endorsed {name} before as “{Relationship(kept).label.lower()}”, so this endorsement says the same "
        f"(not “{Relationship(said).label.lower()}”): one relationship per member, on every skill."
    )


# --- settings -------------------------------------------------------------------------------------
@transaction.atomic
def update_endorsement_settings(
    actor: User, *, who_may_endorse: Any = None, review_before_showing: bool | None = None
) -> Profile:
    """Change who may endorse the actor and whether new endorsements wait for their review.

    Turning review off does not show what already waits: those stay in the queue until the member
    shows or hides each (they were not reviewed yet).
    """
    profile = Profile.objects.select_for_update().get(user_id=actor.pk)
    fields = []
    if who_may_endorse is not None:
        value = getattr(who_may_endorse, "value", who_may_endorse)
        if value not in EndorsementPolicy.values:
            raise _error("whoMayEndorse", "Unknown choice.", Code.INVALID_CHOICE)
        profile.who_may_endorse = value
        fields.append("who_may_endorse")
    if review_before_showing is not None:
        if not isinstance(review_before_showing, bool):
            raise _error("reviewBeforeShowing", "Yes or no.", Code.INVALID)
        profile.review_before_showing = review_before_showing
        fields.append("review_before_showing")
    if fields:
        profile.save(update_fields=[*fields, "updated_at"])
    actor.profile = profile
    return profile
