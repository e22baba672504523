"""Properties of trust propagation (endorsements/trust.py), on graphs built in memory."""

from __future__ import annotations

import itertools
import random

import pytest

from endorsements import trust
from endorsements.trust import DAMPING, propagate


def honest_network(n: int = 300, orgs: int = 10, seed: int = 1) -> tuple[list[int], list[tuple[int, int]], list[int]]:
    """Small-world-ish: members in organisations, colleagues endorse each other, some cross links.
    One seed per organisation (its first member)."""
    rng = random.Random(seed)
    members = list(range(1, n + 1))
    org_of = {m: m % orgs for m in members}
    edges = []
    for m in members:
        colleagues = [x for x in members if org_of[x] == org_of[m] and x != m]
        for x in rng.sample(colleagues, 5):
            edges.append((m, x))
        edges.append((m, rng.choice(members)))
    seeds = [m for m in members if m <= orgs]
    return members, edges, seeds


def ring(start: int, size: int, mutual: bool = True) -> tuple[list[int], list[tuple[int, int]]]:
    accounts = list(range(start, start + size))
    if mutual:
        return accounts, list(itertools.permutations(accounts, 2))
    return accounts, [(accounts[i], accounts[(i + 1) % size]) for i in range(size)]


def test_a_group_with_no_edge_from_the_trusted_part_gets_no_trust_at_any_size():
    members, edges, seeds = honest_network()
    for size in (2, 10, 200):
        accounts, ring_edges = ring(10_000, size)
        # They also endorse honest members: that gives them nothing back.
        outward = [(a, members[i % len(members)]) for i, a in enumerate(accounts)]
        result = propagate(members + accounts, edges + ring_edges + outward, seeds)
        assert all(result.of(a) == 0.0 for a in accounts)
        assert sum(result.mass[a] for a in accounts) == 0.0


def _inflow(result: trust.TrustResult, edges: list[tuple[int, int]], group: set[int]) -> float:
    """What the edges into `group` from outside carry per step (mass(u) · W[u, s])."""
    outdeg: dict[int, int] = {}
    pairs = set(edges)
    for u, _ in pairs:
        outdeg[u] = outdeg.get(u, 0) + 1
    carried = 0.0
    for u, v in pairs:
        if v in group and u not in group:
            factor = trust.RECIPROCAL if (v, u) in pairs else 1.0
            carried += result.mass[u] * factor / outdeg[u]
    return carried


@pytest.mark.parametrize("k", [1, 5, 20])
def test_k_attack_edges_bound_the_groups_trust_whatever_its_size(k):
    members, edges, seeds = honest_network()
    rng = random.Random(k)
    attackers = rng.sample([m for m in members if m not in seeds], k)
    group_mass = []
    best = 1.0
    for size in (10, 50, 250):
        accounts, ring_edges = ring(10_000, size)
        attack = [(a, accounts[i % 3]) for i, a in enumerate(attackers)]
        all_edges = edges + ring_edges + attack
        result = propagate(members + accounts, all_edges, seeds)
        group = set(accounts)
        mass = sum(result.mass[a] for a in accounts)
        bound = DAMPING / (1 - DAMPING) * _inflow(result, all_edges, group)
        assert 0 < mass <= bound * (1 + 1e-6) + result.residual_bound
        # Trust (what multiplies weights) is bounded by that mass, not by the number of accounts.
        share = (1 - DAMPING) / len(seeds)
        assert sum(result.of(a) for a in accounts) <= mass / (trust.FULL_SHARE * share) + size * 10**-trust.DIGITS
        group_mass.append(mass)
        # The best-placed account of the group does no better for having more accomplices.
        assert max(result.of(a) for a in accounts) <= best + 1e-9
        best = max(result.of(a) for a in accounts)
    # Adding accounts never helps the group: its mass does not grow.
    assert group_mass == sorted(group_mass, reverse=True) or max(group_mass) - min(group_mass) < 1e-9


