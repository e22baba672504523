"""The score and cascade engine: weights written onto endorsements, scores onto listings.

Scores are kept denormalised on MemberSkill (score, endorsement_count): every change to a
visible endorsement recomputes the listings it touches (`recompute_member_skills`), so reads
never aggregate. What a member receives can change how much what they gave weighs: the
cascade (`cascade`) re-weighs only what the change can affect, one level deep
(docs/weighting.md, "When weights are recomputed"). The formula itself is
endorsements.weighting; the endorser's signals are read by endorsements.signals.

Locking: `lock_listings` takes every listing lock a change needs up front, in one statement
and in id order, so concurrent changes queue instead of deadlocking. The operations that
drive this engine (endorse, withdraw, hide, answer a request) are endorsements.services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.signals import signals_for
from endorsements.trust_graph import Push, plan_push
from profiles.models import User
from skills.models import MemberSkill, Skill


# --- weights --------------------------------------------------------------------------
def _display_name(user: User) -> str:
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.username


def apply_weighing(endorsement: Endorsement, weighing: weighting.Weighing, member: User, skill: Skill) -> bool:
    """Write a weighing onto an endorsement (unsaved); True when anything changed."""
    assert weighing.inputs is not None
    values = {
        "weight": weighing.weight,
        "from_established": weighing.established,
        "weight_inputs": weighing.inputs.as_json(),
        "explanation": weighing.explanation(_display_name(member), skill.name)[:600],
    }
    changed = any(getattr(endorsement, k) != v for k, v in values.items())
    for key, value in values.items():
        setattr(endorsement, key, value)
    return changed


def inputs_of(signals: Any, e: Endorsement, now: datetime) -> weighting.WeightInputs:
    """The inputs of an existing endorsement at `now`: its endorser's signals and its age (freshness)."""
    return signals.inputs(
        e.skill_id,
        e.relationship,
        e.member_id,
        since=e.fresh_since,
        reconfirmed=e.reconfirmed_at is not None,
        kind=e.skill.kind,
        now=now,
    )


def recompute_member_skills(member_skill_ids: Iterable[int]) -> set[int]:
    """Recompute score and endorsement_count of these listings from their visible endorsements.

    Three queries whatever the number of listings or endorsements: lock the listings (in id
    order, so concurrent recomputes cannot deadlock each other), aggregate, update. Returns the
    ids of the listings whose score changed (the cascade re-weighs what their owners gave).
    """
    ids = sorted(set(member_skill_ids))
    if not ids:
        return set()
    with transaction.atomic():
        return recompute_locked(ids)


def recompute_locked(ids: list[int], locked: list[MemberSkill] | None = None) -> set[int]:
    """`locked`: these listings, already locked and read by this transaction (lock_listings)."""
    listings = (
        locked
        if locked is not None
        else list(
            MemberSkill.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .only("id", "score", "endorsement_count")
        )
    )
    sums = {
        row["member_skill_id"]: row
        for row in Endorsement.objects.filter(member_skill_id__in=ids, hidden=False)
        .values("member_skill_id")
        .annotate(
            established=Sum("weight", filter=Q(from_established=True)),
            pooled=Sum("weight", filter=Q(from_established=False)),
            n=Count("id"),
        )
        .order_by()
    }
    changed = []
    rescored: set[int] = set()
    for ms in listings:
        row = sums.get(ms.pk)
        score = weighting.score(row["established"] or 0.0, row["pooled"] or 0.0) if row else 0.0
        count = row["n"] if row else 0
        if ms.score != score:
            rescored.add(ms.pk)
        if ms.score != score or ms.endorsement_count != count:
            ms.score, ms.endorsement_count = score, count
            changed.append(ms)
    if len(changed) == 1:  # the usual case: a plain UPDATE, not bulk_update's CASE
        MemberSkill.objects.filter(pk=changed[0].pk).update(
            score=changed[0].score, endorsement_count=changed[0].endorsement_count
        )
    elif changed:
        MemberSkill.objects.bulk_update(changed, ["score", "endorsement_count"], batch_size=500)
    return rescored


def reweigh_endorsements_by(endorser: Any, *, now: datetime | None = None) -> int:
    """Re-weigh every endorsement `endorser` gave from their current signals; returns how many changed.

    Called when the endorser's standing changes for every skill at once: their seniority
    (profiles.services.update_profile), a verified badge (badges.services), the daily
    `reweigh_endorsements` command. Bulk: a fixed number of queries whatever the number of
    endorsements. (What they receive re-weighs only what it can affect: `cascade`.)
    """
    with transaction.atomic():
        return _reweigh(endorser, Endorsement.objects.filter(endorser_id=endorser.pk), now=now)


