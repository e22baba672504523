"""Read-side queries the pages need, built on the apps' selectors and permission predicates.

Each page reads what it shows in a fixed number of queries (prefetching, never a query per
row); the domain rules (who may see whom, ranking) live in the apps and are only composed here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from profiles.models import Block, User
from profiles.permissions import visible_members
from profiles.selectors import search_members
from skills.models import MemberSkill


def _listed_skills() -> Prefetch:
    return Prefetch(
        "member_skills",
        queryset=MemberSkill.objects.select_related("skill").order_by("position", "id"),
        to_attr="listed_skills",
    )


def member_results(viewer: Any, *, skill: str | None, search: str | None) -> QuerySet[User]:
    """Search results for the home page: the GraphQL `members` query's filter and order, plus what a row shows."""
    qs = search_members(viewer, skill=skill, search=search).select_related("profile").prefetch_related(_listed_skills())
    if skill:
        qs = qs.annotate(skill_score=F("listing__score"), skill_count=F("listing__endorsement_count"))
    return qs


def visible_member(viewer: Any, username: str) -> User | None:
    """The member behind a handle if `viewer` may see them (else None: the page answers 404)."""
    if not username or len(username) > 64:
        return None
    return (
        visible_members(viewer)
        .select_related("profile")
        .prefetch_related(_listed_skills())
        .filter(username=username.strip().lower())
        .first()
    )


def own_skills(member: User) -> list[MemberSkill]:
    return list(MemberSkill.objects.select_related("skill").filter(member=member).order_by("position", "id"))


def blocked_members(member: User) -> list[Block]:
    return list(Block.objects.filter(blocker=member).select_related("blocked__profile").order_by("-created_at"))


def has_blocked(blocker: User, blocked: User) -> bool:
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def member_by_username(viewer: Any, username: str) -> User | None:
    """A member named in a form (block, request): None when unknown or not visible to `viewer`."""
    username = (username or "").strip().lstrip("@").lower()
    if not username or len(username) > 64:
        return None
    return visible_members(viewer).select_related("profile").filter(username=username).first()


def unread_count(member: User) -> int:
    from notifications.models import Notification

    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()
