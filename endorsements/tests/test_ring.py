"""Gaming: rings of accounts of any age, declared seniority and relationship, with and without a few
endorsements from trusted members, against an expert of a verified organisation (docs/weighting.md)."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from endorsements import trust as propagation
from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import reweigh_all
from endorsements.services import endorse
from endorsements.tests.factories import listing, refreshed
from endorsements.trust_graph import recompute_trust
from profiles.models import Profile, User
from profiles.services import verify_organisation
from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db


def northwind() -> dict[str, User]:
    """A verified organisation: a manager and two senior peers who endorse their expert, Ana."""
    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    people = {
        name: make_member(name, seniority=level, email=f"{name}@northwind.example")
        for name, level in [("ana", "SENIOR"), ("maria", "MANAGER"), ("lena", "SENIOR"), ("omar", "SENIOR")]
    }
    listing(people["ana"], "Python")
    endorse(people["maria"], member=people["ana"], skill="Python", relationship="MANAGER")
    endorse(people["lena"], member=people["ana"], skill="Python", relationship="PEER")
    endorse(people["omar"], member=people["ana"], skill="Python", relationship="PEER")
    return people


def make_ring(size: int, *, days: int = 2000, prefix: str = "ring") -> list[User]:
    """Old, verified accounts, each an executive who 'managed' every other one."""
    ring = [make_member(f"{prefix}{i}", seniority="EXECUTIVE", email=f"{prefix}{i}@gmail.example") for i in range(size)]
    User.objects.filter(pk__in=[m.pk for m in ring]).update(date_joined=timezone.now() - timedelta(days=days))
    for m in ring:
        listing(m, "Python")
    for a, b in itertools.permutations(ring, 2):
        endorse(a, member=b, skill="Python", relationship="MANAGER")
    return ring


def scores(members: list[User]) -> list[float]:
    return [refreshed(m.member_skills.get(skill__name="Python")).score for m in members]


@pytest.mark.parametrize("days", [0, 2000])
def test_a_ring_with_no_trusted_edge_gains_at_most_the_pool_cap_and_never_outranks_the_expert(days):
    people = northwind()
    ring = make_ring(8, days=days)
    recompute_trust()
    reweigh_all()
    expert = scores([people["ana"]])[0]
    assert max(scores(ring)) <= weighting.score([], [weighting.POOL_CAP]) < expert
    assert not Endorsement.objects.filter(endorser__in=ring, from_established=True).exists()
    assert all(Profile.objects.get(user=m).trust == 0.0 for m in ring)
    # Every ring endorsement says why it barely counts.
    e = Endorsement.objects.filter(endorser=ring[0]).first()
    assert "Self-declared executive, not confirmed by an organisation: counts as mid-level" in e.explanation
    assert "Few trusted members vouch for this account yet" in e.explanation or "few trusted" in e.explanation


def test_the_ring_never_outranks_the_expert_in_members_skill_listing(client):
    people = northwind()
    make_ring(6)
    recompute_trust()
    reweigh_all()
    body = client.post(
        "/graphql/",
        {"query": '{ members(skill: "Python", first: 3) { edges { node { username } } } }'},
        content_type="application/json",
    ).json()
    assert body["data"]["members"]["edges"][0]["node"]["username"] == people["ana"].username


def test_k_trusted_edges_bound_the_rings_trust_and_more_accounts_do_not_help():
    people = northwind()
    totals = []
    for size in (4, 12):
        Endorsement.objects.filter(endorser__username__startswith=f"r{size}-").delete()
        ring = make_ring(size, prefix=f"r{size}-")
        # One trusted member (who vouches for several people) vouches for one ring member.
        listing(ring[0], "SQL")
        endorse(people["lena"], member=ring[0], skill="SQL", relationship="OTHER")
        recompute_trust()
        trust = [Profile.objects.get(user=m).trust for m in ring]
        totals.append((sum(trust), max(trust[1:])))
        for m in ring:  # leave the next ring alone
            Endorsement.objects.filter(endorser=m).delete()
            Endorsement.objects.filter(member=m).delete()
    # The group's trust is what lena's one edge carries, amplified at most d/(1-d), not the group size.
    lena_share = propagation.DAMPING / 4  # lena vouches for ana and the ring member … and others
    bound = propagation.DAMPING / (1 - propagation.DAMPING) * lena_share / propagation.FULL_SHARE
    assert all(total <= bound for total, _ in totals)
    assert totals[1][1] <= totals[0][1]  # a bigger ring does not lift its other members


def test_an_honest_score_does_not_drop_when_a_ring_forms_elsewhere():
    people = northwind()
    recompute_trust()
    reweigh_all()
    before = scores([people["ana"]])[0]
    ring = make_ring(10)
    # The ring flatters honest members too.
    for m in ring[:3]:
        endorse(m, member=people["ana"], skill="Python", relationship="MANAGER")
    recompute_trust()
    reweigh_all()
    assert scores([people["ana"]])[0] >= before
    assert max(scores(ring)) < before


def test_the_scheduler_recomputes_trust_as_a_periodic_job(settings):
    """Trust is recomputed by the job engine's scheduler (settings.PERIODIC_JOBS), not by someone
    remembering a command: run the registered job and the ring/expert split appears."""
    from django.utils.module_loading import import_string

    spec = settings.PERIODIC_JOBS["endorsements.recompute_trust"]
    assert 0 < spec["every"] <= 900  # the staleness bound docs/weighting.md states
    people = northwind()
    ring = make_ring(4)
    Profile.objects.update(trust=0.0)
    changed = import_string(spec["task"]).call()
    assert changed > 0
    assert Profile.objects.get(user=people["maria"]).trust > 0
    assert all(Profile.objects.get(user=m).trust == 0.0 for m in ring)
    assert import_string(spec["task"]).call() == 0  # idempotent
