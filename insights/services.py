"""Collecting demand signals privately, and rolling them up daily (docs/insights.md).

Recording is on the request path, so it is bounded: one visitor key (a keyed hash of who they are and the day),
de-duplicated per (kind, skill, visitor, day) by a unique constraint, at most INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY
signals per visitor a day, two statements at most, and never an error for the page: a signal that cannot be stored
is dropped. The rollup (`rollup`, the periodic job insights.tasks.rollup) does the counting, off the request path.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from insights.models import DemandSignal, SignalKind, SkillDay, SkillIssuerDay, SkillNeighbour, ViewsOptOut
from profiles.actors import is_signed_in

log = logging.getLogger(__name__)

SIGNAL_RETENTION_DAYS = 2  # raw signals live until both of their days are rolled up for good
NEIGHBOURS_PER_SKILL = 20


def today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def visitor_key(request: Any, day: date) -> str | None:
    """Who is asking, as a hash that changes every day (HMAC with the secret key): a signed-in member by id, a
    visitor by session, else by address and browser. None when nothing identifies them (no signal)."""
    user = getattr(request, "user", None)
    if is_signed_in(user):
        raw = f"u:{user.pk}"
    else:
        session = getattr(request, "session", None)
        key = getattr(session, "session_key", None) if session is not None else None
        meta = getattr(request, "META", {})
        address = meta.get("REMOTE_ADDR", "")
        raw = f"s:{key}" if key else (f"a:{address}|{meta.get('HTTP_USER_AGENT', '')[:200]}" if address else "")
    if not raw:
        return None
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{day.isoformat()}|{raw}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _record(request: Any, kind: str, skill_ids: Iterable[int]) -> int:
    ids = sorted(set(skill_ids))[: settings.MAX_SKILLS_PER_MEMBER]
    if not ids:
        return 0
    day = today()
    visitor = visitor_key(request, day)
    if visitor is None:
        return 0
    try:
        with transaction.atomic():
            used = DemandSignal.objects.filter(visitor=visitor, day=day).count()
            room = settings.INSIGHTS_SIGNALS_PER_VISITOR_PER_DAY - used
            if room <= 0:
                return 0
            rows = [DemandSignal(kind=kind, skill_id=s, day=day, visitor=visitor) for s in ids[:room]]
            DemandSignal.objects.bulk_create(rows, ignore_conflicts=True)
            return len(rows)
    except DatabaseError:  # a signal is never worth a failed page
        log.warning("insights: a demand signal was dropped", exc_info=True)
        return 0


def record_search(request: Any, skill: Any) -> int:
    """Someone searched members by `skill` (the search page, `members(skill:)`)."""
    return record_search_id(request, skill.pk if skill is not None else None)


def record_search_id(request: Any, skill_id: int | None) -> int:
    """record_search by the skill's id (a `members(skill:)` answer served from the anonymous read cache)."""
    return _record(request, SignalKind.SEARCH, [skill_id]) if skill_id is not None else 0


def record_profile_view(request: Any, member: Any, skill_ids: Iterable[int]) -> int:
    """Someone other than `member` looked at their profile: a view for each skill it lists, unless `member` opted
    out of being counted."""
    user = getattr(request, "user", None)
    if is_signed_in(user) and user.pk == member.pk:
        return 0
    if ViewsOptOut.objects.filter(member_id=member.pk).exists():
        return 0
    return _record(request, SignalKind.VIEW, skill_ids)


def views_counted(member: Any) -> bool:
    return not ViewsOptOut.objects.filter(member_id=member.pk).exists()


@transaction.atomic
def set_views_counted(actor: Any, *, counted: bool) -> bool:
    """The member's preference: whether views of their profile count in skill insights (default yes). From the
    moment they opt out their profile adds no signal (signals already stored name a skill, never a member)."""
    if counted:
        ViewsOptOut.objects.filter(member_id=actor.pk).delete()
    else:
        ViewsOptOut.objects.get_or_create(member_id=actor.pk)
    return bool(counted)


# --- the daily rollup ---------------------------------------------------------------------
def rollup(*, now: datetime | None = None) -> int:
    """Write today's and yesterday's SkillDay rows (demand from the signals and requests; supply, badges and
    issuers as they stand now, for today), recompute which skills are listed together, and delete raw signals
    past their retention. Idempotent; returns how many SkillDay rows were written."""
    now = now or timezone.now()
    day = today(now)
    written = 0
    with transaction.atomic():
        written += _roll_day(day - timedelta(days=1), supply=False)
        written += _roll_day(day, supply=True)
        _issuers(day)
        _neighbours()
        DemandSignal.objects.filter(day__lt=day - timedelta(days=SIGNAL_RETENTION_DAYS)).delete()
    return written


