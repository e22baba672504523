"""Endorsement operations: requests and their answers, endorsing, withdrawing, hiding.

Every operation runs in one transaction and refuses with a ValidationError carrying one
of the codes in docs/endorsements.md; a refused call writes nothing. The scores and weights
each change moves are recomputed by the engine in endorsements.scoring (denormalised on
MemberSkill, so reads never aggregate).

Concurrency: the listing (MemberSkill) row is locked before its endorsements change and
before its score is recomputed, so two endorsements landing at once both count; a request
is locked before it is answered, and the unique constraints back both up.

Cost: `endorse` is on the hot path (one mutation per click), so it reads what it needs in as
few statements as it can (about 15 on the usual path; bench/endorse.py measures it) and its
cascade re-weighs only what the change can affect (docs/weighting.md, "When weights are
recomputed").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from credentials.services import credential_issued, record_withdrawal
from endorsements import payloads, policy, weighting
from endorsements.error_codes import EndorsementErrorCode
from endorsements.models import DailyCount, Endorsement, EndorsementRequest, Relationship, RequestStatus
from endorsements.permissions import (
    blocked_between,
    can_answer,
    can_cancel,
    can_hide,
    can_reconfirm,
    can_request_reconfirmation,
    can_withdraw,
)
from endorsements.scoring import (
    NO_CHANGE,
    apply_weighing,
    cascade,
    given,
    lock_listings,
    owed_key,
    recompute_locked,
    recompute_member_skills,
    trust_may_change,
)
from endorsements.signals import EndorserSignals, signals_for
from jobs.engine import settle
from notifications.payloads import Kind
from notifications.services import notify
from profiles.models import Block, User
from profiles.permissions import can_view_member
from skills.models import MemberSkill, Skill
from skills.normalise import key_for
from skills.services import find_skill
from vouch.errors import Code, clean_text, not_found
from vouch.errors import error as _error

MAX_MESSAGE = 500
MAX_COMMENT = 1000


# --- input checks ------------------------------------------------------------------------
def _relationship(value: Any) -> str:
    value = getattr(value, "value", value)
    if value not in Relationship.values:
        raise _error("relationship", "Unknown relationship.", Code.INVALID_CHOICE)
    return value


def _member(actor: User, member: User | str, field: str, *, with_block: bool = False) -> User:
    """The member named (or given), if `actor` may see them; NOT_FOUND otherwise.

    `with_block`: a member named by handle comes with `blocked_with_actor` (either blocked the other), read in the
    same query; `_check_open` reads it again when absent."""
    if isinstance(member, User):
        target: User | None = member
    else:
        handle = (member or "").strip().lower() if isinstance(member, str) else ""
        qs = User.objects.select_related("profile").filter(username=handle)
        if with_block:
            either = Q(blocker_id=actor.pk, blocked_id=OuterRef("pk")) | Q(
                blocker_id=OuterRef("pk"), blocked_id=actor.pk
            )
            qs = qs.annotate(blocked_with_actor=Exists(Block.objects.filter(either)))
        target = qs.first() if 0 < len(handle) <= 64 else None
    if target is None or not hasattr(target, "profile") or not can_view_member(actor, target):
        raise not_found(field, "member")
    return target


def _listing(member: User, skill: Skill | str, *, lock: bool) -> MemberSkill:
    """`member`'s listing of `skill` (any spelling), locked when about to change; SKILL_NOT_LISTED otherwise."""
    if isinstance(skill, str) and skill.strip():
        # The usual case, a skill's own name: the listing and its skill (and the listing's lock) in one query.
        # find_skill below (aliases) gives the same answer when this finds nothing.
        fast = MemberSkill.objects.select_related("skill").filter(member=member, skill__key=key_for(skill[:100]))
        if lock:
            fast = fast.select_for_update(of=("self",))
        ms = fast.first()
        if ms is not None:
            return ms
    found = (
        skill
        if isinstance(skill, Skill)
        else (find_skill(skill[:100]) if isinstance(skill, str) and skill.strip() else None)
    )
    qs = MemberSkill.objects.filter(member=member, skill=found) if found is not None else MemberSkill.objects.none()
    if lock:
        qs = qs.select_for_update()
    ms = qs.first()
    if ms is None:
        raise _error("skill", f"{member.username} does not list that skill.", EndorsementErrorCode.SKILL_NOT_LISTED)
    ms.skill = found  # type: ignore[assignment]
    return ms