def _reweigh(endorser: Any, endorsements: Any, *, now: datetime | None = None) -> int:
    """Re-weigh `endorsements` (all given by `endorser`) from the endorser's current signals and
    recompute the listings whose visible weights changed; returns how many endorsements changed."""
    rows = list(endorsements.select_related("member__profile", "skill").order_by("pk"))
    if not rows:
        return 0
    now = now or timezone.now()
    signals = signals_for(
        endorser, {e.skill_id for e in rows}, member_ids={e.member_id for e in rows}, now=now, only_skills=True
    )
    changed: list[Endorsement] = []
    touched: set[int] = set()
    for e in rows:
        before = (e.weight, e.from_established)
        if apply_weighing(e, weighting.weigh(inputs_of(signals, e, now)), e.member, e.skill):
            e.weighed_at = now
            changed.append(e)
            if not e.hidden and before != (e.weight, e.from_established):
                touched.add(e.member_skill_id)
    if changed:
        Endorsement.objects.bulk_update(
            changed, ["weight", "from_established", "weight_inputs", "explanation", "weighed_at"], batch_size=500
        )
    recompute_member_skills(touched)
    return len(changed)


@dataclass(frozen=True)
class TrustChange:
    """What one endorsement appearing or going does to the endorsed member: their trust (the
    incremental push, applied by the service once the row changed) and whether that, or their
    seniority's corroboration, changes how everything they gave weighs (`reweigh`)."""

    push: Push | None
    reweigh: bool

    def __bool__(self) -> bool:
        return self.reweigh

    def apply(self) -> None:
        if self.push is not None:
            self.push.apply()


NO_CHANGE = TrustChange(None, False)


def trust_may_change(
    endorser: User,
    member: User,
    *,
    now: datetime | None = None,
    adding: bool,
    excluding: int | None = None,
    counted: bool = False,
) -> TrustChange:
    """Plan what making visible (`adding`) or taking away one endorsement by `endorser` of `member`
    (id `excluding`, when it exists already) does to `member`: only when it is the pair's only visible
    endorsement (the graph has one edge per pair). Their trust moves by the edge's push
    (trust_graph.plan_push); everything they gave is re-weighed when that moves their trust as
    weights show it (weighting.trust_shown), or when the endorser is a colleague at the same verified
    organisation and the member declares a seniority above mid-level (its corroboration may change).
    `counted`: the endorsement (`excluding`) is stored already (settle_endorsement, after the commit).
    """
    from profiles.models import Profile, Seniority
    from profiles.workplaces import verified_workplaces

    others = Endorsement.objects.filter(endorser_id=endorser.pk, member_id=member.pk, hidden=False)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    if others.exists():
        return NO_CHANGE
    push = plan_push(endorser.pk, member.pk, adding=adding, counted=counted)
    breadth = Endorsement.objects.filter(endorser_id=member.pk, hidden=False).values("member_id").distinct().count()

    def shown(trust: float) -> tuple[bool, float]:
        return weighting.trust_shown(weighting.WeightInputs("", "", trust=trust, breadth=max(1, breadth)))

    reweigh = shown(push.before) != shown(push.after)
    if not reweigh:
        declared = Profile.objects.filter(user_id=member.pk).values_list("seniority", flat=True).first()
        if declared and Seniority.rank(declared) > Seniority.rank(weighting.UNCORROBORATED_CEILING):
            places = verified_workplaces([endorser.pk, member.pk])
            reweigh = member.pk in places and places.get(endorser.pk) == places[member.pk]
    return TrustChange(push, reweigh)


def given(member: User, skill_id: int, *, trust: bool | TrustChange) -> Any:
    """What `member` gave that a change to their listing of `skill_id` can re-weigh: the
    endorsements they gave for that skill (their standing in it), or all of them (their trust)."""
    given = Endorsement.objects.filter(endorser_id=member.pk)
    return given if trust else given.filter(skill_id=skill_id)


def lock_listings(member_skill_id: int, cascade: Any | None = None) -> dict[int, MemberSkill]:
    """Lock the listing about to change AND the listings its cascade may recompute, in id order,
    in one statement; returns them by id, as they are now (endorsements_enabled, score, count).

    `cascade`: `given(...)`, the endorsements whose listings the cascade may recompute.
    Every transaction that changes endorsements takes its listing locks up front in one global
    order (then, if any, the request row), so two members endorsing each other at the same
    moment queue behind each other instead of deadlocking.
    """
    ids: Any = MemberSkill.objects.filter(pk=member_skill_id).values("pk").order_by()
    if cascade is not None:
        # A UNION, not `pk = x OR pk IN (…)`: PostgreSQL cannot use the primary key for that OR
        # and filtered every listing (5.7 ms on the bench network, against 0.1 ms).
        ids = cascade.values("member_skill_id").order_by().union(ids, all=True)
    locked = MemberSkill.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {ms.pk: ms for ms in locked.only("id", "endorsements_enabled", "score", "endorsement_count")}


