"""An endorser's signals, read from the database for endorsements.weighting.

`signals_for` reads everything one endorser's endorsements are weighed from in a fixed number
of queries, whatever the number of endorsements being weighed: their declared seniority and
whether it is corroborated, their stored trust (endorsements.trust_graph) and how many members
they vouch for, their verified workplace, the relationships they claim with the members
concerned and whether those agree, their scores and verified badges in the skills. The formula
that turns them into weights is the pure endorsements.weighting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count

from endorsements import weighting
from endorsements.weighting import RELATIONSHIP_FACTOR, WeightInputs
from profiles.models import Seniority


def verified_badge_skills(endorser_ids: Iterable[int], skill_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (endorser_id, skill_id) pairs where the endorser holds a VERIFIED badge for the skill.

    One query for all pairs, so weighing stays bulk; `endorser_has_verified_badge` is the
    one-pair form. "Holds" means evidence as the badges app defines it: VERIFIED by Vouch,
    public, not past its expiry, and attached to the endorser's own listing of the skill
    (badges.selectors.verified_badge_pairs; docs/weighting.md, "Verified badges").
    """
    from badges.selectors import verified_badge_pairs

    return verified_badge_pairs(endorser_ids, skill_ids)


def endorser_has_verified_badge(endorser: Any, skill: Any) -> bool:
    """Whether `endorser` holds a verified badge for `skill` (hook: see verified_badge_skills)."""
    return (endorser.pk, skill.pk) in verified_badge_skills([endorser.pk], [skill.pk])


@dataclass(frozen=True)
class EndorserSignals:
    """One endorser's signals, read once and used for every endorsement they gave."""

    seniority: str
    skill_scores: dict[int, float]  # skill_id -> the endorser's visible score, for skills they list
    badge_skills: frozenset[int]
    trust: float = 0.0
    seed: bool = False
    breadth: int = 0  # distinct members they vouch for visibly
    seniority_basis: str = ""
    name: str = ""
    workplace: str = ""
    claims: dict[int, frozenset[str]] = field(default_factory=dict)  # member -> relationships claimed
    same_org: frozenset[int] = frozenset()  # members at the endorser's verified workplace
    agreed_managed: frozenset[int] = frozenset()  # … who agree the endorser managed them
    badge_issued: dict[int, Any] = field(default_factory=dict)  # skill_id -> the badge's date, None: validity stated
    pair_relationship: dict[int, str] = field(default_factory=dict)  # member -> relationship of their first endorsement
    endorsed: frozenset[tuple[int, int]] = frozenset()  # (member, skill) pairs already endorsed (hidden ones too)

    def inputs(
        self,
        skill_id: int,
        relationship: str,
        member_id: int | None = None,
        *,
        new: bool = False,
        since: datetime | None = None,
        reconfirmed: bool = False,
        kind: str = weighting.DEFAULT_KIND,
        now: datetime | None = None,
    ) -> WeightInputs:
        """`new`: the endorsement is about to be made (it adds one to breadth if the member is new to them).
        `since`: when it was given or last re-`reconfirmed` (its age at `now`); `kind`: the skill's kind."""
        from django.utils import timezone

        now = now or timezone.now()
        effective, reason = relationship_as_counted(self, relationship, member_id)
        issued = self.badge_issued.get(skill_id)
        breadth = self.breadth + (1 if new and member_id not in self.claims else 0)
        return WeightInputs(
            seniority=self.seniority,
            relationship=effective,
            lists_skill=skill_id in self.skill_scores,
            skill_score=round(self.skill_scores.get(skill_id, 0.0), 4),
            verified_badge=skill_id in self.badge_skills,
            trust=round(self.trust, 6),
            breadth=max(1, breadth),
            seniority_basis=self.seniority_basis,
            relationship_claimed=relationship if effective != relationship else "",
            relationship_reason=reason,
            endorser_name=self.name,
            workplace=self.workplace,
            seed=self.seed,
            age_days=weighting.age_in_days(since, now),
            skill_kind=kind,
            reconfirmed=reconfirmed,
            badge_age_days=weighting.age_in_days(issued, now) if issued is not None else None,
        )


def relationship_as_counted(signals: EndorserSignals, relationship: str, member_id: int | None) -> tuple[str, str]:
    """(relationship as it counts, why it differs: "conflict", "unconfirmed" or "")."""
    claims = set(signals.claims.get(member_id, frozenset())) if member_id is not None else set()
    claims.add(relationship)
    effective, reason = relationship, ""
    if len(claims) > 1:  # one endorser, one relationship to a member: the least weighty claim counts
        effective = min(claims, key=lambda r: (RELATIONSHIP_FACTOR.get(r, 1.0), r))
        reason = "conflict" if effective != relationship else ""
    if effective == "MANAGER" and member_id in signals.same_org and member_id not in signals.agreed_managed:
        effective, reason = "PEER", "unconfirmed"
    return effective, reason