def _roll_day(day: date, *, supply: bool) -> int:
    from endorsements.models import EndorsementRequest

    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in DemandSignal.objects.filter(day=day).values("kind", "skill_id").annotate(n=Count("id")).order_by():
        counts[row["skill_id"]]["searches" if row["kind"] == SignalKind.SEARCH else "views"] = row["n"]
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    for row in (
        EndorsementRequest.objects.filter(created_at__gte=start, created_at__lt=start + timedelta(days=1))
        .values("skill_id")
        .annotate(n=Count("requester_id", distinct=True))
        .order_by()
    ):
        counts[row["skill_id"]]["requests"] = row["n"]
    if supply:
        for skill_id, values in _supply().items():
            counts[skill_id].update(values)
    existing = {r.skill_id: r for r in SkillDay.objects.filter(day=day)}
    demand = ("searches", "views", "requests")
    fields = demand + (("listing", "strong", "badges") if supply else ())
    new: list[SkillDay] = []
    changed: list[SkillDay] = []
    for skill_id, values in counts.items():
        stored = existing.get(skill_id) or SkillDay(skill_id=skill_id, day=day)
        for name in fields:
            setattr(stored, name, values.get(name, 0))
        (changed if stored.pk else new).append(stored)
    for skill_id, gone in existing.items():  # demand that went away (a request withdrawn…), supply gone
        if skill_id not in counts:
            for name in fields:
                setattr(gone, name, 0)
            changed.append(gone)
    SkillDay.objects.bulk_create(new, batch_size=500)
    SkillDay.objects.bulk_update(changed, list(fields), batch_size=500)
    return len(new) + len(changed)


def _supply() -> dict[int, dict[str, int]]:
    from badges.models import Badge
    from badges.permissions import evidence_q
    from skills.models import MemberSkill

    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        MemberSkill.objects.filter(member__is_active=True)
        .values("skill_id")
        .annotate(listing=Count("id"), strong=Count("id", filter=Q(score__gte=settings.INSIGHTS_STRONG_SCORE)))
        .order_by()
    ):
        out[row["skill_id"]].update(listing=row["listing"], strong=row["strong"])
    for row in (
        Badge.objects.filter(evidence_q(), member_skill__isnull=False, owner__is_active=True)
        .values("member_skill__skill_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[row["member_skill__skill_id"]]["badges"] = row["n"]
    return out


def issuer_label(confirmed_name: str, name: str, url: str) -> str:
    return (confirmed_name or name or url or "Unnamed issuer")[:300]


def _issuers(day: date) -> None:
    from badges.models import Badge
    from badges.permissions import evidence_q

    counts: dict[tuple[int, str], int] = defaultdict(int)
    rows = (
        Badge.objects.filter(evidence_q(), member_skill__isnull=False, owner__is_active=True)
        .values("member_skill__skill_id", "issuer_confirmed_name", "issuer_name", "issuer_url")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        label = issuer_label(row["issuer_confirmed_name"], row["issuer_name"], row["issuer_url"])
        counts[(row["member_skill__skill_id"], label)] += row["n"]
    SkillIssuerDay.objects.filter(day=day).delete()
    SkillIssuerDay.objects.bulk_create(
        [SkillIssuerDay(skill_id=s, day=day, issuer=i, badges=n) for (s, i), n in sorted(counts.items())],
        batch_size=500,
    )


def _neighbours() -> None:
    """Pairs of skills listed by the same active members, at least INSIGHTS_MIN_COUNT of them (fewer would say
    something about individuals), the NEIGHBOURS_PER_SKILL strongest per skill. One grouped self-join."""
    from profiles.models import User
    from skills.models import MemberSkill

    ms, users = MemberSkill._meta.db_table, User._meta.db_table
    sql = (
        f"SELECT a.skill_id, b.skill_id, COUNT(*) FROM {ms} a JOIN {ms} b ON a.member_id = b.member_id "
        f"AND a.skill_id <> b.skill_id JOIN {users} u ON u.id = a.member_id WHERE u.is_active "
        "GROUP BY a.skill_id, b.skill_id HAVING COUNT(*) >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.INSIGHTS_MIN_COUNT])
        pairs = cursor.fetchall()
    by_skill: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b, n in pairs:
        by_skill[a].append((n, b))
    SkillNeighbour.objects.all().delete()
    rows = [
        SkillNeighbour(skill_id=a, other_id=b, members=n)
        for a, others in by_skill.items()
        for n, b in sorted(others, key=lambda p: (-p[0], p[1]))[:NEIGHBOURS_PER_SKILL]
    ]
    SkillNeighbour.objects.bulk_create(rows, batch_size=500)