def cascade(
    member: User,
    skill_id: int,
    *,
    rescored: bool,
    trust: bool | TrustChange,
    now: datetime | None = None,
    locked: Iterable[int] | None = None,
) -> None:
    """What `member` received on their listing of `skill_id` changed: re-weigh what they gave that
    this can affect. Their score in the skill (`rescored`) moves their standing in it, so the
    endorsements they gave for that skill; their vouchers (`trust`, see trust_may_change) move
    their trust, so everything they gave. One level only: this does not cascade further.

    `locked`: the listings lock_listings took for this cascade. Only the member's own listing
    among them means they gave nothing the cascade could re-weigh: no query.
    """
    if locked is not None and len(set(locked)) <= 1:
        return
    if rescored or trust:
        _reweigh(member, given(member, skill_id, trust=trust), now=now)


def reweigh_all(*, now: datetime | None = None) -> int:
    """Re-weigh every endorsement from current signals (the `reweigh_endorsements` command):
    account ages grow and cascades settle. One endorser per transaction, in id order."""
    total = 0
    endorser_ids = Endorsement.objects.order_by("endorser_id").values_list("endorser_id", flat=True).distinct()
    for endorser in User.objects.filter(pk__in=list(endorser_ids)).order_by("pk").iterator():
        total += reweigh_endorsements_by(endorser, now=now)
    return total


def recompute_scores(*, now: datetime | None = None) -> int:
    """Apply trust and freshness to every score now: recompute trust, then re-weigh every endorsement at its age
    at `now` and recompute the listings whose visible weights moved (the daily job and `manage.py
    recompute_scores`). Idempotent for a fixed `now`; returns how many endorsements changed."""
    from endorsements.trust_graph import recompute_trust

    now = now or timezone.now()
    recompute_trust(now=now, reweigh=False)
    return reweigh_all(now=now)


# --- after a new endorsement commits (the job endorsements.tasks.settle_endorsement) ----------
def owed_key(endorsement_id: int) -> str:
    """The jobs.Owed key of a new endorsement's deferred trust push (see settle_endorsement)."""
    return f"endorsement-push:{endorsement_id}"


def settle_endorsement(endorsement_id: int, *, rescored: bool, now: datetime | None = None) -> bool:
    """What a new endorsement moves beyond its own listing, off the request path: the endorsed member's trust
    (the incremental push, when it is the pair's only visible endorsement) and the cascade (re-weigh what the
    member gave that this can affect: that skill when their score in it moved, `rescored`; everything when
    their trust as weights show it, or their seniority's corroboration, moves; the MANAGER claims a REPORT
    endorsement confirms). The listing's own score was recomputed at commit by the service.

    At most once per endorsement although the job may run twice: the push is done by whoever settles the
    jobs.Owed key the service wrote (a second run, or a withdrawal or hiding that came first, finds nothing
    owed; those then leave the trust as it is). The re-weighing is recomputed from current signals, so
    running it again changes nothing. Returns whether anything was re-weighed or pushed.
    """
    from jobs.engine import settle
    from profiles.models import User

    endorsement = Endorsement.objects.filter(pk=endorsement_id).first()
    if endorsement is None or endorsement.hidden:
        settle(owed_key(endorsement_id))  # withdrawn or hidden meanwhile: that change settled trust itself
        return False
    users = User.objects.select_related("profile").in_bulk([endorsement.endorser_id, endorsement.member_id])
    endorser, member = users.get(endorsement.endorser_id), users.get(endorsement.member_id)
    if endorser is None or member is None:
        return False
    now = now or timezone.now()
    with transaction.atomic():
        trust = trust_may_change(endorser, member, now=now, adding=True, excluding=endorsement.pk, counted=True)
        # "I reported to them" confirms what the member claimed in managing the endorser: re-weigh it.
        if (
            endorsement.relationship == "REPORT"
            and not trust.reweigh
            and Endorsement.objects.filter(endorser=member, member=endorser, relationship="MANAGER").exists()
        ):
            trust = TrustChange(trust.push, True)
        cascading = rescored or bool(trust)
        if cascading:
            # The listings the re-weighing may recompute, locked first (in id order, one statement), as every
            # change to endorsements takes its listing locks before anything else.
            list(
                MemberSkill.objects.select_for_update()
                .filter(pk__in=given(member, endorsement.skill_id, trust=bool(trust)).values("member_skill_id"))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        pushed = settle(owed_key(endorsement.pk))
        if pushed:  # not on a second run, nor after a withdrawal that came first
            trust.apply()
        if cascading:
            _reweigh(member, given(member, endorsement.skill_id, trust=bool(trust)), now=now)
    return cascading or pushed
