"""The required properties of the weighting formula (endorsements/weighting.py, docs/weighting.md)."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from endorsements import signals, weighting
from endorsements.weighting import WeightInputs, score, weigh
from profiles.models import Seniority

ESTABLISHED = dict(account_age_days=400, verified_email=True)


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


def test_hard_to_fake_signals_raise_the_weight():
    fresh = inputs(account_age_days=0, verified_email=True)
    older = inputs(account_age_days=45, verified_email=True)
    vouched = inputs(account_age_days=0, verified_email=True, established_endorsers=3)
    established = inputs(account_age_days=90, verified_email=True)
    unverified = inputs(account_age_days=400, verified_email=False)
    w = {
        k: weigh(v)
        for k, v in dict(
            fresh=fresh, older=older, vouched=vouched, established=established, unverified=unverified
        ).items()
    }
    assert w["fresh"].weight < w["older"].weight < w["established"].weight
    assert w["vouched"].established and w["established"].established
    assert not w["fresh"].established and not w["older"].established
    # An unverified e-mail address is never established, however old the account, and halves trust.
    assert not w["unverified"].established and w["unverified"].weight < w["established"].weight
    assert weigh(replace(fresh, verified_email=False)).weight < w["fresh"].weight


def _all_inputs():
    for seniority, relationship, standing, trust in itertools.product(
        Seniority.values,
        weighting.RELATIONSHIP_FACTOR,
        [dict(), dict(lists_skill=True), dict(lists_skill=True, skill_score=80.0), dict(verified_badge=True)],
        [dict(account_age_days=0, verified_email=False), dict(account_age_days=10, verified_email=True), ESTABLISHED],
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
    gains = [b - a for a, b in zip(scores, scores[1:])]
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
    fresh = weigh(
        inputs(seniority="EXECUTIVE", relationship="MANAGER", account_age_days=0, lists_skill=True, skill_score=9)
    )
    assert not fresh.established
    assert score([], [fresh.weight] * 1000) == score([], [weighting.POOL_CAP])
    manager = weigh(inputs(seniority="MANAGER", relationship="MANAGER"))
    assert score([manager.weight]) > score([], [fresh.weight] * 1000)


def test_explanation_reads_as_a_sentence():
    text = weigh(inputs(seniority="MANAGER", relationship="MANAGER", lists_skill=True, skill_score=12.5)).explanation(
        "Ana Lima", "Kubernetes"
    )
    assert (
        text
        == "Manager-level endorser who managed Ana Lima: ×3.0; endorsed for Kubernetes themselves: ×1.3. Weight 3.9."
    )
    fresh = weigh(inputs(seniority="JUNIOR", relationship="OTHER", account_age_days=2)).explanation("Ana", "Go")
    assert fresh.startswith(
        "Junior endorser: ×0.7; new account (2 days old, vouched for by 0 established members): ×0.11"
    )
    assert "at most 1 to a score" in fresh


def test_inputs_round_trip_through_json():
    i = inputs(lists_skill=True, skill_score=3.5, verified_badge=True)
    assert WeightInputs.from_json(i.as_json() | {"unknown_future_key": 1}) == i
