"""The benchmark network, seeded in seconds with bulk inserts and weighed by the real formula.

`network(ctx)` builds, once per run:

* members across the seniority ladder (5% with members-only profiles, 95% with a verified
  e-mail address, account ages from 10 days to 5 years), each listing 3-8 of a 200-skill taxonomy;
* a `target` member listing MAX_SKILLS_PER_MEMBER (50) skills, endorsed many times
  (skewed: the first listings get most, as on a real profile), with verified public badges;
* random endorsements between everyone else (2% hidden by the endorsed member).

Sizes at BENCH_SCALE=1 on PostgreSQL: 10,000 members, 200 skills, 200,000 endorsements of which
10,000 are the target's. SQLite is not what production runs and is slow to fill: there the
sizes are divided by 10 (and the run says so). BENCH_SCALE multiplies either.

Speed: rows are written with PostgreSQL COPY (executemany on SQLite), with explicit ids, never
through the services (which would take ~40 queries per endorsement). Consistency with the app:
every weight is `endorsements.weighting.weigh()` of inputs computed from the seeded rows
themselves (seniority, relationship, account age, verified e-mail, established vouchers,
whether the endorser lists the skill and their score in it), every explanation is
`weighting.explain()`, and scores are `weighting.score()` of the visible weights, as
`endorsements.services` computes them. Like `reweigh_all` run once over a fresh network, the
endorsers' own scores are taken from a first weighing pass (one level of cascade, as the app
does). `check_consistency()` then asks the real services to recompute the target's scores and
one endorser's signals and fails the run if they disagree with what was seeded.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from bench import BenchContext

LADDER = [
    "INTERN",
    "JUNIOR",
    "JUNIOR",
    "MID",
    "MID",
    "MID",
    "SENIOR",
    "SENIOR",
    "LEAD",
    "MANAGER",
    "DIRECTOR",
    "EXECUTIVE",
]
RELATIONSHIPS = ["MANAGER", "PEER", "PEER", "REPORT", "OTHER"]
AGES_DAYS = [10, 40, 200, 800, 2000]
SQLITE_FACTOR = 0.1


@dataclass(frozen=True)
class Network:
    target: str
    members: int
    skills: int
    listings: int
    endorsements: int
    target_skills: int
    target_endorsements: int
    target_badges: int
    seconds: float
    scale_note: str

    def as_extra(self) -> dict[str, Any]:
        return {
            "members": self.members,
            "skills": self.skills,
            "endorsements": self.endorsements,
            "target_skills": self.target_skills,
            "target_endorsements": self.target_endorsements,
        }


_built: Network | None = None


def network(ctx: BenchContext) -> Network:
    global _built
    if _built is None:
        _built = _build(ctx)
        print(
            f"   seeded {_built.members:,} members, {_built.skills} skills, {_built.listings:,} listed skills, "
            f"{_built.endorsements:,} endorsements (target: {_built.target_skills} skills, "
            f"{_built.target_endorsements:,} endorsements, {_built.target_badges} badges) in {_built.seconds:.1f} s"
            + (f" — {_built.scale_note}" if _built.scale_note else ""),
            flush=True,
        )
    return _built


def effective_scale(ctx: BenchContext) -> tuple[float, str]:
    if connection.vendor == "postgresql":
        return ctx.scale, ""
    return ctx.scale * SQLITE_FACTOR, (
        f"{connection.vendor}: sizes scaled down ×{SQLITE_FACTOR:g} "
        "(set DATABASE_URL to PostgreSQL for the full network)"
    )


# --- writing rows fast ------------------------------------------------------------------------
def _model_defaults(table: str, columns: Sequence[str]) -> list[tuple[str, Any]]:
    """The NOT NULL columns of `table`'s model that `columns` leaves out and that have a model default (or
    take "", as a blank string field does), in database form: a field added to a model later (NOT NULL,
    the default set by Django, not the database) does not break the seeding."""
    from django.apps import apps
    from django.db import models

    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return []
    out = []
    for f in model._meta.concrete_fields:
        if f.column in columns or f.null or f.primary_key:
            continue
        value = f.get_default()  # "" for a string field without one
        if value is None:
            continue
        if isinstance(f, models.JSONField):
            out.append((f.column, json.dumps(value)))
        else:
            out.append((f.column, f.get_db_prep_save(value, connection)))
    return out


def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY on PostgreSQL, executemany elsewhere. Values are already in database form."""
    extra = _model_defaults(table, columns)
    if extra:
        tail = tuple(v for _, v in extra)
        columns = [*columns, *(c for c, _ in extra)]
        rows = (tuple(r) + tail for r in rows)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})", list(rows)
            )


