"""The required properties of the weighting formula (endorsements/weighting.py, docs/weighting.md)."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from endorsements import signals, weighting
from endorsements.weighting import WeightInputs, score, weigh
from profiles.models import Seniority

ESTABLISHED = dict(trust=1.0, seniority_basis=weighting.CONFIRMED)


def inputs(**kw) -> WeightInputs:
    base = dict(seniority="MID", relationship="PEER", **ESTABLISHED)
    base.update(kw)
    return WeightInputs(**base)


@pytest.mark.parametrize("senior", ["MANAGER", "DIRECTOR", "EXECUTIVE"])
def test_manager_or_above_endorser_outweighs_junior_all_else_equal(senior):
    for relationship in ("MANAGER", "PEER", "REPORT", "OTHER"):
        assert (
            weigh(inputs(seniority=senior, relationship=relationship)).weight
            > weigh(inputs(seniority="JUNIOR", relationship=relationship)).weight
        )


def test_seniority_ladder_is_monotonic():
    weights = [weigh(inputs(seniority=s)).weight for s in Seniority.values]
    assert weights == sorted(weights) and len(set(weights)) == len(weights)


def test_manager_relationship_outweighs_other():
    for seniority in Seniority.values:
        assert (
            weigh(inputs(seniority=seniority, relationship="MANAGER")).weight
            > weigh(inputs(seniority=seniority, relationship="OTHER")).weight
        )


def test_endorser_endorsed_for_the_skill_counts_more_than_one_who_is_not():
    not_endorsed = weigh(inputs(lists_skill=True, skill_score=0.0)).weight
    endorsed = weigh(inputs(lists_skill=True, skill_score=12.0)).weight
    well_endorsed = weigh(inputs(lists_skill=True, skill_score=60.0)).weight
    assert weigh(inputs()).weight < not_endorsed < endorsed < well_endorsed


def test_verified_badge_counts_as_full_standing_in_the_skill():
    assert weigh(inputs(verified_badge=True)).weight == weigh(inputs(lists_skill=True, skill_score=1000)).weight
    assert weigh(inputs(verified_badge=True)).weight > weigh(inputs(lists_skill=True)).weight


@pytest.mark.django_db
def test_badge_hook_finds_no_badge_for_members_without_one():
    from profiles.tests.factories import make_member
    from skills.services import add_skill

    member = make_member("nobadge")
    ms = add_skill(member, name="Go")
    assert signals.verified_badge_skills([member.pk], [ms.skill_id]) == set()
    assert signals.endorser_has_verified_badge(member, ms.skill) is False


def test_trust_raises_the_weight_and_age_or_e_mail_give_none():
    untrusted = inputs(trust=0.0)
    some = inputs(trust=0.5)
    full = inputs(trust=1.0)
    w = {k: weigh(v) for k, v in dict(untrusted=untrusted, some=some, full=full).items()}
    assert w["untrusted"].weight < w["some"].weight < w["full"].weight
    assert not w["untrusted"].established and w["some"].established and w["full"].established
    assert w["untrusted"].factors["trust"] == weighting.TRUST_FLOOR
    # Nothing else in the inputs gives trust: old, verified accounts are no longer a signal.
    assert "account_age_days" not in WeightInputs.__dataclass_fields__
    assert weigh(inputs(trust=0.2)).established is False
    # A starting point has full trust whatever its stored value.
    assert weigh(inputs(trust=0.0, seed=True)).factors["trust"] == 1.0


def test_uncorroborated_seniority_counts_no_more_than_mid_level():
    for level in ("SENIOR", "LEAD", "MANAGER", "DIRECTOR", "EXECUTIVE"):
        declared = weigh(inputs(seniority=level, seniority_basis=""))
        assert declared.factors["seniority"] == weighting.SENIORITY_FACTOR["MID"]
        for basis in (weighting.CONFIRMED, weighting.COLLEAGUES):
            assert weigh(inputs(seniority=level, seniority_basis=basis)).factors["seniority"] > 1.0
    # Lower levels count as declared, corroborated or not.
    assert weigh(inputs(seniority="JUNIOR", seniority_basis="")).factors["seniority"] == 0.7


def test_an_endorser_vouching_for_very_many_members_shares_their_trust():
    assert weigh(inputs(breadth=weighting.BREADTH)).factors["trust"] == 1.0
    shared = weigh(inputs(breadth=weighting.BREADTH * 4))
    assert shared.factors["trust"] == pytest.approx(0.25)
    assert not weigh(inputs(breadth=weighting.BREADTH * 5)).established


def _all_inputs():
    for seniority, relationship, standing, trust in itertools.product(
        Seniority.values,
        weighting.RELATIONSHIP_FACTOR,
        [dict(), dict(lists_skill=True), dict(lists_skill=True, skill_score=80.0), dict(verified_badge=True)],
        [dict(trust=0.0), dict(trust=0.3), ESTABLISHED],
    ):
        yield WeightInputs(seniority=seniority, relationship=relationship, **standing, **trust)


def test_a_single_endorsement_is_bounded():
    weights = [weigh(i).weight for i in _all_inputs()]
    assert max(weights) <= weighting.MAX_WEIGHT
    assert min(weights) > 0
    # The most weighty endorsement possible lifts a score to under 42 of 100 ...
    assert score([max(weights)]) < 42
    # ... which five ordinary established peers already beat: nobody dominates on their own.
    assert score([weigh(inputs())] * 0 + [weigh(inputs()).weight] * 5) > score([max(weights)])


def test_adding_a_visible_endorsement_never_lowers_a_score():
    rng = random.Random(7)
    pool = list(_all_inputs())
    for _ in range(300):
        chosen = [weigh(rng.choice(pool)) for _ in range(rng.randint(0, 12))]
        extra = weigh(rng.choice(pool))
        before = score([w.weight for w in chosen if w.established], [w.weight for w in chosen if not w.established])
        after_all = chosen + [extra]
        after = score(
            [w.weight for w in after_all if w.established], [w.weight for w in after_all if not w.established]
        )
        assert after >= before


def test_more_endorsements_help_with_diminishing_returns():
    w = weigh(inputs()).weight
    scores = [score([w] * n) for n in range(0, 40)]
    gains = [b - a for a, b in zip(scores, scores[1:], strict=False)]
    assert all(g > 0 for g in gains)
    assert gains == sorted(gains, reverse=True)
    assert scores[-1] < 100


def test_score_is_deterministic_and_independent_of_order():
    rng = random.Random(3)
    weights = [weigh(i).weight for i in _all_inputs()][:50]
    expected = score(weights, [0.3, 0.2])
    for _ in range(20):
        shuffled = weights[:]
        rng.shuffle(shuffled)
        assert score(shuffled, [0.2, 0.3]) == expected
    # Same inputs, same weighing (weight, class and explanation).
    one = next(iter(_all_inputs()))
    assert weigh(one) == weigh(replace(one))
    assert weigh(one).explanation("Ana", "Go") == weigh(one).explanation("Ana", "Go")


def test_new_accounts_together_add_at_most_the_pool_cap():
    fresh = weigh(inputs(seniority="EXECUTIVE", relationship="MANAGER", trust=0.0, lists_skill=True, skill_score=9))
    assert not fresh.established
    assert score([], [fresh.weight] * 1000) == score([], [weighting.POOL_CAP])
    manager = weigh(inputs(seniority="MANAGER", relationship="MANAGER"))
    assert score([manager.weight]) > score([], [fresh.weight] * 1000)


def test_explanation_reads_as_a_sentence():
    text = weigh(
        inputs(
            seniority="DIRECTOR",
            relationship="MANAGER",
            lists_skill=True,
            skill_score=12.5,
            endorser_name="Maria Okafor",
            workplace="Northwind Labs",
            seniority_basis=weighting.COLLEAGUES,
        )
    ).explanation("Ana", "Python")
    assert text == (
        "Maria Okafor, Director at Northwind Labs (verified), managed Ana: counts 3.3×; "
        "endorsed for Python themselves: 1.3×. Weight 4.29."
    )
    ring = weigh(
        inputs(seniority="EXECUTIVE", relationship="MANAGER", trust=0.0, seniority_basis="", endorser_name="Rex")
    ).explanation("Ana", "Go")
    assert ring.startswith("Self-declared executive, not confirmed by an organisation: counts as mid-level; ")
    assert "Rex, managed Ana: counts 1.5×" in ring
    assert "few trusted members vouch for this account yet: counts 0.1×" in ring
    assert "at most 1 to a score" in ring
    peer = weigh(
        inputs(
            relationship="PEER", relationship_claimed="MANAGER", relationship_reason="unconfirmed", endorser_name="Bo"
        )
    ).explanation("Ana", "Go")
    assert "Bo, Mid-level, says they managed Ana (not confirmed by Ana, so it counts as a peer's): counts 1.2×" in peer


def test_inputs_round_trip_through_json():
    i = inputs(lists_skill=True, skill_score=3.5, verified_badge=True, trust=0.42, workplace="Northwind")
    assert WeightInputs.from_json(i.as_json() | {"unknown_future_key": 1}) == i