def test_reciprocal_rings_hold_less_than_one_way_chains_fed_the_same_way():
    members, edges, seeds = honest_network()
    attacker = next(m for m in members if m not in seeds)
    masses = {}
    for mutual in (True, False):
        accounts, ring_edges = ring(10_000, 20, mutual=mutual)
        result = propagate(members + accounts, edges + ring_edges + [(attacker, accounts[0])], seeds)
        masses[mutual] = sum(result.mass[a] for a in accounts)
    assert masses[True] < masses[False]


def test_honest_trust_does_not_drop_when_a_ring_forms_elsewhere():
    members, edges, seeds = honest_network()
    before = propagate(members, edges, seeds)
    accounts, ring_edges = ring(10_000, 100)
    # The ring endorses honest members too (flattery): it has nothing to pass on.
    flattery = [(a, m) for a, m in zip(accounts, members, strict=False)]
    after = propagate(members + accounts, edges + ring_edges + flattery, seeds)
    for m in members:
        assert after.of(m) >= before.of(m)


def test_seeds_have_full_trust_and_trust_flows_along_endorsements():
    fan = [(1, x) for x in range(10, 20)] + [(2, x) for x in range(20, 30)]
    result = propagate([1, 2, 3, 4], [(1, 2), (2, 3), *fan], [1])
    assert result.of(1) == 1.0
    assert result.of(2) > result.of(3) > result.of(4) == 0.0
    # Trust flows from endorser to endorsed, not back.
    assert propagate([1, 2], [(2, 1)], [1]).of(2) == 0.0


def test_endorsing_more_people_does_not_hand_out_more_trust():
    few = propagate([], [(1, 2), (1, 3)], [1])
    many = propagate([], [(1, x) for x in range(2, 22)], [1])
    assert sum(many.mass[x] for x in range(2, 22)) == pytest.approx(few.mass[2] + few.mass[3], rel=1e-9)
    assert many.of(2) < few.of(2)


def test_six_seed_vouchers_give_full_trust_one_gives_part():
    seeds = [1, 2, 3, 4, 5, 6]
    fill = [(s, 100 + 10 * s + i) for s in seeds for i in range(9)]  # each seed endorses ten people
    six = propagate([], fill + [(s, 50) for s in seeds], seeds)
    three = propagate([], fill + [(s, 50) for s in seeds[:3]], seeds)
    one = propagate([], fill + [(1, 50)], seeds)
    assert six.of(50) == 1.0
    assert 0.45 < three.of(50) < 0.55
    assert 0.1 < one.of(50) < 0.2


def test_declined_or_blocked_endorsers_pass_on_less():
    fan = [(1, x) for x in range(10, 20)] + [(2, x) for x in range(20, 30)]
    plain = propagate([], [(1, 2), (2, 3), *fan], [1])
    penalised = propagate([], [(1, 2), (2, 3), *fan], [1], penalties={2: 2})
    assert penalised.of(3) < plain.of(3)
    assert penalised.of(2) < plain.of(2)
    assert trust.influence(100) == trust.PENALTY_FLOOR


def test_deterministic_and_independent_of_order():
    members, edges, seeds = honest_network(n=200)
    expected = propagate(members, edges, seeds)
    rng = random.Random(5)
    for _ in range(5):
        shuffled = edges[:] + edges[:10]  # duplicates (several skills) are one edge
        rng.shuffle(shuffled)
        m = members[:]
        rng.shuffle(m)
        s = seeds[:]
        rng.shuffle(s)
        assert propagate(m, shuffled, s).trust == expected.trust


def test_converges_within_the_stated_iterations():
    members, edges, seeds = honest_network(n=200)
    stated = propagate(members, edges, seeds)
    longer = propagate(members, edges, seeds, iterations=400)
    error = sum(abs(stated.mass[m] - longer.mass[m]) for m in members)
    assert error <= stated.residual_bound
    assert stated.residual_bound <= 2 * DAMPING**trust.ITERATIONS + 1e-12 < 2e-4


def test_empty_and_seedless_graphs():
    assert propagate([], [], []).trust == {}
    assert propagate([1, 2], [(1, 2)], []).trust == {1: 0.0, 2: 0.0}


def test_auc_of_a_perfect_and_a_random_ranking():
    assert trust.auc([3, 4, 5], [0, 1, 2]) == 1.0
    assert trust.auc([1, 1], [1, 1]) == 0.5
