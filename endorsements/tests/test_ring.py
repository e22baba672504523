"""Gaming: a ring of fresh accounts endorsing each other must not outscore one established manager's endorsement."""

from __future__ import annotations

import itertools

import pytest

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import reweigh_all
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established, refreshed
from profiles.tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_ring_of_ten_fresh_accounts_cannot_inflate_each_other(settings):
    # Every ring member claims to be an executive who managed the others, lists the skill, and
    # endorses all nine others — then they do it all again (re-weigh) so standing feeds back.
    ring = [make_member(f"ring{i}", seniority="EXECUTIVE") for i in range(10)]
    listings = {m.pk: listing(m, "Python") for m in ring}
    for a, b in itertools.permutations(ring, 2):
        endorse(a, member=b, skill="Python", relationship="MANAGER")
    reweigh_all()
    reweigh_all()
    assert Endorsement.objects.count() == 90

    honest = make_member("honest")
    honest_ms = listing(honest, "Python")
    manager = make_established("manager", seniority="MANAGER")
    endorse(manager, member=honest, skill="Python", relationship="MANAGER")

    ring_scores = [refreshed(ms).score for ms in listings.values()]
    one_manager = refreshed(honest_ms).score
    assert max(ring_scores) < one_manager
    # However many fresh accounts join, together they add at most POOL_CAP.
    assert max(ring_scores) <= weighting.score([], [weighting.POOL_CAP])
    assert all(not e.from_established for e in Endorsement.objects.filter(endorser__in=ring))


def test_ring_members_do_not_become_established_by_vouching_for_each_other():
    ring = [make_member(f"ring{i}") for i in range(5)]
    for m in ring:
        listing(m, "Go")
    for a, b in itertools.permutations(ring, 2):
        endorse(a, member=b, skill="Go", relationship="PEER")
    reweigh_all()
    # Vouchers must be established by age and e-mail, which ring members are not.
    assert {e.weight_inputs["established_endorsers"] for e in Endorsement.objects.all()} == {0}


def test_one_established_voucher_is_not_enough_to_launder_a_ring():
    ring = [make_member(f"ring{i}", seniority="DIRECTOR") for i in range(6)]
    for m in ring:
        listing(m, "Go")
    sponsor = make_established("sponsor")
    endorse(sponsor, member=ring[0], skill="Go", relationship="PEER")
    for a, b in itertools.permutations(ring, 2):
        endorse(a, member=b, skill="Go", relationship="MANAGER")
    assert not Endorsement.objects.filter(endorser__in=ring, from_established=True).exists()
