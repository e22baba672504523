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
    """A member whose account is `days` old (verified e-mail): established once past 90 days."""
    user = make_member(username, seniority=seniority, **kw)
    user.date_joined = timezone.now() - timedelta(days=days)
    user.save(update_fields=["date_joined"])
    return user


def listing(member: User, name: str) -> MemberSkill:
    """`member` lists skill `name` (or already does)."""
    existing = MemberSkill.objects.filter(member=member, skill__name__iexact=name).first()
    return existing or add_skill(member, name=name)


def refreshed(ms: MemberSkill) -> MemberSkill:
    ms.refresh_from_db()
    return ms
