"""Read-side queries on members, shared by GraphQL resolvers and the web pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import FilteredRelation, Q, QuerySet

from profiles import search as member_search
from profiles.models import User
from profiles.permissions import visible_members

if TYPE_CHECKING:
    from skills.models import Skill


def search_members(viewer: Any, *, skill: str | Skill | None = None, search: str | None = None) -> QuerySet[User]:
    """Members `viewer` may see, filtered by free text and/or a skill.

    With `skill` (any spelling or alias, or the Skill found already), only members listing it, highest score first; the
    listing is annotated as `listing` (so `listing__score` is available to callers). Without a
    skill, ordered by username, or with `search` on PostgreSQL best match first (its ranked ids are read
    when this is called: profiles/search.py). An unknown skill gives no members.
    """
    from skills.models import Skill
    from skills.services import find_skill

    qs = visible_members(viewer)
    term = (search or "").strip()[: member_search.MAX_TERM]
    ranked = False
    if term and connection.vendor == "postgresql":
        # Index-backed, typo-tolerant and ranked (profiles/search.py): the ranked ids in one statement, now;
        # the page and the count are then lookups of those ids by primary key.
        ids = member_search.ranked_ids(term)
        qs = qs.filter(id__in=ids).alias(search_position=member_search.position(ids))
        ranked = True
    elif term:
        qs = qs.filter(
            Q(username__icontains=term)
            | Q(profile__display_name__icontains=term)
            | Q(profile__headline__icontains=term)
            | Q(profile__organisation__icontains=term)
            | Q(profile__title__icontains=term)
        )
    if skill is not None:
        found = skill if isinstance(skill, Skill) else (find_skill(skill[:100]) if skill.strip() else None)
        if found is None:
            return User.objects.none()
        # One join on the member's listing of that skill; the (skill, -score, id) index serves the order.
        qs = (
            qs.annotate(listing=FilteredRelation("member_skills", condition=Q(member_skills__skill=found)))
            .filter(listing__isnull=False)
            .order_by("-listing__score", "listing__id")
        )
    elif ranked:
        qs = qs.order_by("search_position")
    else:
        qs = qs.order_by("username")
    return qs
