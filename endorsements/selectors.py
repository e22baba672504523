"""Reads about endorsements shared by the API and the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from endorsements.models import Endorsement
from profiles.actors import is_signed_in


def awaiting_review(member: Any) -> QuerySet[Endorsement]:
    """The endorsements waiting for `member`'s review (their queue), oldest first, endorser and skill loaded.
    Empty for anyone not signed in."""
    if not is_signed_in(member):
        return Endorsement.objects.none()
    return (
        Endorsement.objects.filter(member_id=member.pk, pending_review=True, endorser__is_active=True)
        .select_related("endorser__profile", "skill")
        .order_by("id")
    )