def insert_rows(model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Rows of `model` by bulk insert, each a dict by field attname (`user_id`, …); a field left out takes the
    model's default. The columns come from the model, so a new field is never missing from a seeding here."""
    fields = [f for f in model._meta.concrete_fields]

    def prepared(values: dict[str, Any]) -> tuple[Any, ...]:
        row = []
        for f in fields:
            value = values[f.attname] if f.attname in values else f.get_default()
            if f.get_internal_type() == "JSONField":
                row.append(None if value is None else json.dumps(value))  # COPY and executemany take JSON text
            else:
                row.append(f.get_db_prep_save(value, connection))
        return tuple(row)

    _insert(model._meta.db_table, [f.column for f in fields], (prepared(values) for values in rows))


def insert_members(members: Iterable[dict[str, Any]]) -> None:
    """Members (a user and their profile each) by bulk insert: the one seeding of members every bench row uses.

    Each dict: `id`, `username`, `email`, `joined` (a datetime), optionally `password` (a hash; default unusable)
    and any Profile field by attname (`display_name`, `seniority`, `visibility`, `trust`, …)."""
    from profiles.models import Profile, User

    members = list(members)
    first_profile = _next_id(Profile)
    insert_rows(
        User,
        (
            {
                "id": m["id"],
                "password": m.get("password", "!"),
                "email": m["email"],
                "username": m["username"],
                "is_active": True,
                "date_joined": m["joined"],
            }
            for m in members
        ),
    )
    user_keys = {"id", "username", "email", "joined", "password"}
    insert_rows(
        Profile,
        (
            {
                "id": first_profile + i,
                "user_id": m["id"],
                "created_at": m["joined"],
                "updated_at": m["joined"],
                **{k: v for k, v in m.items() if k not in user_keys},
            }
            for i, m in enumerate(members)
        ),
    )


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _dt(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the network ------------------------------------------------------------------------------
def _build(ctx: BenchContext) -> Network:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from badges.models import Badge
    from endorsements import weighting
    from endorsements.models import Endorsement
    from profiles.models import Profile, User
    from skills.models import MemberSkill, Skill
    from skills.normalise import key_for, slug_for
    from skills.services import ensure_taxonomy

    started = time.perf_counter()
    scale, note = effective_scale(ctx)
    rng = random.Random(7)
    now = timezone.now()
    n_members = max(50, int(10_000 * scale))
    n_target = max(100, int(10_000 * scale))
    n_total = max(n_target + 100, int(200_000 * scale))
    n_skills = 200

    # Skills: the real taxonomy, topped up to 200.
    ensure_taxonomy()
    existing = Skill.objects.count()
    Skill.objects.bulk_create(
        [
            Skill(
                name=f"Bench Skill {i:03d}", slug=slug_for(f"Bench Skill {i:03d}"), key=key_for(f"Bench Skill {i:03d}")
            )
            for i in range(max(0, n_skills - existing))
        ]
    )
    skills = list(Skill.objects.order_by("id").values_list("id", "name"))[:n_skills]
    skill_name = dict(skills)
    skill_ids = [s for s, _ in skills]

    # Members: user, profile, e-mail address. One password hash for all (signing in is not benchmarked).
    password = make_password("bench-password-1")
    first_user = _next_id(User)
    user_ids = list(range(first_user, first_user + n_members))
    target_id = user_ids[0]
    usernames = {uid: ("target" if uid == target_id else f"m{i:06d}") for i, uid in enumerate(user_ids)}
    joined = {
        uid: now - timedelta(days=900 if uid == target_id else rng.choice(AGES_DAYS), minutes=rng.randint(0, 600))
        for uid in user_ids
    }
    seniority = {uid: ("SENIOR" if uid == target_id else rng.choice(LADDER)) for uid in user_ids}
    verified = {uid for uid in user_ids if uid == target_id or rng.random() < 0.95}
    public = {uid for uid in user_ids if uid == target_id or rng.random() < 0.95}
    display = {uid: f"Member {usernames[uid].title()}" for uid in user_ids}

    def is_seed(uid: int) -> bool:
        # Starting points of trust (as `seed_trust --member` names them): the old, verified members,
        # so the network weighs as it did under account age (docs/weighting.md).
        return uid in verified and (now - joined[uid]).days >= 90

    insert_members(
        {
            "id": uid,
            "username": usernames[uid],
            "email": f"{usernames[uid]}@bench.example",
            "joined": joined[uid],
            "password": password,
            "display_name": display[uid],
            "headline": "Benchmark member",
            "seniority": seniority[uid],
            "organisation": "Bench Corp",
            "title": "Engineer",
            "visibility": "PUBLIC" if uid in public else "MEMBERS",
            "trust": 1.0 if is_seed(uid) else 0.0,
            "trust_seed": is_seed(uid),
        }
        for uid in user_ids
    )
    first_email = _next_id(EmailAddress)
    _insert(
        "account_emailaddress",
        ["id", "user_id", "email", "verified", "primary"],
        (
            (first_email + i, uid, f"{usernames[uid]}@bench.example", uid in verified, True)
            for i, uid in enumerate(user_ids)
        ),
    )

    # Listings.
    first_listing = _next_id(MemberSkill)
    listing_rows: list[tuple[int, int, int, int]] = []  # (id, member, skill, position)
    listing_of: dict[tuple[int, int], int] = {}
    by_member: dict[int, list[tuple[int, int]]] = {}
    for uid in user_ids:
        count = settings.MAX_SKILLS_PER_MEMBER if uid == target_id else rng.randint(3, 8)
        mine = []
        for position, skill_id in enumerate(rng.sample(skill_ids, min(count, len(skill_ids)))):
            ms_id = first_listing + len(listing_rows)
            listing_rows.append((ms_id, uid, skill_id, position))
            listing_of[(uid, skill_id)] = ms_id
            mine.append((ms_id, skill_id))
        by_member[uid] = mine

    # Endorsements: (endorser, member, listing, skill, relationship, hidden).
    seen: set[tuple[int, int, int]] = set()
    edges: list[tuple[int, int, int, int, str, bool]] = []

    def add(endorser: int, member: int, ms_id: int, skill_id: int) -> None:
        key = (endorser, member, skill_id)
        if endorser == member or key in seen:
            return
        seen.add(key)
        edges.append((endorser, member, ms_id, skill_id, rng.choice(RELATIONSHIPS), rng.random() < 0.02))

    others = user_ids[1:]
    target_listings = by_member[target_id]
    attempts = 0
    while len(edges) < n_target and attempts < n_target * 3:
        attempts += 1
        ms_id, skill_id = target_listings[min(len(target_listings) - 1, int(rng.expovariate(1 / 10)))]
        add(rng.choice(others), target_id, ms_id, skill_id)
    n_target_made = len(edges)
    attempts = 0
    while len(edges) < n_total and attempts < n_total * 3:
        attempts += 1
        member = rng.choice(others)
        ms_id, skill_id = rng.choice(by_member[member])
        add(rng.choice(others), member, ms_id, skill_id)

    # Weighing: each endorser's trust (1 for the starting points above, 0 otherwise: as stored) and
    # how many members they vouch for (as endorsements.signals.signals_for reads them), then two passes of weigh().
    vouched: dict[int, set[int]] = defaultdict(set)
    for endorser, member, _ms, _skill, _rel, hidden in edges:
        if not hidden:
            vouched[endorser].add(member)

    def weigh_all(scores: dict[int, float]) -> list[weighting.Weighing]:
        out = []
        for endorser, _member, _ms, skill_id, relationship, _hidden in edges:
            own = listing_of.get((endorser, skill_id))
            out.append(
                weighting.weigh(
                    weighting.WeightInputs(
                        seniority=seniority[endorser],
                        relationship=relationship,
                        lists_skill=own is not None,
                        skill_score=round(scores.get(own, 0.0), 4) if own is not None else 0.0,
                        verified_badge=False,
                        trust=1.0 if is_seed(endorser) else 0.0,
                        breadth=max(1, len(vouched.get(endorser, ()))),
                        endorser_name=display[endorser],
                        seed=is_seed(endorser),
                    )
                )
            )
        return out

    def scores_of(weighings: list[weighting.Weighing]) -> tuple[dict[int, float], dict[int, int]]:
        established: dict[int, list[float]] = defaultdict(list)
        pooled: dict[int, list[float]] = defaultdict(list)
        count: dict[int, int] = defaultdict(int)
        for (_e, _m, ms_id, _s, _r, hidden), w in zip(edges, weighings, strict=True):
            if hidden:
                continue
            (established if w.established else pooled)[ms_id].append(w.weight)
            count[ms_id] += 1
        scores = {ms_id: weighting.score(established.get(ms_id, ()), pooled.get(ms_id, ())) for ms_id in count}
        return scores, count

    first_pass, _ = scores_of(weigh_all({}))
    weighings = weigh_all(first_pass)
    scores, counts = scores_of(weighings)

    insert_rows(
        MemberSkill,
        (
            {
                "id": ms_id,
                "member_id": uid,
                "skill_id": skill_id,
                "position": position,
                "score": scores.get(ms_id, 0.0),
                "endorsement_count": counts.get(ms_id, 0),
                "endorsements_enabled": True,
                "created_at": now - timedelta(days=30),
            }
            for ms_id, uid, skill_id, position in listing_rows
        ),
    )
    first_endorsement = _next_id(Endorsement)

    def endorsement_rows() -> Iterable[dict[str, Any]]:
        for i, ((endorser, member, ms_id, skill_id, relationship, hidden), w) in enumerate(
            zip(edges, weighings, strict=True)
        ):
            assert w.inputs is not None
            yield {
                "id": first_endorsement + i,
                "endorser_id": endorser,
                "member_id": member,
                "member_skill_id": ms_id,
                "skill_id": skill_id,
                "relationship": relationship,
                "weight": w.weight,
                "weight_inputs": w.inputs.__dict__,
                "explanation": w.explanation(display[member], skill_name[skill_id])[:600],
                "from_established": w.established,
                "hidden": hidden,
                "created_at": now - timedelta(minutes=len(edges) - i),
                "weighed_at": now,
            }

    insert_rows(Endorsement, endorsement_rows())

    # The target's badges: a verified public badge on every third listing, plus two not on a skill.
    first_badge = _next_id(Badge)
    attach = [ms_id for ms_id, _ in target_listings[::3]] + [None, None]
    insert_rows(
        Badge,
        (
            {
                "id": first_badge + i,
                "public_id": f"bench{first_badge + i:012d}",
                "owner_id": target_id,
                "member_skill_id": ms_id,
                "public": True,
                "status": "VERIFIED",
                "verification_errors": [],
                "verification_report": None,
                "source_kind": "URL",
                "source_url": f"https://issuer.bench.example/assertions/{i}",
                "source_digest": f"{i:064x}",
                "identity": f"ob2:bench-{i}",
                "name": f"Certified {skill_name[dict(target_listings)[ms_id]] if ms_id else 'Engineer'} {i}",
                "description": "A benchmark badge.",
                "issuer_name": "Bench Issuer",
                "issuer_url": "https://issuer.bench.example",
                "issuer_trust": "DOMAIN_BOUND",  # evidence: shown under its skill (badges.permissions.is_evidence)
                "issued_on": now - timedelta(days=100),
                "verified_at": now - timedelta(days=1),
                "last_checked_at": now - timedelta(days=1),
                "created_at": now - timedelta(days=2),
            }
            for i, ms_id in enumerate(attach)
        ),
    )
    _reset_sequences([User, Profile, EmailAddress, MemberSkill, Endorsement, Badge])

    with connection.cursor() as cursor:
        # Fresh tables have no statistics; a live database has them (autovacuum): plan like it.
        if connection.vendor == "postgresql":
            for table in (
                "profiles_user",
                "profiles_profile",
                "account_emailaddress",
                "skills_memberskill",
                "endorsements_endorsement",
                "badges_badge",
                "skills_skill",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    check_consistency(target_id, edges[0][0])
    return Network(
        target="target",
        members=n_members,
        skills=len(skill_ids),
        listings=len(listing_rows),
        endorsements=len(edges),
        target_skills=len(target_listings),
        target_endorsements=n_target_made,
        target_badges=len(attach),
        seconds=time.perf_counter() - started,
        scale_note=note,
    )


def check_consistency(target_id: int, endorser_id: int) -> None:
    """Fail the run if the seeded figures are not what the app's own code computes."""
    from endorsements.models import Endorsement
    from endorsements.scoring import recompute_member_skills
    from endorsements.signals import signals_for
    from profiles.models import User
    from skills.models import MemberSkill

    before = dict(MemberSkill.objects.filter(member_id=target_id).values_list("id", "score"))
    counts = dict(MemberSkill.objects.filter(member_id=target_id).values_list("id", "endorsement_count"))
    recompute_member_skills(before)
    after = MemberSkill.objects.filter(member_id=target_id).values_list("id", "score", "endorsement_count")
    for ms_id, score, count in after:
        if not math.isclose(score, before[ms_id], abs_tol=1e-3) or count != counts[ms_id]:
            raise RuntimeError(
                f"seeded score of listing {ms_id} ({before[ms_id]}, {counts[ms_id]}) != scoring's ({score}, {count})"
            )
    endorser = User.objects.get(pk=endorser_id)
    signals = signals_for(endorser)
    stored = Endorsement.objects.filter(endorser_id=endorser_id).values_list("weight_inputs", flat=True).first()
    for key in ("seniority", "trust", "seed"):
        if stored[key] != getattr(signals, key):
            raise RuntimeError(f"seeded weight input {key}={stored[key]!r} != signals_for's {getattr(signals, key)!r}")