def _check_open(
    member_skill: MemberSkill,
    endorser: User,
    member: User,
    relationship: str | None = None,
    *,
    endorsed: bool | None = None,
    blocked: bool | None = None,
) -> str | None:
    """The refusals shared by endorsing, requesting and accepting. Returns the relationship to record:
    one relationship per endorser and member, so the one their endorsements already give, if any, is kept
    (`relationship` otherwise; docs/endorsements.md, "One relationship per pair"). `endorsed`: whether the
    endorser has endorsed this skill already, when the caller has read it (None: read it here). A concurrent
    endorsement of the same skill after that read is refused at the insert (the unique constraint). `blocked`
    likewise (a block made after that read is the same race as a block made a moment after the endorsement)."""
    if not member_skill.endorsements_enabled:
        raise _error("skill", "Endorsements are turned off for this skill.", EndorsementErrorCode.ENDORSEMENTS_OFF)
    if blocked if blocked is not None else blocked_between(endorser, member):
        raise _error(None, policy.BLOCKED_MESSAGE, EndorsementErrorCode.BLOCKED)
    if endorsed is None:
        endorsed = Endorsement.objects.filter(endorser=endorser, member=member, skill_id=member_skill.skill_id).exists()
    if endorsed:
        raise _error("skill", "Already endorsed for this skill.", EndorsementErrorCode.ALREADY_ENDORSED)
    if relationship is None:
        return None
    return policy.pair_relationship(endorser, member) or relationship


def _today() -> Any:
    return timezone.now().astimezone(UTC).date()


def _spend_quota(actor: User, kind: str, limit: int, what: str) -> None:
    """Count one more `kind` for `actor` today (UTC), or refuse with RATE_LIMITED.

    Called after every other check, so a refused attempt does not use up the quota; the
    row lock serialises one member's concurrent attempts.
    """
    day = _today()
    today = DailyCount.objects.filter(member=actor, kind=kind, day=day)
    # One conditional UPDATE: it takes the row lock (a concurrent attempt waits, then sees the
    # new count) and counts only below the cap. Nothing updated: no row yet today, or at the cap.
    if today.filter(count__lt=limit).update(count=F("count") + 1):
        return
    if limit > 0:
        try:
            with transaction.atomic():
                DailyCount.objects.create(member=actor, kind=kind, day=day, count=1)
            return
        except IntegrityError:
            # A concurrent first attempt of the day created the row: count on it, under the cap.
            if today.filter(count__lt=limit).update(count=F("count") + 1):
                return
    raise _error(None, f"You can make at most {limit} {what} a day. Try again tomorrow.", Code.RATE_LIMITED)


def _create_endorsement(
    endorser: User,
    member: User,
    member_skill: MemberSkill,
    relationship: str,
    comment: str,
    signals: EndorserSignals | None = None,
) -> Endorsement:
    skill = member_skill.skill
    signals = signals or signals_for(endorser, [skill.pk], member_ids=[member.pk], only_skills=True)
    endorsement = Endorsement(
        endorser=endorser,
        member=member,
        member_skill=member_skill,
        skill=skill,
        relationship=relationship,
        comment=comment,
    )
    if member.profile.review_before_showing:
        # Waits for the member's review: hidden (counts nowhere, shows to nobody else) until shown.
        endorsement.hidden = endorsement.pending_review = True
    inputs = signals.inputs(
        skill.pk,
        relationship,
        member.pk,
        new=True,
        since=endorsement.created_at,
        kind=skill.kind,
        now=endorsement.created_at,
    )
    apply_weighing(endorsement, weighting.weigh(inputs), member, skill)
    try:
        # No savepoint: a failed insert rolls the whole operation back (the refusal below leaves
        # the caller's atomic block, which then rolls back), so none is needed to recover from.
        with transaction.atomic(savepoint=False):
            endorsement.save()
    except IntegrityError:
        # Lost a race with another endorsement of the same (endorser, member, skill).
        raise _error("skill", "Already endorsed for this skill.", EndorsementErrorCode.ALREADY_ENDORSED) from None
    credential_issued(endorsement)  # its credential is signed ahead once committed (docs/credentials.md)
    return endorsement


