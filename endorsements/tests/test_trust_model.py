"""The trust model through the public surface: verified workplaces, corroborated seniority, relationship
consistency, explanations, rank, and trust kept current (incremental push, full recomputation)."""

from __future__ import annotations

import pytest
from django.test import Client

from endorsements.models import Endorsement
from endorsements.services import endorse
from endorsements.tests.factories import listing, make_established
from endorsements.trust_graph import gather, recompute_trust
from profiles.models import Profile
from profiles.services import block_member, confirm_seniority, verify_organisation
from profiles.tests.factories import make_member
from vouch.testing import CountQueries, client_for, data_of, gql

pytestmark = pytest.mark.django_db

ENDORSE = """
mutation($member: String!, $skill: String!, $relationship: Relationship!) {
  endorse(input: {member: $member, skill: $skill, relationship: $relationship}) {
    endorsement { weight weightExplanation }
    errors { field code message }
  }
}
"""
PROFILE = """
query($u: String!) { member(username: $u) { verifiedWorkplace
  skills { skill { name } score rank rankTotal rankText
           endorsements(first: 10) { edges { node { weight weightExplanation endorser { username } } } } } } }
"""


def org_member(name: str, level: str = "MID", **kw) -> object:
    return make_member(name, seniority=level, email=f"{name}@northwind.example", display_name=name.title(), **kw)


@pytest.fixture
def northwind():
    return verify_organisation(None, domain="northwind.example", name="Northwind Labs")


def explanation_of(endorser: str, member: str) -> str:
    return Endorsement.objects.get(endorser__username=endorser, member__username=member).explanation


def test_self_declared_director_counts_as_mid_level_until_colleagues_corroborate(northwind):
    ana = org_member("ana")
    listing(ana, "Python")
    david = org_member("david", "DIRECTOR")
    endorse(david, member=ana, skill="Python", relationship="PEER")
    text = explanation_of("david", "ana")
    assert text.startswith("Self-declared director, not confirmed by an organisation: counts as mid-level")
    low = Endorsement.objects.get(endorser=david).weight
    # Two colleagues of the verified organisation endorse him, one as someone who reported to him.
    listing(david, "Leadership")
    endorse(org_member("lena", "SENIOR"), member=david, skill="Leadership", relationship="REPORT")
    endorse(org_member("omar", "SENIOR"), member=david, skill="Leadership", relationship="PEER")
    e = Endorsement.objects.get(endorser=david, member=ana)
    assert e.weight > low
    assert e.explanation.startswith("David, Director at Northwind Labs (verified), worked alongside Ana: counts 2.64×")


def test_an_organisation_admin_confirms_seniority(northwind):
    ana = org_member("ana")
    listing(ana, "Python")
    kwame = org_member("kwame", "MANAGER")
    maria = org_member("maria", "EXECUTIVE")
    northwind.admins.add(maria)
    endorse(kwame, member=ana, skill="Python", relationship="PEER")
    assert "Self-declared manager" in explanation_of("kwame", "ana")
    # Another member (not an admin) may not; the admin may.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        confirm_seniority(ana, member=kwame)
    assert refused.value.error_dict["member"][0].code == "NOT_FOUND"
    confirm_seniority(maria, member=kwame)
    assert explanation_of("kwame", "ana").startswith("Kwame, Manager (confirmed) at Northwind Labs (verified)")
    # Declaring another level drops the confirmation.
    Profile.objects.filter(user=kwame).update(seniority="EXECUTIVE")
    from endorsements.scoring import reweigh_endorsements_by

    reweigh_endorsements_by(kwame)
    assert "Self-declared executive" in explanation_of("kwame", "ana")


