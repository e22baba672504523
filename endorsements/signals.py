"""An endorser's hard-to-fake signals, read from the database for endorsements.weighting.

`signals_for` reads everything one endorser's endorsements are weighed from (seniority,
account age, verified e-mail, vouchers, their scores and verified badges in the skills) in a
fixed number of queries, whatever the number of endorsements being weighed; the formula
that turns them into weights is the pure endorsements.weighting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from endorsements.weighting import WeightInputs, established_cutoff
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
    account_age_days: int
    verified_email: bool
    established_endorsers: int
    skill_scores: dict[int, float]  # skill_id -> the endorser's visible score, for skills they list
    badge_skills: frozenset[int]

    def inputs(self, skill_id: int, relationship: str) -> WeightInputs:
        return WeightInputs(
            seniority=self.seniority,
            relationship=relationship,
            lists_skill=skill_id in self.skill_scores,
            skill_score=round(self.skill_scores.get(skill_id, 0.0), 4),
            verified_badge=skill_id in self.badge_skills,
            account_age_days=self.account_age_days,
            verified_email=self.verified_email,
            established_endorsers=self.established_endorsers,
        )


def established_vouchers(member_id: int, now: datetime) -> int:
    """How many established members (old enough, verified) endorse `member_id` visibly (one query).

    Only age and e-mail decide who counts as a voucher here, never their own endorsements,
    so the signal cannot cascade through a ring and is cheap to read.
    """
    from allauth.account.models import EmailAddress

    from endorsements.models import Endorsement

    return (
        Endorsement.objects.filter(
            member_id=member_id, hidden=False, endorser__date_joined__lte=established_cutoff(now)
        )
        .filter(Exists(EmailAddress.objects.filter(user_id=OuterRef("endorser_id"), verified=True)))
        .values("endorser_id")
        .distinct()
        .count()
    )


def signals_for(
    endorser: Any, skill_ids: Iterable[int] = (), *, now: datetime | None = None, only_skills: bool = False
) -> EndorserSignals:
    """Read `endorser`'s signals in three or four queries (profile and e-mail, vouchers, listed skills, badges).

    `only_skills`: read the endorser's score and badges for `skill_ids` only, not for every skill they
    list (weighing one endorsement); `inputs()` is then valid for those skills only.
    """
    from allauth.account.models import EmailAddress

    from profiles.models import User
    from skills.models import MemberSkill

    now = now or timezone.now()
    row = (
        User.objects.filter(pk=endorser.pk)
        .annotate(verified=Exists(EmailAddress.objects.filter(user_id=OuterRef("pk"), verified=True)))
        .values_list("profile__seniority", "verified")
        .first()
    )
    seniority, verified = (row[0] or Seniority.MID, bool(row[1])) if row else (Seniority.MID, False)
    vouchers = established_vouchers(endorser.pk, now)
    listed = MemberSkill.objects.filter(member_id=endorser.pk)
    if only_skills:
        listed = listed.filter(skill_id__in=list(skill_ids))
    scores = dict(listed.values_list("skill_id", "score"))
    # A badge lends standing only through the endorser's own listing of the skill (badges are
    # attached to their owner's listings), so only listed skills can have one.
    badges = frozenset(s for (_, s) in verified_badge_skills([endorser.pk], scores)) if scores else frozenset()
    age = max(0, (now - endorser.date_joined).days)
    return EndorserSignals(
        seniority=seniority,
        account_age_days=age,
        verified_email=verified,
        established_endorsers=vouchers,
        skill_scores=scores,
        badge_skills=badges,
    )
