"""Trust from the database: gather the endorsement graph, run endorsements.trust, store each member's trust.

    recompute_trust()          the job (and `python manage.py recompute_trust`): full recomputation,
                               stores Profile.trust, re-weighs what members whose trust moved gave
    plan_push(...).apply()     the incremental update on the request path: one edge appeared or went

Staleness (docs/weighting.md, "When trust is recomputed"): the full recomputation runs every
TRUST_RECOMPUTE_MINUTES (scheduled job) and after `seed_trust`; between runs, a new or withdrawn
endorsement moves the endorsed member's trust at once by what that edge carries in one step, and
everyone further away settles at the next run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from endorsements import trust as propagation

TRUST_RECOMPUTE_MINUTES = 15
TRUSTED_MIN = 0.25  # stored trust from which a member's refusals (declines, blocks) count against others
DECLINE_PENALTY = 0.5  # per distinct trusted member who declined a request of theirs
IGNORED_PENALTY = 0.25  # … who let one expire unanswered
BLOCK_PENALTY = 1.0  # … who blocked them


@dataclass(frozen=True)
class Graph:
    members: list[int]
    edges: list[tuple[int, int]]
    seeds: set[int]
    penalties: dict[int, float]


def seed_ids() -> set[int]:
    """Starting points: active members with a verified workplace, and members named by staff."""
    from profiles.models import Profile, User
    from profiles.workplaces import verified_workplaces

    active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    named = set(Profile.objects.filter(trust_seed=True).values_list("user_id", flat=True))
    return (named | set(verified_workplaces())) & active


def gather() -> Graph:
    """The graph in a handful of queries (members, edges, seeds, refusals)."""
    from endorsements.models import Endorsement, EndorsementRequest, RequestStatus
    from profiles.models import Block, Profile, User

    members = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    edges = list(
        Endorsement.objects.filter(hidden=False, endorser__is_active=True, member__is_active=True)
        .values_list("endorser_id", "member_id")
        .distinct()
        .order_by()
    )
    seeds = seed_ids()
    trusted = set(Profile.objects.filter(trust__gte=TRUSTED_MIN).values_list("user_id", flat=True)) | seeds
    refusals: dict[tuple[int, int], float] = {}  # (refused member, refusing member) -> strongest refusal

    def refuse(rows: Iterable[tuple[int, int]], amount: float) -> None:
        for refused, by in rows:
            if by in trusted and refused != by:
                refusals[(refused, by)] = max(refusals.get((refused, by), 0.0), amount)

    requests = EndorsementRequest.objects.values_list("requester_id", "recipient_id").distinct().order_by()
    refuse(requests.filter(status=RequestStatus.DECLINED), DECLINE_PENALTY)
    refuse(
        requests.filter(
            Q(status=RequestStatus.EXPIRED) | Q(status=RequestStatus.PENDING, expires_at__lte=timezone.now())
        ),
        IGNORED_PENALTY,
    )
    refuse(Block.objects.values_list("blocked_id", "blocker_id").order_by(), BLOCK_PENALTY)
    penalties: dict[int, float] = {}
    for (refused, _), amount in sorted(refusals.items()):
        penalties[refused] = penalties.get(refused, 0.0) + amount
    return Graph(members=members, edges=edges, seeds=seeds, penalties=penalties)


@dataclass(frozen=True)
class Recomputed:
    members: int
    edges: int
    seeds: int
    changed: int
    reweighed: int
    iterations: int
    seconds: float


def recompute_trust(*, now: datetime | None = None, reweigh: bool = True) -> Recomputed:
    """Recompute every member's trust and store what changed; then re-weigh the endorsements given
    by members whose trust moved (their weights carry it). Idempotent: a second run changes nothing."""
    from profiles.models import Profile

    started = time.perf_counter()
    now = now or timezone.now()
    graph = gather()
    result = propagation.propagate(graph.members, graph.edges, graph.seeds, penalties=graph.penalties)
    stored = dict(Profile.objects.values_list("user_id", "trust"))
    changed = [
        Profile(user_id=member, trust=value, trust_computed_at=now)
        for member, value in sorted(result.trust.items())
        if member in stored and stored[member] != value
    ]
    moved = [p.user_id for p in changed]
    with transaction.atomic():
        for start in range(0, len(changed), 1000):
            batch = changed[start : start + 1000]
            by_user = {p.user_id: p.trust for p in batch}
            profiles = list(Profile.objects.filter(user_id__in=by_user).only("pk", "user_id"))
            for p in profiles:
                p.trust, p.trust_computed_at = by_user[p.user_id], now
            Profile.objects.bulk_update(profiles, ["trust", "trust_computed_at"], batch_size=500)
    reweighed = reweigh_given_by(moved, now=now) if reweigh else 0
    return Recomputed(
        members=len(graph.members),
        edges=len(graph.edges),
        seeds=len(graph.seeds),
        changed=len(changed),
        reweighed=reweighed,
        iterations=result.iterations,
        seconds=round(time.perf_counter() - started, 3),
    )


def reweigh_given_by(member_ids: Iterable[int], *, now: datetime | None = None) -> int:
    from endorsements.models import Endorsement
    from endorsements.scoring import reweigh_endorsements_by
    from profiles.models import User

    givers = set(Endorsement.objects.filter(endorser_id__in=list(member_ids)).values_list("endorser_id", flat=True))
    total = 0
    for endorser in User.objects.filter(pk__in=givers).order_by("pk"):
        total += reweigh_endorsements_by(endorser, now=now)
    return total


def edge_push(endorser_id: int, member_id: int, *, adding: bool) -> float:
    """What the edge endorser -> member carries to the member in one step, in trust units (the
    endorser's stored trust, split by how many members they vouch for with the edge counted,
    halved when reciprocal). Three small queries; call it before the edge appears or goes."""
    from endorsements.models import Endorsement
    from profiles.models import Profile

    row = Profile.objects.filter(user_id=endorser_id).values_list("trust", "trust_seed").first()
    if row is None:
        return 0.0
    endorser_trust = 1.0 if row[1] else row[0]
    if endorser_trust <= 0:
        return 0.0
    visible = Endorsement.objects.filter(hidden=False)
    outdeg = visible.filter(endorser_id=endorser_id).values("member_id").distinct().count() + (1 if adding else 0)
    reciprocal = visible.filter(endorser_id=member_id, member_id=endorser_id).exists()
    factor = propagation.RECIPROCAL if reciprocal else 1.0
    return propagation.DAMPING * endorser_trust * factor / max(1, outdeg)


@dataclass(frozen=True)
class Push:
    """The incremental update for one edge appearing (or going): the member's trust before and after."""

    member_id: int
    before: float
    after: float

    def apply(self) -> None:
        from profiles.models import Profile

        if self.after != self.before:
            Profile.objects.filter(user_id=self.member_id).update(trust=self.after)


