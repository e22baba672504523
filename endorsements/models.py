"""Endorsement requests, endorsements and the per-day counters behind the daily caps.

Rules live in endorsements/services.py and the formula in endorsements/weighting.py:
these classes hold rows, their constraints and the indexes the reads need, nothing more.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Relationship(models.TextChoices):
    """What the endorser was to the endorsed member (for a request: what the recipient was to the requester)."""

    MANAGER = "MANAGER", "Their manager"
    PEER = "PEER", "A peer"
    REPORT = "REPORT", "Reported to them"
    OTHER = "OTHER", "Other"


class RequestStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    ACCEPTED = "ACCEPTED", "Accepted"
    DECLINED = "DECLINED", "Declined"
    CANCELLED = "CANCELLED", "Cancelled"
    EXPIRED = "EXPIRED", "Expired"


class Endorsement(models.Model):
    """`endorser` vouches for `member`'s listed skill.

    `weight`, `weight_inputs` and `explanation` are written together by the services from
    endorsements.weighting; `from_established` says whether the weight counts in full or
    in the capped pool of endorsements by not-yet-established accounts (docs/weighting.md).
    """

    endorser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_given")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements_received")
    # The listing it was given for: removing the skill from a profile removes its endorsements.
    member_skill = models.ForeignKey("skills.MemberSkill", on_delete=models.CASCADE, related_name="endorsements")
    skill = models.ForeignKey("skills.Skill", on_delete=models.PROTECT, related_name="endorsements")
    relationship = models.CharField(max_length=8, choices=Relationship.choices)
    comment = models.TextField(blank=True, max_length=1000)
    weight = models.FloatField()
    weight_inputs = models.JSONField(default=dict)
    explanation = models.CharField(max_length=600)
    from_established = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    # Waiting for the member's review (they turned on "review before showing"): always `hidden` too, so
    # it counts nowhere and shows to nobody but the member (and, as pending, the endorser) until shown.
    pending_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)  # givenAt
    weighed_at = models.DateTimeField(default=timezone.now)
    # "Still true?": the endorser re-confirmed it (freshness runs from then), and when the member last asked.
    reconfirmed_at = models.DateTimeField(null=True, blank=True)
    reconfirmation_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One endorsement per endorser, member and skill: the race-proof backstop of ALREADY_ENDORSED.
            models.UniqueConstraint(fields=["endorser", "member", "skill"], name="uniq_endorsement"),
            models.CheckConstraint(condition=~Q(endorser=F("member")), name="endorsement_not_self"),
            models.CheckConstraint(
                condition=Q(pending_review=False) | Q(hidden=True), name="endorsement_pending_is_hidden"
            ),
        ]
        indexes = [
            # Top endorsements of one listing for the public (profiles, topEndorsements).
            models.Index(
                fields=["member_skill", "-weight", "id"], condition=Q(hidden=False), name="endorsement_top_visible_idx"
            ),
            # The owner's view (hidden ones included) and the score aggregate.
            models.Index(fields=["member_skill", "hidden", "-weight", "id"], name="endorsement_top_all_idx"),
            # What one member gave: daily cap, withdraw lists, re-weighing.
            models.Index(fields=["endorser", "created_at"], name="endorsement_endorser_idx"),
            # "Endorsed by others" (trust signal): who endorsed this member.
            models.Index(fields=["member", "endorser"], name="endorsement_member_idx"),
            # The member's review queue.
            models.Index(fields=["member", "id"], condition=Q(pending_review=True), name="endorsement_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.endorser_id} → {self.member_id} · {self.skill_id}"

    @property
    def status(self) -> str:
        """VISIBLE, HIDDEN (by the member) or PENDING_REVIEW (waiting for the member to show or hide it)."""
        if self.pending_review:
            return "PENDING_REVIEW"
        return "HIDDEN" if self.hidden else "VISIBLE"

    @property
    def fresh_since(self) -> datetime:
        """What its age (freshness) runs from: the last re-confirmation, else when it was given."""
        return self.reconfirmed_at or self.created_at


class EndorsementRequest(models.Model):
    """`requester` asks `recipient` to endorse one of the requester's listed skills."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsement_requests_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsement_requests_received"
    )
    member_skill = models.ForeignKey(
        "skills.MemberSkill", on_delete=models.CASCADE, related_name="endorsement_requests"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.PROTECT, related_name="endorsement_requests")
    relationship = models.CharField(max_length=8, choices=Relationship.choices)
    message = models.TextField(blank=True, max_length=500)
    status = models.CharField(max_length=9, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    endorsement = models.ForeignKey(
        Endorsement, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "recipient", "skill"],
                condition=Q(status="PENDING"),
                name="uniq_pending_request",
            ),
            models.CheckConstraint(condition=~Q(requester=F("recipient")), name="request_not_self"),
        ]
        indexes = [
            # Inbox and outbox, newest first, by status.
            models.Index(fields=["recipient", "status", "-id"], name="request_inbox_idx"),
            models.Index(fields=["requester", "status", "-id"], name="request_outbox_idx"),
            # The expiry sweep.
            models.Index(fields=["expires_at"], condition=Q(status="PENDING"), name="request_pending_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} → {self.recipient_id} · {self.skill_id} ({self.status})"

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == RequestStatus.PENDING and self.expires_at <= (now or timezone.now())

    @property
    def effective_status(self) -> str:
        """What the request is now: a PENDING request past its expiry is EXPIRED even before the sweep ran."""
        return RequestStatus.EXPIRED if self.is_overdue() else self.status


class DailyCount(models.Model):
    """How many requests / endorsements a member made on one UTC day.

    A counter rather than a count of rows, so withdrawing and re-endorsing (which deletes
    and re-creates rows) cannot be used to get around the cap or to spam notifications.
    """

    class Kind(models.TextChoices):
        REQUEST = "REQUEST", "Endorsement requests"
        ENDORSEMENT = "ENDORSEMENT", "Endorsements"
        RECONFIRM = "RECONFIRM", "Re-confirmation requests"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "kind", "day"], name="uniq_daily_count")]
