"""Seeded data sets for the benchmarks, bulk-inserted (fast) with weights from the real formula.

`network(ctx)` builds, once per run, members across the seniority ladder listing skills, a
`target` member listing MAX_SKILLS_PER_MEMBER skills with many endorsements, and random
endorsements between everyone else. Scores are then recomputed by the same service
function the app uses, so every denormalised figure is what the app would hold.

Sizes at BENCH_SCALE=1: 400 members, 1,000 endorsements of the target, 4,000 others.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from bench import BenchContext

LADDER = ["INTERN", "JUNIOR", "JUNIOR", "MID", "MID", "MID", "SENIOR", "SENIOR", "LEAD", "MANAGER", "DIRECTOR", "EXECUTIVE"]
RELATIONSHIPS = ["MANAGER", "PEER", "PEER", "REPORT", "OTHER"]


@dataclass(frozen=True)
class Network:
    target: str
    members: int
    endorsements: int
    target_skills: int
    target_endorsements: int


_built: Network | None = None


def network(ctx: BenchContext) -> Network:
    global _built
    if _built is None:
        _built = _build(ctx)
    return _built


def _build(ctx: BenchContext) -> Network:
    from allauth.account.models import EmailAddress

    from endorsements import weighting
    from endorsements.models import Endorsement
    from endorsements.services import recompute_member_skills
    from profiles.models import Profile, User
    from skills.models import MemberSkill, Skill
    from skills.normalise import key_for, slug_for
    from skills.services import ensure_taxonomy

    rng = random.Random(7)
    now = timezone.now()
    n_members = ctx.scaled(400, minimum=20)
    n_target = ctx.scaled(1000)
    n_other = ctx.scaled(4000)

    ensure_taxonomy()
    skills = list(Skill.objects.order_by("id"))
    for i in range(max(0, 200 - len(skills))):  # a taxonomy of at least 200 skills
        name = f"Bench Skill {i:03d}"
        skills.append(Skill(name=name, slug=slug_for(name), key=key_for(name)))
    Skill.objects.bulk_create([s for s in skills if s.pk is None])
    skills = list(Skill.objects.order_by("id"))

    password = make_password("bench-password-1")  # hashed once, shared: signing in is not benchmarked
    users = [
        User(username=f"m{i:06d}", email=f"m{i:06d}@bench.example", password=password,
             date_joined=now - timedelta(days=rng.choice([10, 40, 200, 800, 2000])))
        for i in range(n_members)
    ]
    users[0].username, users[0].email, users[0].date_joined = "target", "target@bench.example", now - timedelta(days=900)
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.order_by("id"))
    seniority = {u.pk: rng.choice(LADDER) for u in users}
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Member {u.username}", seniority=seniority[u.pk], headline="Benchmark member") for u in users],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=rng.random() < 0.95, primary=True) for u in users], batch_size=2000
    )
    verified = set(EmailAddress.objects.filter(verified=True).values_list("user_id", flat=True))

    target = users[0]
    listings = []
    for u in users:
        count = settings.MAX_SKILLS_PER_MEMBER if u is target else rng.randint(3, 8)
        for position, skill in enumerate(rng.sample(skills, count)):
            listings.append(MemberSkill(member=u, skill=skill, position=position))
    MemberSkill.objects.bulk_create(listings, batch_size=5000)
    by_member: dict[int, list[tuple[int, int]]] = {}
    for ms_id, member_id, skill_id in MemberSkill.objects.values_list("id", "member_id", "skill_id"):
        by_member.setdefault(member_id, []).append((ms_id, skill_id))

    seen: set[tuple[int, int, int]] = set()
    rows: list[Endorsement] = []
    names = {u.pk: f"Member {u.username}" for u in users}
    ages = {u.pk: (now - u.date_joined).days for u in users}

    def add(endorser_id: int, member_id: int, ms_id: int, skill_id: int) -> None:
        key = (endorser_id, member_id, skill_id)
        if endorser_id == member_id or key in seen:
            return
        seen.add(key)
        relationship = rng.choice(RELATIONSHIPS)
        inputs = weighting.WeightInputs(
            seniority=seniority[endorser_id], relationship=relationship, lists_skill=rng.random() < 0.3,
            account_age_days=ages[endorser_id], verified_email=endorser_id in verified,
            established_endorsers=rng.randint(0, 4),
        )
        w = weighting.weigh(inputs)
        rows.append(Endorsement(
            endorser_id=endorser_id, member_id=member_id, member_skill_id=ms_id, skill_id=skill_id,
            relationship=relationship, comment="", weight=w.weight, weight_inputs=inputs.as_json(),
            explanation=w.explanation(names[member_id], "the skill")[:600], from_established=w.established,
            hidden=rng.random() < 0.02,
        ))

    target_listings = by_member[target.pk]
    others = [u.pk for u in users[1:]]
    for i in range(n_target):
        # Skewed: the first skills get most endorsements, as on a real profile.
        ms_id, skill_id = target_listings[min(len(target_listings) - 1, int(rng.expovariate(1 / 8)))]
        add(rng.choice(others), target.pk, ms_id, skill_id)
    for _ in range(n_other):
        member_id = rng.choice(others)
        ms_id, skill_id = rng.choice(by_member[member_id])
        add(rng.choice(others), member_id, ms_id, skill_id)
    Endorsement.objects.bulk_create(rows, batch_size=5000)
    ids = list(MemberSkill.objects.values_list("id", flat=True))
    for start in range(0, len(ids), 5000):
        recompute_member_skills(ids[start : start + 5000])
    if connection.vendor == "postgresql":
        # Fresh tables have no statistics; a live database has them (autovacuum): plan like it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Network(
        target="target",
        members=len(users),
        endorsements=len(rows),
        target_skills=len(target_listings),
        target_endorsements=sum(1 for r in rows if r.member_id == target.pk),
    )
