"""Read-side queries the pages need, built on the apps' selectors and permission predicates.

Each page reads what it shows in a fixed number of queries (prefetching, never a query per
row); the domain rules (who may see whom, ranking) live in the apps and are only composed here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import F, Prefetch, QuerySet

from profiles.actors import is_signed_in
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
    """Search results for the home page: the GraphQL `members` query's filter and order, plus what a row shows:
    each listed skill with `evidence`, the badges `viewer` may see as proof for it (one query for the page)."""
    from badges.selectors import listed_badges

    listed = Prefetch(
        "member_skills",
        queryset=MemberSkill.objects.select_related("skill")
        .order_by("position", "id")
        .prefetch_related(Prefetch("badges", queryset=listed_badges(viewer, evidence_only=True), to_attr="evidence")),
        to_attr="listed_skills",
    )
    qs = search_members(viewer, skill=skill, search=search).select_related("profile").prefetch_related(listed)
    if skill:
        qs = qs.annotate(skill_score=F("listing__score"), skill_count=F("listing__endorsement_count"))
    # Each row says where the member works (verified): for the whole page in two queries.
    from profiles.workplaces import attach_workplaces
    from vouch.querysets import after_fetch

    return after_fetch(qs, attach_workplaces)


TOP_ENDORSEMENTS = 5


def profile_of(viewer: Any, username: str) -> User | None:
    """A member with everything their profile page shows, in a fixed number of queries.

    Each listed skill carries `top_endorsements` (the heaviest ones `viewer` may see, endorsers
    loaded; the owner also sees their hidden ones, marked) and `evidence` (badges `viewer` may see
    attached to it: evidence (VERIFIED, public, confirmed or domain-bound issuer) for others, every status for the
    owner).
    """
    from badges.selectors import listed_badges
    from endorsements.permissions import visible_endorsements

    if not username or len(username) > 64:
        return None
    endorsements = visible_endorsements(viewer).select_related("endorser__profile").order_by("-weight", "id")
    skills = (
        MemberSkill.objects.select_related("skill")
        .order_by("position", "id")
        .prefetch_related(
            # A sliced Prefetch: Django takes the top N per listing in one query (a window function).
            Prefetch("endorsements", queryset=endorsements[:TOP_ENDORSEMENTS], to_attr="top_endorsements"),
            Prefetch("badges", queryset=listed_badges(viewer, evidence_only=True), to_attr="evidence"),
        )
    )
    return (
        visible_members(viewer)
        .select_related("profile")
        .prefetch_related(Prefetch("member_skills", queryset=skills, to_attr="listed_skills"))
        .filter(username=username.strip().lower())
        .first()
    )


def endorse_refusals(
    viewer: Any, member: User, skills: list[MemberSkill], given: Collection[int]
) -> tuple[str | None, dict[int, str]]:
    """Why `viewer` may not endorse `member` at all (or None), and why not for each listing (by id).

    `given`: the skill ids `viewer` already endorsed `member` for (my_endorsements_of, which the
    page reads anyway). These mirror the refusals of endorsements.services (which stay the
    authority: a form posted anyway gets the service's error) so the page can disable the
    button and say why.
    """
    from endorsements.policy import endorse_refusal

    refusal = endorse_refusal(viewer, member)  # not signed in, yourself, a block, "who may endorse me"
    if refusal is not None:
        return refusal.message, {}
    per_skill: dict[int, str] = {}
    for ms in skills:
        if ms.skill_id in given:
            per_skill[ms.pk] = "You endorsed this skill."
        elif not ms.endorsements_enabled:
            per_skill[ms.pk] = f"{member.profile.name} turned endorsements off for this skill."
    if skills and len(per_skill) == len(skills):
        return "You’ve endorsed every skill that is open for endorsement.", per_skill
    if not skills:
        return f"{member.profile.name} hasn’t listed any skills yet.", per_skill
    return None, per_skill


def my_endorsements_of(viewer: Any, member: User) -> dict[int, int]:
    """The endorsements `viewer` gave `member`, as {skill id: endorsement id} (for "Withdraw")."""
    return {skill_id: pk for skill_id, (pk, _pending) in my_endorsement_states(viewer, member).items()}


def my_endorsement_states(viewer: Any, member: User) -> dict[int, tuple[int, bool]]:
    """{skill id: (endorsement id, waits for the member's review)} for what `viewer` gave `member`."""
    from endorsements.models import Endorsement

    if not is_signed_in(viewer):
        return {}
    rows = Endorsement.objects.filter(endorser=viewer, member=member).values_list("skill_id", "pk", "pending_review")
    return {skill_id: (pk, pending) for skill_id, pk, pending in rows}


def received_endorsements(member: User) -> list[Any]:
    """Every endorsement `member` received, hidden ones included (their own settings page)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from endorsements.models import Endorsement

    rows = list(
        Endorsement.objects.filter(member=member, endorser__is_active=True)
        .select_related("endorser__profile", "skill")
        .order_by("member_skill__position", "member_skill_id", "-weight", "id")
    )
    now = timezone.now()
    old, recent = (
        now - timedelta(days=settings.RECONFIRM_AFTER_DAYS),
        now - timedelta(days=settings.RECONFIRM_COOLDOWN_DAYS),
    )
    for e in rows:  # what endorsements.services.request_reconfirmation accepts (it checks again)
        asked = e.reconfirmation_requested_at
        e.can_ask_reconfirm = e.fresh_since <= old and (asked is None or asked <= recent)  # type: ignore[attr-defined]  # shown by the page only
    return rows


def requests_of(viewer: User, *, direction: str) -> list[Any]:
    """The viewer's inbox (INCOMING) or outbox (OUTGOING), newest first, through the permission predicate."""
    from endorsements.models import EndorsementRequest
    from endorsements.permissions import visible_requests

    qs = visible_requests(viewer, EndorsementRequest.objects.all())
    qs = qs.filter(recipient_id=viewer.pk) if direction == "INCOMING" else qs.filter(requester_id=viewer.pk)
    return list(
        qs.select_related("requester__profile", "recipient__profile", "skill", "endorsement").order_by("-id")[:200]
    )


def request_for(viewer: User, request_id: int) -> Any:
    from endorsements.models import EndorsementRequest
    from endorsements.permissions import visible_requests

    return visible_requests(viewer, EndorsementRequest.objects.all()).filter(pk=request_id).first()


def own_badges(member: User) -> list[Any]:
    from badges.selectors import badge_queryset

    return list(badge_queryset(member, frozenset({"memberSkill"})).filter(owner=member))


def own_skills(member: User) -> list[MemberSkill]:
    return list(MemberSkill.objects.select_related("skill").filter(member=member).order_by("position", "id"))


def has_blocked(viewer: Any, member: User) -> bool:
    """`viewer` blocked `member` (the profile then shows "Blocked · Unblock")."""
    if not is_signed_in(viewer) or viewer.pk == member.pk:
        return False
    return Block.objects.filter(blocker_id=viewer.pk, blocked_id=member.pk).exists()


def blocked_members(member: User) -> list[Block]:
    return list(Block.objects.filter(blocker=member).select_related("blocked__profile").order_by("-created_at"))


def member_by_username(viewer: Any, username: str) -> User | None:
    """A member named in a form (block, request): None when unknown or not visible to `viewer`."""
    username = (username or "").strip().lstrip("@").lower()
    if not username or len(username) > 64:
        return None
    return visible_members(viewer).select_related("profile").filter(username=username).first()


def unread_count(member: User) -> int:
    from notifications.services import unread_count as count

    return count(member)


def recipient_username(viewer: Any, typed: str) -> str:
    """What the request form's recipient field names: a handle ("maria", "@maria"), or a display name that
    exactly one member the viewer may see goes by ("Maria Okafor"). Unresolved text is returned as typed
    (without "@"), so the service answers NOT_FOUND for it."""
    text = (typed or "").strip().lstrip("@")[:100]
    if not text or User.objects.filter(username=text).exists():
        return text
    named = list(
        visible_members(viewer, User.objects.filter(profile__display_name__iexact=text)).values_list(
            "username", flat=True
        )[:2]
    )
    return named[0] if len(named) == 1 else text