def test_a_claimed_manager_inside_one_organisation_counts_as_peer_until_the_report_agrees(northwind):
    ana = org_member("ana")
    maria = org_member("maria", "MANAGER")
    confirm_seniority(make_established("staffer", confirmed=True) and _staff(), member=maria)
    listing(ana, "Python")
    listing(maria, "Go")
    body = gql(client_for(maria), ENDORSE, {"member": "ana", "skill": "Python", "relationship": "MANAGER"})
    payload = data_of(body)["endorse"]
    assert payload["errors"] == []
    assert (
        "says they managed Ana (not confirmed by Ana, so it counts as a peer's): counts 2.4×"
        in (payload["endorsement"]["weightExplanation"])
    )
    before = payload["endorsement"]["weight"]
    # Ana agrees: she endorses Maria as someone she reported to. Maria's claim now counts.
    gql(client_for(ana), ENDORSE, {"member": "maria", "skill": "Go", "relationship": "REPORT"})
    e = Endorsement.objects.get(endorser=maria, member=ana)
    assert e.weight == pytest.approx(before * 1.5 / 1.2, rel=1e-3)
    assert "Maria, Manager (confirmed) at Northwind Labs (verified), managed Ana: counts 3.0×" in e.explanation


def _staff():
    from profiles.models import User

    return User.objects.get(username="staff-confirmer")


def test_one_relationship_per_endorser_and_member():
    ana = make_member("ana")
    listing(ana, "Python")
    listing(ana, "Go")
    bob = make_established("bob")
    ok = data_of(gql(client_for(bob), ENDORSE, {"member": "ana", "skill": "Python", "relationship": "MANAGER"}))
    assert ok["endorse"]["errors"] == []
    # A second endorsement keeps the pair's relationship (docs/endorsements.md), and says so.
    again = data_of(gql(client_for(bob), ENDORSE, {"member": "ana", "skill": "Go", "relationship": "PEER"}))["endorse"]
    assert again["errors"] == []
    assert set(Endorsement.objects.filter(endorser=bob).values_list("relationship", flat=True)) == {"MANAGER"}


def test_profile_shows_verified_workplace_rank_and_explanations(northwind):
    people = [org_member(n, "SENIOR") for n in ("ana", "ben", "cyd")]
    for p in people:
        listing(p, "Python")
    endorse(people[1], member=people[0], skill="Python", relationship="PEER")
    endorse(people[2], member=people[0], skill="Python", relationship="PEER")
    endorse(people[0], member=people[1], skill="Python", relationship="PEER")
    outsider = make_member("out", email="out@gmail.example")
    for viewer in (None, outsider):
        data = data_of(gql(client_for(viewer) if viewer else Client(), PROFILE, {"u": "ben"}))["member"]
        assert data["verifiedWorkplace"] == "Northwind Labs"
        python = data["skills"][0]
        assert (python["rank"], python["rankTotal"], python["rankText"]) == (2, 3, "2nd of 3 with Python")
    out = data_of(gql(Client(), PROFILE, {"u": "out"}))["member"]
    assert out["verifiedWorkplace"] is None
    page = Client().get("/m/ana/").content.decode()
    assert "Works at Northwind Labs" in page and "verified" in page
    assert "1st of 3 with Python" in page and "/how-scores-work/" in page
    # E-mail addresses never appear.
    assert "northwind.example" not in page


def test_rank_costs_one_query_for_all_of_a_members_skills():
    def queries(n: int) -> int:
        member = make_member(f"rank{n}")
        for i in range(n):
            listing(member, f"Skill {n} {i}")
        with CountQueries() as q:
            data_of(
                gql(
                    Client(),
                    "query($u: String!) { member(username: $u) { skills { rankText } } }",
                    {"u": member.username},
                )
            )
        return q.count

    assert queries(1) == queries(8)


def test_one_endorsement_moves_the_endorsed_members_trust_at_once_and_withdrawing_undoes_it():
    from endorsements.services import withdraw_endorsement

    seed = make_established("seed")
    ana = make_member("ana")
    listing(ana, "Python")
    with CountQueries() as q:
        e = endorse(seed, member=ana, skill="Python", relationship="PEER")
    assert Profile.objects.get(user=ana).trust == pytest.approx(0.85)  # d × 1 / one member vouched for
    assert q.count < 60  # the request path does not recompute the world
    withdraw_endorsement(seed, endorsement_id=e.pk)
    assert Profile.objects.get(user=ana).trust == 0.0


