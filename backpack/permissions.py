"""Who sees which badge collection. Anything else is NOT_FOUND."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from backpack.models import BadgeCollection
from profiles.actors import is_signed_in


def visible_collections(viewer: Any, queryset: QuerySet[BadgeCollection] | None = None) -> QuerySet[BadgeCollection]:
    """The owner sees all of theirs; others see public collections of members they may see."""
    from profiles.permissions import visible_members

    qs = queryset if queryset is not None else BadgeCollection.objects.all()
    shared = Q(public=True, owner__in=visible_members(viewer))
    if is_signed_in(viewer):
        return qs.filter(Q(owner_id=viewer.pk) | shared)
    return qs.filter(shared)


def can_edit_collection(actor: Any, collection: BadgeCollection) -> bool:
    return is_signed_in(actor) and collection.owner_id == actor.pk


def shown_badges(viewer: Any, collection: BadgeCollection) -> QuerySet[Any]:
    """The collection's badges ``viewer`` may see: all for the owner, VERIFIED public ones for others."""
    from badges.selectors import visible_badges

    return visible_badges(viewer).filter(collections=collection).order_by("-issued_on", "id")


def profile_collections(viewer: Any, member: Any) -> list[BadgeCollection]:
    """The collections listed on ``member``'s profile page: the SHARED ones only, for everyone (the owner too: the
    page shows what others see; private ones are managed at /badges/collections/). Each carries ``shown_count``, the
    verified public badges in it (what a visitor sees on its page). One query."""
    from django.db.models import Count

    from badges.models import BadgeStatus

    return list(
        visible_collections(viewer, BadgeCollection.objects.filter(owner=member, public=True))
        .annotate(
            shown_count=Count(
                "badges", filter=Q(badges__public=True, badges__status=BadgeStatus.VERIFIED), distinct=True
            )
        )
        .order_by("name", "id")[:50]
    )
