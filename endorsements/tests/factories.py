from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from profiles.models import Seniority, User
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill


def make_established(
    username: str | None = None, *, seniority: str = Seniority.MID, days: int = 365, **kw: Any
) -> User:
    """A trusted member: a starting point of trust (as `seed_trust --member` makes one), whose account
    is `days` old. (Age alone gives no trust any more: docs/weighting.md.) Their seniority counts as
    declared, confirmed by staff, unless `confirmed=False`."""
    from profiles.models import Profile

    confirmed = kw.pop("confirmed", True)
    user = make_member(username, seniority=seniority, **kw)
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])
    staff = _staff()
    profile = Profile.objects.get(user=user)
    profile.trust_seed, profile.trust = True, 1.0
    profile.seniority_confirmed, profile.seniority_confirmed_by = (seniority if confirmed else ""), staff
    profile.save()
    user.profile = profile
    return user


def _staff() -> User:
    staff = User.objects.filter(username="staff-confirmer").first()
    if staff is None:
        staff = make_member("staff-confirmer")
        staff.is_staff = True
        staff.save(update_fields=["is_staff"])
    return staff


def listing(member: User, name: str) -> MemberSkill:
    """`member` lists skill `name` (or already does)."""
    existing = MemberSkill.objects.filter(member=member, skill__name__iexact=name).first()
    return existing or add_skill(member, name=name)


def refreshed(ms: MemberSkill) -> MemberSkill:
    ms.refresh_from_db()
    return ms