def seniority_basis(endorser_id: int, declared: str, confirmed: str, confirmed_by: Any, workplace: Any) -> str:
    """CONFIRMED, COLLEAGUES or "" for a declared seniority above MID (lower levels need nothing)."""
    from endorsements.models import Endorsement
    from profiles.workplaces import verified_workplaces

    if Seniority.rank(declared) <= Seniority.rank(weighting.UNCORROBORATED_CEILING):
        return ""
    if (
        confirmed
        and confirmed == declared
        and confirmed_by is not None
        and (confirmed_by.is_staff or (workplace is not None and workplace.admins.filter(pk=confirmed_by.pk).exists()))
    ):
        return weighting.CONFIRMED
    if workplace is None:
        return ""
    rows = list(
        Endorsement.objects.filter(member_id=endorser_id, hidden=False)
        .values_list("endorser_id", "relationship")
        .distinct()
        .order_by()
    )
    colleagues = verified_workplaces({e for e, _ in rows})
    same = {(e, r) for e, r in rows if e in colleagues and colleagues[e].pk == workplace.pk}
    people = {e for e, _ in same}
    manages = Seniority.rank(declared) >= Seniority.rank(Seniority.MANAGER)
    if len(people) >= weighting.CORROBORATORS and (not manages or any(r == "REPORT" for _, r in same)):
        return weighting.COLLEAGUES
    return ""


def signals_for(
    endorser: Any,
    skill_ids: Iterable[int] = (),
    *,
    member_ids: Iterable[int] = (),
    now: datetime | None = None,
    only_skills: bool = False,
) -> EndorserSignals:
    """Read `endorser`'s signals in a handful of queries whatever the number of endorsements.

    `member_ids`: the members of the endorsements about to be weighed (relationship checks).
    `only_skills`: read the endorser's score and badges for `skill_ids` only, not for every skill
    they list (weighing one endorsement); `inputs()` is then valid for those skills only.
    """
    from endorsements.models import Endorsement, EndorsementRequest
    from profiles.workplaces import verified_workplaces
    from skills.models import MemberSkill

    members = set(member_ids) - {endorser.pk}
    profile = _profile(endorser)
    declared = (profile.seniority if profile else "") or Seniority.MID
    workplaces = verified_workplaces({endorser.pk} | members)
    workplace = workplaces.get(endorser.pk)
    basis = (
        seniority_basis(endorser.pk, declared, profile.seniority_confirmed, profile.seniority_confirmed_by, workplace)
        if profile
        else ""
    )
    breadth_row = Endorsement.objects.filter(endorser_id=endorser.pk, hidden=False).aggregate(
        n=Count("member_id", distinct=True)
    )
    claims: dict[int, set[str]] = {}
    first: dict[int, str] = {}
    endorsed: set[tuple[int, int]] = set()
    if members:
        # Every endorsement between them (a pair has at most one per skill): the relationships claimed, the pair's
        # relationship (its first endorsement's) and what is endorsed already, in one query.
        for member_id, relationship, skill_id in (
            Endorsement.objects.filter(endorser_id=endorser.pk, member_id__in=members)
            .order_by("id")
            .values_list("member_id", "relationship", "skill_id")
        ):
            claims.setdefault(member_id, set()).add(relationship)
            first.setdefault(member_id, relationship)
            endorsed.add((member_id, skill_id))
    same_org = frozenset(m for m in members if workplace is not None and workplaces.get(m) == workplace)
    agreed: set[int] = set()
    if same_org:
        agreed |= set(
            Endorsement.objects.filter(endorser_id__in=same_org, member_id=endorser.pk, relationship="REPORT")
            .values_list("endorser_id", flat=True)
            .order_by()
        )
        agreed |= set(
            EndorsementRequest.objects.filter(
                requester_id__in=same_org, recipient_id=endorser.pk, relationship="MANAGER"
            )
            .values_list("requester_id", flat=True)
            .order_by()
        )
    listed = MemberSkill.objects.filter(member_id=endorser.pk)
    if only_skills:
        listed = listed.filter(skill_id__in=list(skill_ids))
    scores = dict(listed.values_list("skill_id", "score"))
    # A badge lends standing only through the endorser's own listing of the skill (badges are
    # attached to their owner's listings), so only listed skills can have one.
    from badges.selectors import verified_badge_dates

    dated = verified_badge_dates([endorser.pk], scores) if scores else {}
    badges = frozenset(s for (_, s) in dated)
    seed = bool(profile and profile.trust_seed) or workplace is not None
    return EndorserSignals(
        seniority=declared,
        skill_scores=scores,
        badge_skills=badges,
        trust=1.0 if seed else (profile.trust if profile else 0.0),
        seed=seed,
        breadth=breadth_row["n"] or 0,
        seniority_basis=basis,
        name=(profile.display_name or profile.user.username) if profile else getattr(endorser, "username", ""),
        workplace=workplace.name if workplace is not None else "",
        claims={m: frozenset(r) for m, r in claims.items()},
        same_org=same_org,
        agreed_managed=frozenset(agreed),
        badge_issued={s: when for (_, s), when in dated.items()},
        pair_relationship=first,
        endorsed=frozenset(endorsed),
    )


def _profile(endorser: Any) -> Any:
    """The endorser's profile, read now (trust and seniority move: never one loaded earlier). Left on a User instance
    that has none loaded yet, as reading `endorser.profile` would have loaded it, for what the caller does next with
    it (the notification naming the endorser)."""
    from profiles.models import Profile, User

    profile = Profile.objects.filter(user_id=endorser.pk).select_related("seniority_confirmed_by").first()
    if profile is not None and isinstance(endorser, User) and not User.profile.is_cached(endorser):
        profile.user = endorser
        endorser.profile = profile
    return profile
