"""Who may see whom. Used by services, resolvers and pages alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from profiles.actors import is_signed_in
from profiles.models import User, Visibility


def can_view_member(viewer: Any, member: User) -> bool:
    if not member.is_active:
        return False
    if is_signed_in(viewer):
        return True
    return member.profile.visibility == Visibility.PUBLIC


def visible_members(viewer: Any, queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """Members `viewer` may see: everyone active to members, public profiles to anonymous visitors."""
    qs = queryset if queryset is not None else User.objects.all()
    qs = qs.filter(is_active=True, profile__isnull=False)
    if not is_signed_in(viewer):
        qs = qs.filter(Q(profile__visibility=Visibility.PUBLIC))
    return qs


def can_edit_profile(actor: Any, member: User) -> bool:
    return is_signed_in(actor) and actor.pk == member.pk


def can_confirm_seniority(actor: Any, member: User) -> bool:
    """Instance staff, or an admin of the member's verified workplace (never for themselves): they may confirm the
    member's declared seniority (profiles.services.confirm_seniority; docs/weighting.md, "Corroborated seniority")."""
    if not is_signed_in(actor) or not member.is_active:
        return False
    if actor.is_staff:
        return True
    if actor.pk == member.pk:
        return False
    from profiles.workplaces import verified_workplace

    org = verified_workplace(member)
    return org is not None and org.admins.filter(pk=actor.pk).exists()