def test_full_recomputation_is_idempotent_ignores_hidden_and_counts_trusted_refusals():
    from endorsements.services import set_endorsement_hidden

    seeds = [make_established(f"seed{i}") for i in range(3)]
    ana, rex = make_member("ana"), make_member("rex")
    listing(ana, "Python")
    listing(rex, "Python")
    for s in seeds:
        endorse(s, member=ana, skill="Python", relationship="PEER")
        endorse(s, member=rex, skill="Python", relationship="PEER")
    first = recompute_trust()
    assert first.seeds == 3
    again = recompute_trust()
    assert again.changed == 0 and again.reweighed == 0
    trust_rex = Profile.objects.get(user=rex).trust
    # Two trusted members block rex: he passes on and holds less.
    block_member(seeds[0], member=rex)
    block_member(seeds[1], member=rex)
    assert gather().penalties[rex.pk] == 2.0
    recompute_trust()
    assert Profile.objects.get(user=rex).trust < trust_rex
    # Hidden endorsements are no edge.
    e = Endorsement.objects.get(endorser=seeds[2], member=ana)
    set_endorsement_hidden(ana, endorsement_id=e.pk, hidden=True)
    assert (seeds[2].pk, ana.pk) not in gather().edges


def test_recompute_trust_command_and_reweigh_migration(capsys):
    from django.core.management import call_command

    ana = make_member("ana")
    listing(ana, "Python")
    endorse(make_established("seed"), member=ana, skill="Python", relationship="PEER")
    Endorsement.objects.update(weight=99.0, explanation="old model")
    call_command("reweigh_endorsements")
    e = Endorsement.objects.get()
    assert e.weight < 99 and e.explanation != "old model"
    call_command("recompute_trust")
    assert "members" in capsys.readouterr().out


def test_the_request_path_never_recomputes_the_world_and_its_cost_does_not_grow_with_the_network(monkeypatch):
    """One endorsement moves the endorsed member's trust by the edge's push (trust_graph.plan_push), re-weighs what
    that member gave, and keeps the endorsed listing's score exact at commit; the full propagation only runs in the
    periodic job. Its query count is the same in a network of 3 members as in one of 40."""
    from endorsements import trust as propagation
    from endorsements.models import Endorsement
    from skills.models import MemberSkill

    def forbidden(*args, **kwargs):
        raise AssertionError("the full trust propagation ran on the request path")

    seed = make_established("seed")

    def one_endorsement(n: int) -> int:
        for i in range(n):  # unrelated members endorsing each other elsewhere in the network
            a, b = make_member(f"bg{n}a{i}"), make_member(f"bg{n}b{i}")
            listing(b, "Go")
            endorse(a, member=b, skill="Go", relationship="PEER")
        target = make_member(f"target{n}")
        listing(target, "Python")
        monkeypatch.setattr(propagation, "propagate", forbidden)
        with CountQueries() as q:
            e = endorse(seed, member=target, skill="Python", relationship="PEER")
        monkeypatch.undo()
        ms = MemberSkill.objects.get(member=target, skill__name="Python")
        committed = (ms.score, ms.endorsement_count)
        from endorsements.scoring import recompute_member_skills

        recompute_member_skills([ms.pk])  # what a full recomputation of the listing gives
        ms.refresh_from_db()
        assert committed == (ms.score, ms.endorsement_count) and ms.score > 0  # exact at commit
        assert Endorsement.objects.get(pk=e.pk).weight > 0
        return q.count

    one_endorsement(0)  # warm-up: the seed's first endorsement, first-use caches
    small = one_endorsement(1)
    large = one_endorsement(20)
    assert small == large, (small, large)