def plan_push(endorser_id: int, member_id: int, *, adding: bool, counted: bool = False) -> Push:
    """The incremental update on the request path, planned before the edge endorser -> member appears
    (`adding`) or goes, applied after (`Push.apply`): the member's stored trust moves by what the edge
    carries in one step (its first-order effect on them); the next full recomputation settles the
    rest, everyone further away included. Starting points keep 1. No write here. (For a new endorsement
    the job endorsements.tasks.settle_endorsement plans and applies it after the commit, `counted`.)"""
    from profiles.models import Profile
    from profiles.workplaces import verified_workplaces

    row = Profile.objects.filter(user_id=member_id).values_list("trust", "trust_seed").first()
    if row is None:
        return Push(member_id, 0.0, 0.0)
    before = row[0]
    if row[1] or member_id in verified_workplaces([member_id]):
        return Push(member_id, before, before)  # a starting point: its trust is 1 whatever it receives
    # `counted`: the edge is in the graph already (a job settling an endorsement after its commit), so the
    # endorser's out-degree counts it as it is.
    delta = edge_push(endorser_id, member_id, adding=adding and not counted)
    after = round(min(1.0, max(0.0, before + delta if adding else before - delta)), propagation.DIGITS)
    return Push(member_id, before, after)


def trust_of(member_ids: Iterable[int]) -> dict[int, float]:
    """Stored trust of these members (seeds count 1 even before the first recomputation)."""
    from profiles.models import Profile

    return {
        user_id: (1.0 if seed else value)
        for user_id, value, seed in Profile.objects.filter(user_id__in=list(member_ids)).values_list(
            "user_id", "trust", "trust_seed"
        )
    }


def breadth_of(member_ids: Iterable[int]) -> dict[int, int]:
    """How many distinct members each of these members vouches for visibly (one query)."""
    from django.db.models import Count

    from endorsements.models import Endorsement

    return dict(
        Endorsement.objects.filter(endorser_id__in=list(member_ids), hidden=False)
        .values("endorser_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("endorser_id", "n")
        .order_by()
    )
