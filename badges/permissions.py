"""Who may see and change a badge. Used by services, GraphQL resolvers and pages alike.

A badge is *shown* to anyone but its owner only when Vouch verified it, the owner made it public and it has not
expired since the last check. It is *evidence* (listed as proof under a skill, lending standing in the endorsement
weighting) only when, in addition, its issuer is confirmed or domain-bound: a self-issued (did:key) badge is shown,
marked as such, but proves nothing (docs/openbadges.md, "Trust model"). The owner sees all of their badges.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from badges.models import EVIDENCE_TRUST, Badge, BadgeStatus
from profiles.actors import is_signed_in


def shown_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Badges anyone may see: VERIFIED, public, and not past an expiry date the last check did not see."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": BadgeStatus.VERIFIED, f"{prefix}public": True}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})
    )


def evidence_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Badges that count as evidence: shown, and issued by a confirmed or domain-bound issuer."""
    return shown_q(now, prefix) & Q(**{f"{prefix}issuer_trust__in": EVIDENCE_TRUST})


def visible_badges_q(viewer: Any, now: datetime | None = None, *, evidence_only: bool = False) -> Q:
    """Badges `viewer` may see, given that they may see the owner (the caller checks that). `evidence_only`: what
    is listed as proof under a skill (the owner still sees all of theirs)."""
    q = evidence_q(now) if evidence_only else shown_q(now)
    if is_signed_in(viewer):
        q |= Q(owner_id=viewer.pk)
    return q


def is_shown(badge: Badge, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        badge.status == BadgeStatus.VERIFIED and badge.public and (badge.expires_at is None or badge.expires_at > now)
    )


def is_evidence(badge: Badge, now: datetime | None = None) -> bool:
    return is_shown(badge, now) and badge.issuer_trust in EVIDENCE_TRUST


def is_owner(viewer: Any, badge: Badge) -> bool:
    return is_signed_in(viewer) and badge.owner_id == viewer.pk


def can_manage_badge(actor: Any, badge: Badge) -> bool:
    """Attach, detach, re-check, publish or delete: the owner only."""
    return is_owner(actor, badge)
