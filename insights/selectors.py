"""Reading skill insights from the daily rollups: a fixed number of queries whatever the network's size.

k-anonymity (settings.INSIGHTS_MIN_COUNT, k = 5 by default): a skill appears only when its demand over the window
(visitor-days of searches and views plus members' endorsement requests) is at least k; each part of it (searches,
views, requests) and each issuer's badge count is shown only when it is at least k (None: "fewer than k"); a
rising-skills period under k shows as "fewer than k". Individual searches or views are never read here at all: the
raw signals are the rollup's only input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, Sum

from insights.models import SkillDay, SkillIssuerDay, SkillNeighbour
from insights.services import today


def k() -> int:
    return int(settings.INSIGHTS_MIN_COUNT)


def shown(value: int) -> int | None:
    """A count as it may be shown: None under k."""
    return value if value >= k() else None


@dataclass
class IssuerCount:
    name: str
    badges: int


@dataclass
class SkillInsight:
    skill: Any
    demand: int
    searches: int | None
    views: int | None
    requests: int | None
    listing: int
    strong_supply: int
    verified_badges: int
    scarcity: float
    issuers: list[IssuerCount] = field(default_factory=list)


def _latest_day() -> Any:
    return SkillDay.objects.filter(day__lte=today()).aggregate(d=Max("day"))["d"]


def skill_insights(first: int = 10, *, skill_ids: list[int] | None = None) -> list[SkillInsight]:
    """The skills in demand, scarcest first: scarcity = demand / (members strong in it + 1). Four queries."""
    from skills.models import Skill

    first = max(0, min(int(first), 50))
    end = today()
    start = end - timedelta(days=settings.INSIGHTS_WINDOW_DAYS - 1)
    rows = SkillDay.objects.filter(day__gte=start, day__lte=end)
    if skill_ids is not None:
        rows = rows.filter(skill_id__in=skill_ids)
    demand = {
        r["skill_id"]: r
        for r in rows.values("skill_id").annotate(s=Sum("searches"), v=Sum("views"), r=Sum("requests")).order_by()
    }
    latest = _latest_day()
    supply = {
        r["skill_id"]: r
        for r in SkillDay.objects.filter(day=latest, skill_id__in=list(demand)).values(
            "skill_id", "listing", "strong", "badges"
        )
    }
    found = []
    for skill_id, r in demand.items():
        total = (r["s"] or 0) + (r["v"] or 0) + (r["r"] or 0)
        if total < k():
            continue
        s: Any = supply.get(skill_id, {})
        strong = s.get("strong", 0)
        found.append((skill_id, total, r, s, round(total / (strong + 1), 4)))
    found.sort(key=lambda f: (-f[4], -f[1], f[0]))
    if skill_ids is None:
        found = found[:first]
    skills = Skill.objects.in_bulk([f[0] for f in found])
    issuers = issuers_for([f[0] for f in found], day=latest)
    return [
        SkillInsight(
            skill=skills[skill_id],
            demand=total,
            searches=shown(r["s"] or 0),
            views=shown(r["v"] or 0),
            requests=shown(r["r"] or 0),
            listing=s.get("listing", 0),
            strong_supply=s.get("strong", 0),
            verified_badges=s.get("badges", 0),
            scarcity=scarcity,
            issuers=issuers.get(skill_id, []),
        )
        for skill_id, total, r, s, scarcity in found
        if skill_id in skills
    ]


def issuers_for(skill_ids: list[int], *, day: Any = None, per_skill: int = 5) -> dict[int, list[IssuerCount]]:
    """Who issues the verified badges members hold for these skills: issuers behind at least k badges only."""
    day = day or _latest_day()
    out: dict[int, list[IssuerCount]] = {}
    if not skill_ids or day is None:
        return out
    for row in SkillIssuerDay.objects.filter(day=day, skill_id__in=skill_ids, badges__gte=k()).order_by(
        "skill_id", "-badges", "issuer"
    ):
        bucket = out.setdefault(row.skill_id, [])
        if len(bucket) < per_skill:
            bucket.append(IssuerCount(row.issuer, row.badges))
    return out


@dataclass
class Rising:
    skill: Any
    periods: list[int | None]  # demand in each 30-day period, oldest first; None: fewer than k
    growth: float  # (latest − oldest) / max(oldest, k)


def rising_skills(first: int = 8) -> list[Rising]:
    """Skills whose demand grew over the last 90 days (three 30-day periods), fastest first. Two queries."""
    from skills.models import Skill

    end = today()
    bounds = [end - timedelta(days=89), end - timedelta(days=59), end - timedelta(days=29)]
    total = Sum("searches") + Sum("views") + Sum("requests")

    def period(i: int) -> Any:
        upper = bounds[i + 1] if i < 2 else end + timedelta(days=1)
        q = Q(day__gte=bounds[i], day__lt=upper)
        return (
            Sum("searches", filter=q, default=0)
            + Sum("views", filter=q, default=0)
            + Sum("requests", filter=q, default=0)
        )

    rows = (
        SkillDay.objects.filter(day__gte=bounds[0], day__lte=end)
        .values("skill_id")
        .annotate(p0=period(0), p1=period(1), p2=period(2), t=total)
        .order_by()
    )
    found = []
    for r in rows:
        p = [r["p0"] or 0, r["p1"] or 0, r["p2"] or 0]
        if p[2] < k() or p[2] <= p[0]:
            continue
        found.append((r["skill_id"], p, round((p[2] - p[0]) / max(p[0], k()), 4)))
    found.sort(key=lambda f: (-f[2], -f[1][2], f[0]))
    found = found[:first]
    skills = Skill.objects.in_bulk([f[0] for f in found])
    return [Rising(skills[s], [shown(v) for v in p], g) for s, p, g in found if s in skills]


@dataclass
class Suggestion:
    skill: Any
    demand: int
    my_score: float | None  # None: not listed
    listed_with: int  # members who list it with one of the member's skills
    issuers: list[IssuerCount]


def skills_to_strengthen(member: Any, first: int = 5) -> list[Suggestion]:
    """Skills near the member's (co-listed by at least k others with one of theirs), in demand, where their own
    score is weak (under INSIGHTS_STRONG_SCORE or not listed), with the badge issuers others used as proof. Six
    queries at most."""
    from skills.models import MemberSkill

    mine = dict(MemberSkill.objects.filter(member_id=member.pk).values_list("skill_id", "score"))
    if not mine:
        return []
    near: dict[int, int] = {}
    for other, members in SkillNeighbour.objects.filter(skill_id__in=list(mine)).values_list("other_id", "members"):
        near[other] = max(near.get(other, 0), members)
    strong = settings.INSIGHTS_STRONG_SCORE
    candidates = [s for s in near if mine.get(s, 0.0) < strong]
    # Own weak listings count too: they are the member's skills to strengthen whether or not others co-list them.
    candidates += [s for s, score in mine.items() if score < strong and s not in near]
    if not candidates:
        return []
    insights = skill_insights(skill_ids=candidates)
    ranked = sorted(insights, key=lambda i: (-(i.demand * (1 + near.get(i.skill.pk, 0))), i.skill.name))[:first]
    return [Suggestion(i.skill, i.demand, mine.get(i.skill.pk), near.get(i.skill.pk, 0), i.issuers) for i in ranked]