# --- requests ----------------------------------------------------------------------------
@transaction.atomic
def request_endorsement(
    actor: User, *, recipient: User | str, skill: Skill | str, relationship: str, message: str = ""
) -> EndorsementRequest:
    """Ask `recipient` to endorse one of the actor's listed skills."""
    message = clean_text("message", message, MAX_MESSAGE)
    relationship = _relationship(relationship)
    target = _member(actor, recipient, "recipient")
    if target.pk == actor.pk:
        raise _error("recipient", "You cannot ask yourself for an endorsement.", EndorsementErrorCode.SELF_ENDORSEMENT)
    ms = _listing(actor, skill, lock=True)
    relationship = _check_open(ms, endorser=target, member=actor, relationship=relationship) or relationship
    now = timezone.now()
    pending = EndorsementRequest.objects.filter(
        requester=actor, recipient=target, skill_id=ms.skill_id, status=RequestStatus.PENDING
    ).first()
    if pending is not None:
        if not pending.is_overdue(now):
            raise _error(
                "recipient", "You already asked this member for this skill.", EndorsementErrorCode.ALREADY_REQUESTED
            )
        pending.status = RequestStatus.EXPIRED  # overdue: make room for the new one
        pending.save(update_fields=["status"])
    _spend_quota(actor, DailyCount.Kind.REQUEST, settings.ENDORSEMENT_REQUESTS_PER_DAY, "endorsement requests")
    request = EndorsementRequest(
        requester=actor,
        recipient=target,
        member_skill=ms,
        skill=ms.skill,
        relationship=relationship,
        message=message,
        created_at=now,
        expires_at=now + timedelta(days=settings.ENDORSEMENT_REQUEST_TTL_DAYS),
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise _error(
            "recipient", "You already asked this member for this skill.", EndorsementErrorCode.ALREADY_REQUESTED
        ) from None
    notify(target, Kind.ENDORSEMENT_REQUEST_RECEIVED, payloads.request_received(request))
    return request


def _locked_request(request_id: int, **owner: Any) -> EndorsementRequest | None:
    return EndorsementRequest.objects.select_for_update().filter(pk=request_id, **owner).first()


@transaction.atomic
def respond_to_endorsement_request(
    actor: User, *, request_id: int, accept: bool, comment: str = ""
) -> EndorsementRequest:
    """The recipient accepts (creating the endorsement, with an optional comment) or declines.

    The request row is locked first, so of two simultaneous accepts the second finds it
    ACCEPTED and gets INVALID_STATE: exactly one endorsement.
    """
    comment = clean_text("comment", comment, MAX_COMMENT) if accept else ""
    peek = (
        EndorsementRequest.objects.filter(pk=request_id, recipient_id=actor.pk)
        .values("member_skill_id", "requester_id", "skill_id")
        .first()
    )
    if peek is None:
        raise not_found("requestId", "endorsement request")
    now = timezone.now()
    requester = User.objects.select_related("profile").get(pk=peek["requester_id"])
    if accept:
        # Lock order: the listing first, then the request (as endorse() does).
        lock_listings(peek["member_skill_id"])
    request = _locked_request(request_id, recipient_id=actor.pk)
    if request is None or not can_answer(actor, request):
        raise not_found("requestId", "endorsement request")
    if request.effective_status != RequestStatus.PENDING:
        raise _error(
            "requestId", f"This request is {request.effective_status.lower()}.", EndorsementErrorCode.INVALID_STATE
        )
    request.requester = requester
    request.recipient = actor
    if accept:
        ms = MemberSkill.objects.select_related("skill").get(pk=request.member_skill_id)  # locked above
        # Asked, so always allowed (the requester's "who may endorse me" does not apply); the pair's
        # relationship is kept if the actor endorsed the requester meanwhile.
        relationship = _check_open(ms, endorser=actor, member=requester, relationship=request.relationship)
        _spend_quota(actor, DailyCount.Kind.ENDORSEMENT, settings.ENDORSEMENTS_PER_DAY, "endorsements")
        endorsement = _create_endorsement(actor, requester, ms, relationship or request.relationship, comment)
        request.status = RequestStatus.ACCEPTED
        request.endorsement = endorsement
        request.responded_at = now
        request.save(update_fields=["status", "endorsement", "responded_at"])
        request.skill = ms.skill
        if endorsement.pending_review:
            # Counts once the requester shows it (approveEndorsement): nothing to recompute yet.
            notify(requester, Kind.ENDORSEMENT_REQUEST_ANSWERED, payloads.request_answered(request, endorsement))
        else:
            rescored = ms.pk in recompute_member_skills([ms.pk])
            notify(requester, Kind.ENDORSEMENT_REQUEST_ANSWERED, payloads.request_answered(request, endorsement))
            _settle_later(endorsement, rescored=rescored)
    else:
        request.status = RequestStatus.DECLINED
        request.responded_at = now
        request.save(update_fields=["status", "responded_at"])
        request.skill = Skill.objects.get(pk=request.skill_id)
        notify(requester, Kind.ENDORSEMENT_REQUEST_ANSWERED, payloads.request_answered(request))
    return request


@transaction.atomic
def cancel_endorsement_request(actor: User, *, request_id: int) -> EndorsementRequest:
    request = _locked_request(request_id, requester_id=actor.pk)
    if request is None or not can_cancel(actor, request):
        raise not_found("requestId", "endorsement request")
    if request.effective_status != RequestStatus.PENDING:
        raise _error(
            "requestId", f"This request is {request.effective_status.lower()}.", EndorsementErrorCode.INVALID_STATE
        )
    request.status = RequestStatus.CANCELLED
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    return request


@transaction.atomic
def cancel_requests_between(a: User, b: User) -> int:
    """Cancel every pending request between two members (one just blocked the other): a blocked
    member's request must not linger in the inbox, and the blocker's must not reach them."""
    return EndorsementRequest.objects.filter(
        Q(requester=a, recipient=b) | Q(requester=b, recipient=a), status=RequestStatus.PENDING
    ).update(status=RequestStatus.CANCELLED, responded_at=timezone.now())


@transaction.atomic
def expire_endorsement_requests(*, now: datetime | None = None) -> int:
    """Mark every PENDING request past its expiry EXPIRED; returns how many. (Reads already
    treat them as expired: this sweep makes the stored status agree.)"""
    now = now or timezone.now()
    return EndorsementRequest.objects.filter(status=RequestStatus.PENDING, expires_at__lte=now).update(
        status=RequestStatus.EXPIRED
    )


# --- endorsements ------------------------------------------------------------------------
@transaction.atomic
def endorse(
    actor: User, *, member: User | str, skill: Skill | str, relationship: str, comment: str = ""
) -> Endorsement:
    """Endorse `member` for one of their listed skills, without a request.

    A pending request from `member` to the actor for that skill is fulfilled by it.
    """
    comment = clean_text("comment", comment, MAX_COMMENT)
    relationship = _relationship(relationship)
    target = _member(actor, member, "member", with_block=True)
    # Read just now with the target (by handle): the notification below need not read their preferences again.
    fresh = target.profile if not isinstance(member, User) else None
    if target.pk == actor.pk:
        raise _error("member", "You cannot endorse yourself.", EndorsementErrorCode.SELF_ENDORSEMENT)
    # Only the listing itself is locked (read and locked in one statement): what the change moves beyond it (the
    # target's trust, the cascade) is settled by a job after the commit, which takes its own locks (_settle_later).
    ms = _listing(target, skill, lock=True)
    now = timezone.now()
    # The actor's signals do not depend on the listing locks: read them first. They also give the pair's
    # relationship (one per endorser and member: a second endorsement keeps the one the first gave) and
    # whether this skill is endorsed already.
    signals = signals_for(actor, [ms.skill_id], member_ids=[target.pk], now=now, only_skills=True)
    relationship = signals.pair_relationship.get(target.pk) or relationship
    _check_open(
        ms,
        endorser=actor,
        member=target,
        endorsed=(target.pk, ms.skill_id) in signals.endorsed,
        blocked=getattr(target, "blocked_with_actor", None),
    )
    policy.check_may_endorse(actor, target)
    _spend_quota(actor, DailyCount.Kind.ENDORSEMENT, settings.ENDORSEMENTS_PER_DAY, "endorsements")
    endorsement = _create_endorsement(actor, target, ms, relationship, comment, signals)
    EndorsementRequest.objects.filter(
        requester=target, recipient=actor, skill_id=ms.skill_id, status=RequestStatus.PENDING, expires_at__gt=now
    ).update(status=RequestStatus.ACCEPTED, endorsement=endorsement, responded_at=now)
    if endorsement.pending_review:  # waiting for review, it counts nowhere yet: nothing to settle
        notify(target, Kind.ENDORSEMENT_RECEIVED, payloads.endorsement_received(endorsement), profile=fresh)
        return endorsement
    # Locked and read above: aggregate and update only (`ms` gets its new score). The listing's score is exact at
    # commit.
    rescored = ms.pk in recompute_locked([ms.pk], [ms])
    notify(target, Kind.ENDORSEMENT_RECEIVED, payloads.endorsement_received(endorsement), profile=fresh)
    _settle_later(endorsement, rescored=rescored)
    return endorsement


def _settle_later(endorsement: Endorsement, *, rescored: bool) -> None:
    """Leave what a new endorsement moves beyond its listing to the job endorsements.tasks.settle_endorsement
    (the endorsed member's trust push and the cascade), enqueued in this transaction. The push is owed
    (jobs.Owed) so that it happens at most once, and not at all when the endorsement goes first."""
    from endorsements.tasks import settle_endorsement
    from jobs.engine import enqueue_in_transaction, owe

    owe(owed_key(endorsement.pk))
    enqueue_in_transaction(settle_endorsement, endorsement.pk, rescored)


@transaction.atomic
def withdraw_endorsement(actor: User, *, endorsement_id: int) -> Endorsement:
    """The endorser takes their endorsement back. Nobody is notified. Returns the row as it was (deleted)."""
    endorsement = Endorsement.objects.filter(pk=endorsement_id, endorser_id=actor.pk).first()
    if endorsement is None or not can_withdraw(actor, endorsement):
        raise not_found("endorsementId", "endorsement")
    member = User.objects.get(pk=endorsement.member_id)
    was_visible = not endorsement.hidden
    now = timezone.now()
    trust = (
        trust_may_change(actor, member, now=now, adding=False, excluding=endorsement.pk) if was_visible else NO_CHANGE
    )
    lock_listings(endorsement.member_skill_id, given(member, endorsement.skill_id, trust=trust))
    # Its credential stays served, revoked through the endorser's status list (docs/credentials.md).
    record_withdrawal(endorsement, now=now)
    if not Endorsement.objects.filter(pk=endorsement.pk).delete()[0]:
        raise not_found("endorsementId", "endorsement")  # withdrawn a moment ago by a concurrent call
    if not settle(owed_key(endorsement.pk)):  # still owed: its push never happened, nothing to take back
        trust.apply()
    if was_visible:
        rescored = endorsement.member_skill_id in recompute_member_skills([endorsement.member_skill_id])
        cascade(member, endorsement.skill_id, rescored=rescored, trust=trust, now=now)
    return endorsement


@transaction.atomic
def set_endorsement_hidden(actor: User, *, endorsement_id: int, hidden: bool) -> Endorsement:
    """The endorsed member hides (or shows again) an endorsement. The endorser is not told.

    An endorsement waiting for review leaves the queue either way: shown (it counts from now on) or
    hidden (as any hidden one: the member may still show it later).
    """
    endorsement = Endorsement.objects.filter(pk=endorsement_id, member_id=actor.pk).first()
    if endorsement is None or not can_hide(actor, endorsement):
        raise not_found("endorsementId", "endorsement")
    now = timezone.now()
    endorser = User.objects.get(pk=endorsement.endorser_id)
    seen_hidden = endorsement.hidden
    trust = (
        trust_may_change(endorser, actor, now=now, adding=not hidden, excluding=endorsement.pk)
        if seen_hidden != bool(hidden)
        else NO_CHANGE
    )
    lock_listings(endorsement.member_skill_id, given(actor, endorsement.skill_id, trust=trust))
    endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    if endorsement.pending_review and endorsement.hidden == bool(hidden):
        endorsement.pending_review = False  # reviewed: hidden it stays
        endorsement.save(update_fields=["pending_review"])
    elif endorsement.hidden != bool(hidden):
        if endorsement.hidden != seen_hidden:  # toggled by a concurrent call meanwhile: decide again
            trust = trust_may_change(endorser, actor, now=now, adding=not hidden, excluding=endorsement.pk)
        endorsement.hidden = bool(hidden)
        endorsement.pending_review = False
        endorsement.save(update_fields=["hidden", "pending_review"])
        # Hidden before its settling job ran: the push it owed never happened, so nothing to take back.
        if not (hidden and settle(owed_key(endorsement.pk))):
            trust.apply()
        rescored = endorsement.member_skill_id in recompute_member_skills([endorsement.member_skill_id])
        cascade(actor, endorsement.skill_id, rescored=rescored, trust=trust, now=now)
    return endorsement


def approve_endorsement(actor: User, *, endorsement_id: int) -> Endorsement:
    """The endorsed member shows an endorsement that waited for their review (or one they hid): from now
    on it counts in their score and shows to everyone who may see their profile. Showing one that is
    shown already changes nothing."""
    return set_endorsement_hidden(actor, endorsement_id=endorsement_id, hidden=False)


# --- "Still true?": freshness -------------------------------------------------------------
@transaction.atomic
def request_reconfirmation(actor: User, *, endorsement_id: int) -> Endorsement:
    """The endorsed member asks the endorser whether an old endorsement still holds (notification + e-mail with
    a one-click link). Only for an endorsement given or last re-confirmed RECONFIRM_AFTER_DAYS ago or more
    (TOO_RECENT), once per RECONFIRM_COOLDOWN_DAYS per endorsement (ALREADY_REQUESTED), at most
    RECONFIRMATION_REQUESTS_PER_DAY a day (RATE_LIMITED)."""
    from endorsements.reconfirm_links import reconfirm_path

    endorsement = (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related("endorser__profile", "member__profile", "skill")
        .filter(pk=endorsement_id, member_id=actor.pk)
        .first()
    )
    if endorsement is None or not can_request_reconfirmation(actor, endorsement) or not endorsement.endorser.is_active:
        raise not_found("endorsementId", "endorsement")
    if blocked_between(endorsement.endorser, actor):
        raise _error(None, "You cannot ask this member.", EndorsementErrorCode.BLOCKED)
    now = timezone.now()
    if endorsement.fresh_since > now - timedelta(days=settings.RECONFIRM_AFTER_DAYS):
        raise _error(
            "endorsementId",
            f"You can ask once an endorsement is {settings.RECONFIRM_AFTER_DAYS} days old.",
            EndorsementErrorCode.TOO_RECENT,
        )
    asked = endorsement.reconfirmation_requested_at
    if asked is not None and asked > now - timedelta(days=settings.RECONFIRM_COOLDOWN_DAYS):
        raise _error(
            "endorsementId",
            "You already asked about this endorsement recently.",
            EndorsementErrorCode.ALREADY_REQUESTED,
        )
    _spend_quota(actor, DailyCount.Kind.RECONFIRM, settings.RECONFIRMATION_REQUESTS_PER_DAY, "re-confirmation requests")
    endorsement.reconfirmation_requested_at = now
    endorsement.save(update_fields=["reconfirmation_requested_at"])
    notify(
        endorsement.endorser,
        Kind.ENDORSEMENT_RECONFIRMATION_REQUESTED,
        payloads.reconfirmation_requested(endorsement, reconfirm_path(endorsement.pk, endorsement.endorser_id)),
    )
    return endorsement


@transaction.atomic
def reconfirm_endorsement(actor: User, *, endorsement_id: int) -> Endorsement:
    """The endorser says their endorsement still holds: it is fresh again from now (its weight restored), and
    shows "re-confirmed <date>". Idempotent within a day (no second write); the member is told when they had
    asked."""
    peek = Endorsement.objects.filter(pk=endorsement_id, endorser_id=actor.pk).first()
    if peek is None or not can_reconfirm(actor, peek):
        raise not_found("endorsementId", "endorsement")
    now = timezone.now()
    member = User.objects.select_related("profile").get(pk=peek.member_id)
    lock_listings(peek.member_skill_id, given(member, peek.skill_id, trust=False))
    endorsement = (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related("skill", "endorser__profile")
        .filter(pk=endorsement_id, endorser_id=actor.pk)
        .first()
    )
    if endorsement is None:  # withdrawn a moment ago
        raise not_found("endorsementId", "endorsement")
    endorsement.member = member
    if endorsement.reconfirmed_at is not None and endorsement.reconfirmed_at > now - timedelta(days=1):
        return endorsement
    asked = endorsement.reconfirmation_requested_at is not None
    endorsement.reconfirmed_at = now
    endorsement.reconfirmation_requested_at = None
    from endorsements.scoring import inputs_of

    signals = signals_for(actor, [endorsement.skill_id], member_ids=[member.pk], now=now, only_skills=True)
    apply_weighing(endorsement, weighting.weigh(inputs_of(signals, endorsement, now)), member, endorsement.skill)
    endorsement.weighed_at = now
    endorsement.save(
        update_fields=[
            "reconfirmed_at",
            "reconfirmation_requested_at",
            "weight",
            "from_established",
            "weight_inputs",
            "explanation",
            "weighed_at",
        ]
    )
    if not endorsement.hidden:
        rescored = endorsement.member_skill_id in recompute_member_skills([endorsement.member_skill_id])
        cascade(member, endorsement.skill_id, rescored=rescored, trust=False, now=now)
    if asked:
        notify(member, Kind.ENDORSEMENT_RECONFIRMED, payloads.reconfirmed(endorsement))
    return endorsement


def reconfirm_by_link(token: str) -> Endorsement:
    """Re-confirm through the e-mailed link (no sign-in needed: the link is the endorser's)."""
    from endorsements.reconfirm_links import read_token

    read = read_token(token)
    endorser = User.objects.filter(pk=read[1], is_active=True).first() if read else None
    if read is None or endorser is None:
        raise _error(None, "This link is not valid or has expired.", EndorsementErrorCode.INVALID_LINK)
    return reconfirm_endorsement(endorser, endorsement_id=read[0])


def endorsement_for_link(token: str) -> Endorsement | None:
    """The endorsement a re-confirmation link names (for the page that shows it), or None."""
    from endorsements.reconfirm_links import read_token

    read = read_token(token)
    if read is None:
        return None
    return (
        Endorsement.objects.select_related("member__profile", "skill", "endorser")
        .filter(pk=read[0], endorser_id=read[1], endorser__is_active=True)
        .first()
    )
