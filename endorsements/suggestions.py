"""Whom to ask for an endorsement (docs/endorsements.md, "Whom to ask").

Three sources, in this order, each with the reason a person reads beside the name:
1. colleagues at the member's verified organisation (the same verified workplace as the profile says);
2. members who endorse the member already, for another skill;
3. members strong in the skill asked about (the highest scores for it).

Never suggested: the member, inactive accounts, members either side blocked, members the viewer may not see,
anyone who already endorses the member for that skill or has a request for it pending. Bounded work: each source
reads at most `limit * 4` candidate rows, then one query loads the chosen members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from profiles.actors import is_signed_in
from profiles.models import Block, User
from profiles.permissions import visible_members

MAX_SUGGESTIONS = 20

SAME_ORGANISATION = "SAME_ORGANISATION"
ENDORSES_YOU = "ENDORSES_YOU"
STRONG_IN_SKILL = "STRONG_IN_SKILL"


@dataclass
class Suggestion:
    member: User
    reasons: list[str] = field(default_factory=list)  # the codes above, in the order found
    texts: list[str] = field(default_factory=list)  # what a person reads: "Works at Northwind Labs too"

    @property
    def text(self) -> str:
        return " · ".join(self.texts)


def whom_to_ask(member: Any, skill: Any = None, *, limit: int = 6) -> list[Suggestion]:
    """Up to `limit` (at most MAX_SUGGESTIONS) members `member` could ask to endorse `skill` (a Skill, or None
    for any of their skills), most relevant first."""
    from endorsements.models import Endorsement, EndorsementRequest, RequestStatus
    from profiles.workplaces import verified_workplace
    from skills.models import MemberSkill

    if not is_signed_in(member):
        return []
    limit = max(0, min(limit, MAX_SUGGESTIONS))
    if not limit:
        return []
    pool = limit * 4
    excluded: set[int] = {member.pk}
    excluded |= set(Block.objects.filter(blocker=member).values_list("blocked_id", flat=True)[:1000])
    excluded |= set(Block.objects.filter(blocked=member).values_list("blocker_id", flat=True)[:1000])
    if skill is not None:
        excluded |= set(
            Endorsement.objects.filter(member=member, skill=skill).values_list("endorser_id", flat=True)[:1000]
        )
        excluded |= set(
            EndorsementRequest.objects.filter(requester=member, skill=skill, status=RequestStatus.PENDING).values_list(
                "recipient_id", flat=True
            )[:1000]
        )

    found: dict[int, Suggestion] = {}
    order: list[int] = []

    def add(user_id: int, reason: str, text: str) -> None:
        if user_id in excluded:
            return
        if user_id not in found:
            found[user_id] = Suggestion(member=None)  # type: ignore[arg-type]  # loaded below
            order.append(user_id)
        if reason not in found[user_id].reasons:
            found[user_id].reasons.append(reason)
            found[user_id].texts.append(text)

    workplace = verified_workplace(member)
    if workplace is not None:
        from allauth.account.models import EmailAddress

        domains = list(workplace.domains.values_list("domain", flat=True)[:20])
        at_domain = Q()
        for domain in domains:
            at_domain |= Q(email__iendswith="@" + domain) | Q(email__iendswith="." + domain)
        if domains:
            colleagues = (
                EmailAddress.objects.filter(at_domain, verified=True, user__is_active=True)
                .exclude(user_id__in=excluded)
                .order_by("user_id")
                .values_list("user_id", flat=True)
                .distinct()[:pool]
            )
            for user_id in colleagues:
                add(user_id, SAME_ORGANISATION, f"Works at {workplace.name} too")

    endorsers = (
        Endorsement.objects.filter(member=member, hidden=False)
        .exclude(endorser_id__in=excluded)
        .order_by("-weight", "id")
        .values_list("endorser_id", "skill__name")[:pool]
    )
    for user_id, skill_name in endorsers:
        add(user_id, ENDORSES_YOU, f"Endorses your {skill_name}")

    if skill is not None:
        strong = (
            MemberSkill.objects.filter(skill=skill, member__is_active=True, score__gt=0)
            .exclude(member_id__in=excluded)
            .order_by("-score", "id")
            .values_list("member_id", "score")[:pool]
        )
        for user_id, score in strong:
            add(user_id, STRONG_IN_SKILL, f"Strong in {skill.name} ({score:.1f} / 100)")

    # Most reasons first, then the order found (organisation, endorsers, strength).
    ranked = sorted(order, key=lambda pk: (-len(found[pk].reasons), order.index(pk)))
    visible = {
        u.pk: u
        for u in visible_members(member, User.objects.filter(pk__in=ranked, is_active=True)).select_related("profile")
    }
    out: list[Suggestion] = []
    for pk in ranked:
        if pk in visible:
            found[pk].member = visible[pk]
            out.append(found[pk])
            if len(out) == limit:
                break
    return out
