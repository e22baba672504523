"""MemberSkill.score / endorsement_count stay equal to the formula over visible endorsements after every change."""

from __future__ import annotations

import pytest

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import recompute_member_skills, reweigh_endorsements_by
from endorsements.services import endorse, set_endorsement_hidden, withdraw_endorsement
from endorsements.tests.factories import listing, make_established, refreshed
from profiles.models import Profile
from profiles.services import update_profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from vouch.testing import CountQueries

pytestmark = pytest.mark.django_db


def expected(ms: MemberSkill) -> tuple[float, int]:
    visible = list(Endorsement.objects.filter(member_skill=ms, hidden=False))
    return (
        weighting.score(
            [e.weight for e in visible if e.from_established], [e.weight for e in visible if not e.from_established]
        ),
        len(visible),
    )


def stored(ms: MemberSkill) -> tuple[float, int]:
    ms = refreshed(ms)
    return ms.score, ms.endorsement_count


def test_score_follows_new_withdrawn_hidden_shown_and_reweighed_endorsements():
    ana = make_member("ana")
    ms = listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    kwame = make_established("kwame", seniority="JUNIOR")
    fresh = make_member("fresh", seniority="SENIOR")
    history = [stored(ms)]

    e1 = endorse(maria, member=ana, skill="Go", relationship="MANAGER")
    assert stored(ms) == expected(ms) and stored(ms)[1] == 1
    e2 = endorse(kwame, member=ana, skill="Go", relationship="PEER")
    e3 = endorse(fresh, member=ana, skill="Go", relationship="OTHER")
    assert stored(ms) == expected(ms) and stored(ms)[1] == 3
    history.append(stored(ms))
    assert history[1][0] > history[0][0]

    set_endorsement_hidden(ana, endorsement_id=e1.pk, hidden=True)
    assert stored(ms) == expected(ms) and stored(ms)[1] == 2
    set_endorsement_hidden(ana, endorsement_id=e1.pk, hidden=False)
    assert stored(ms) == history[1]

    # The endorser's seniority changes: update_profile re-weighs what they gave.
    before = stored(ms)
    update_profile(kwame, seniority="DIRECTOR")
    e2.refresh_from_db()
    # … declared, not confirmed by an organisation: it counts as mid-level, and says so.
    assert e2.weight_inputs["seniority"] == "DIRECTOR" and "Self-declared director" in e2.explanation
    assert stored(ms) == expected(ms) and stored(ms)[0] > before[0]

    withdraw_endorsement(fresh, endorsement_id=e3.pk)
    assert stored(ms) == expected(ms) and stored(ms)[1] == 2
    withdraw_endorsement(maria, endorsement_id=e1.pk)
    withdraw_endorsement(kwame, endorsement_id=e2.pk)
    assert stored(ms) == (0.0, 0)


def test_lowering_seniority_lowers_the_weight():
    ana = make_member("ana")
    ms = listing(ana, "Go")
    boss = make_established("boss", seniority="EXECUTIVE")
    e = endorse(boss, member=ana, skill="Go", relationship="MANAGER")
    high = stored(ms)[0]
    update_profile(boss, seniority="INTERN")
    e.refresh_from_db()
    assert e.weight < 1.0 and stored(ms)[0] < high


def test_reweighing_is_bulk_whatever_the_number_of_endorsements():
    def reweigh_queries(n: int) -> int:
        boss = make_established(f"boss{n}", seniority="SENIOR")
        for i in range(n):
            member = make_member(f"m{n}x{i}")
            listing(member, "Go")
            endorse(boss, member=member, skill="Go", relationship="PEER")
        boss.profile.seniority = "DIRECTOR"
        boss.profile.save()
        with CountQueries() as q:
            changed = reweigh_endorsements_by(boss)
        assert changed == n
        return q.count

    assert reweigh_queries(1) == reweigh_queries(25)


def test_recompute_is_bulk_and_idempotent():
    members = [make_member(f"mem{i}") for i in range(6)]
    endorser = make_established("endorser", seniority="LEAD")
    listings = []
    for m in members:
        listings.append(listing(m, "Go"))
        endorse(endorser, member=m, skill="Go", relationship="PEER")
    snapshot = [stored(ms) for ms in listings]

    def recompute_queries(ids):
        MemberSkill.objects.update(score=0, endorsement_count=0)
        with CountQueries() as q:
            recompute_member_skills(ids)
        return q.count

    # lock, aggregate, bulk update (+ savepoint): the same for 1 listing and for 6.
    assert recompute_queries([listings[0].pk]) == recompute_queries([ms.pk for ms in listings]) <= 5
    assert [stored(ms) for ms in listings] == snapshot


def test_endorsed_by_established_members_a_new_account_is_vouched_for_at_once():
    """The one-level cascade: what a member receives re-weighs what they gave."""
    newbie = make_member("newbie", seniority="SENIOR")
    ana = make_member("ana")
    ms = listing(ana, "Go")
    listing(newbie, "Go")
    e = endorse(newbie, member=ana, skill="Go", relationship="PEER")
    assert not e.from_established
    low = stored(ms)[0]
    for i in range(3):  # trusted members (starting points) vouch for newbie: the push trusts them at once
        endorse(make_established(f"backer{i}"), member=newbie, skill="Go", relationship="PEER")
    e.refresh_from_db()
    assert e.from_established and e.weight_inputs["trust"] >= weighting.TRUSTED_MIN
    assert e.weight_inputs["skill_score"] > 0  # newbie is now endorsed for Go themselves
    assert stored(ms) == expected(ms) and stored(ms)[0] > low


def test_an_endorsement_holds_its_inputs_and_explanation():
    ana = make_member("ana", display_name="Ana")
    listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    ms_maria = listing(maria, "Go")
    endorse(make_established("lena", seniority="LEAD"), member=maria, skill="Go", relationship="PEER")
    e = endorse(maria, member=ana, skill="Go", relationship="MANAGER")
    assert e.weight_inputs == {
        "seniority": "MANAGER",
        "relationship": "MANAGER",
        "lists_skill": True,
        "skill_score": refreshed(ms_maria).score,
        "verified_badge": False,
        "trust": 1.0,
        "breadth": 1,
        "seniority_basis": weighting.CONFIRMED,
        "relationship_claimed": "",
        "relationship_reason": "",
        "endorser_name": "Maria",
        "workplace": "",
        "seed": True,
        "age_days": 0.0,
        "skill_kind": "GENERAL",
        "reconfirmed": False,
        "badge_age_days": None,
    }
    assert e.explanation.startswith(
        "Maria, Manager (confirmed), managed Ana: counts 3.0×; endorsed for Go themselves: 1."
    )


def test_an_unverified_address_at_a_verified_domain_gives_no_trust():
    from profiles.services import verify_organisation

    verify_organisation(None, domain="northwind.example", name="Northwind Labs")
    ana = make_member("ana")
    ms = listing(ana, "Go")
    unverified = make_member("unverified", seniority="MANAGER", verified=False, email="u@northwind.example")
    old = make_established("old", seniority="MANAGER", days=2000, confirmed=False)
    Profile.objects.filter(user=old).update(trust_seed=False, trust=0.0)  # old and verified, but no starting point
    e = endorse(unverified, member=ana, skill="Go", relationship="MANAGER")
    e_old = endorse(old, member=ana, skill="Go", relationship="MANAGER")
    for x in (e, e_old):
        assert not x.from_established and "few trusted members vouch for this account yet" in x.explanation
        assert x.weight < 1
    assert refreshed(ms).score <= weighting.score([], [weighting.POOL_CAP])
