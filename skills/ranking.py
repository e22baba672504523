"""Where a member stands in a skill: "2nd of 19 with Python" (docs/weighting.md, "Rank").

Rank among every active member's listing of the skill, by score, earlier listing first on a tie:
the order `members(skill:)` lists them in. One query for all of a member's listings.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from skills.models import MemberSkill


def ranks(member_skill_ids: Iterable[int], *, names: dict[int, str] | None = None) -> dict[int, tuple[int, int]]:
    """listing id -> (rank, how many active members list the skill), in one query. `names`, when
    given, receives listing id -> skill name from the same query."""
    ids = list(member_skill_ids)
    if not ids:
        return {}
    peers = MemberSkill.objects.filter(skill_id=OuterRef("skill_id"), member__is_active=True).order_by()
    ahead = peers.filter(Q(score__gt=OuterRef("score")) | Q(score=OuterRef("score"), id__lt=OuterRef("id")))

    def count(qs: object) -> Subquery:
        return Subquery(qs.values("skill_id").annotate(n=Count("id")).values("n")[:1], output_field=IntegerField())  # type: ignore[attr-defined]

    rows = (
        MemberSkill.objects.filter(pk__in=ids)
        .annotate(ahead=Coalesce(count(ahead), Value(0)), total=Coalesce(count(peers), Value(0)))
        .values_list("pk", "ahead", "total", "skill__name")
    )
    out = {}
    for pk, ahead, total, name in rows:
        out[pk] = (ahead + 1, max(total, ahead + 1))
        if names is not None:
            names[pk] = name
    return out


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int, total: int, skill_name: str) -> str:
    """'2nd of 19 with Python'; 'The only member with Python' when alone."""
    if total <= 1:
        return f"The only member with {skill_name}"
    return f"{ordinal(rank)} of {total} with {skill_name}"


def ranks_for_member(member_id: int, names: dict[int, str] | None = None) -> dict[int, tuple[int, int]]:
    return ranks(MemberSkill.objects.filter(member_id=member_id).values_list("pk", flat=True), names=names)


def attach_ranks(listings: list[MemberSkill]) -> None:
    """Set `_vouch_rank` ((rank, total)) and `_vouch_rank_name` on each listing, in one query for all of them:
    a list of members with their skills shows every rank without a query per member (vouch.querysets.after_fetch)."""
    names: dict[int, str] = {}
    found = ranks([ms.pk for ms in listings], names=names)
    for ms in listings:
        ms._vouch_rank = found.get(ms.pk, (1, 1))  # type: ignore[attr-defined]
        ms._vouch_rank_name = names.get(ms.pk)  # type: ignore[attr-defined]
