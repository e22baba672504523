"""Who may see and change a badge. Used by services, GraphQL resolvers and pages alike.

A badge is evidence — shown to anyone but its owner — only when Vouch verified it, the owner made it public and it
has not expired since the last check. The owner sees all of their badges, in every status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from badges.models import Badge, BadgeStatus


def evidence_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Badges that count as evidence: VERIFIED, public, and not past an expiry date the last check did not see."""
    now = now or timezone.now()
    return Q(**{f"{prefix}status": BadgeStatus.VERIFIED, f"{prefix}public": True}) & (
        Q(**{f"{prefix}expires_at__isnull": True}) | Q(**{f"{prefix}expires_at__gt": now})
    )


def visible_badges_q(viewer: Any, now: datetime | None = None) -> Q:
    """Badges `viewer` may see, given that they may see the owner (the caller checks that)."""
    q = evidence_q(now)
    if viewer is not None and viewer.is_authenticated:
        q |= Q(owner_id=viewer.pk)
    return q


def is_evidence(badge: Badge, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        badge.status == BadgeStatus.VERIFIED and badge.public and (badge.expires_at is None or badge.expires_at > now)
    )


def is_owner(viewer: Any, badge: Badge) -> bool:
    return viewer is not None and viewer.is_authenticated and badge.owner_id == viewer.pk


def can_view_badge(viewer: Any, badge: Badge) -> bool:
    from profiles.permissions import can_view_member

    if is_owner(viewer, badge):
        return True
    return is_evidence(badge) and can_view_member(viewer, badge.owner)


def can_manage_badge(actor: Any, badge: Badge) -> bool:
    """Attach, detach, re-check, publish or delete: the owner only."""
    return is_owner(actor, badge)
