"""The cascade re-weighs only what a change can affect, and nothing it leaves alone would have changed.

docs/weighting.md, "When weights are recomputed": what a member receives on one listing re-weighs the
endorsements they gave for that skill (their standing) and, when a voucher more or less moves their
trust, everything they gave. Re-weighing everything the member gave right after the change (what the
cascade did before it was narrowed) must then find no weight, no `from_established`, no explanation
and no score to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from endorsements import weighting
from endorsements.models import Endorsement
from endorsements.scoring import reweigh_all, reweigh_endorsements_by
from endorsements.services import (
    endorse,
    request_endorsement,
    respond_to_endorsement_request,
    set_endorsement_hidden,
    withdraw_endorsement,
)
from endorsements.tests.factories import listing, make_established
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from vouch.testing import CountQueries

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[list[tuple], list[tuple]]:
    return (
        list(Endorsement.objects.order_by("pk").values_list("pk", "weight", "from_established", "explanation")),
        list(MemberSkill.objects.order_by("pk").values_list("pk", "score", "endorsement_count")),
    )


def differences(before: tuple, after: tuple) -> list[tuple]:
    return [(b, a) for old, new in zip(before, after, strict=True) for b, a in zip(old, new, strict=True) if b != a]


def settle() -> None:
    """Re-weigh everything until nothing moves (deeper cascades settle, as the daily command does)."""
    for _ in range(10):
        before = snapshot()
        reweigh_all()
        if not differences(before, snapshot()):
            return
    raise AssertionError("re-weighing does not settle")


def check(step: Callable[[], Any], member: Any) -> None:
    """`step` changes what `member` receives: afterwards, re-weighing all they gave changes nothing."""
    settle()
    step()
    before = snapshot()
    reweigh_endorsements_by(member)
    assert differences(before, snapshot()) == []


def test_no_change_leaves_anything_for_the_full_one_level_cascade_to_change():
    young = [make_member(f"young{i}", seniority="SENIOR") for i in range(3)]
    unverified = make_member("unverified", seniority="LEAD", verified=False)
    old = [
        make_established(f"old{i}", seniority=s) for i, s in enumerate(["MANAGER", "MID", "JUNIOR", "DIRECTOR", "LEAD"])
    ]
    everyone = [*young, unverified, *old]
    for m in everyone:
        listing(m, "Go")
        listing(m, "SQL")
    # What each of them gave (for both skills), so every cascade has something it could re-weigh.
    for i, m in enumerate(everyone):
        endorse(m, member=everyone[(i + 1) % len(everyone)], skill="SQL", relationship="PEER")
        endorse(m, member=everyone[(i + 2) % len(everyone)], skill="Go", relationship="OTHER")

    def said(endorser: Any, member: Any, default: str) -> str:
        """The relationship the endorser already gives the member (one per pair), else `default`."""
        known = Endorsement.objects.filter(endorser=endorser, member=member).values_list("relationship", flat=True)
        return known.first() or default

    # Trusted members vouch for a young one, one after another: each moves her trust (a push).
    for voucher in old[:4]:
        rel = said(voucher, young[0], "MANAGER")
        if not Endorsement.objects.filter(endorser=voucher, member=young[0], skill__name="Go").exists():
            check(lambda v=voucher, r=rel: endorse(v, member=young[0], skill="Go", relationship=r), young[0])
        else:
            check(lambda v=voucher, r=rel: endorse(v, member=young[0], skill="SQL", relationship=r), young[0])
    # … and for the unverified one (trust graded by vouchers, never established).
    for voucher in old[:2]:
        skill = (
            "SQL"
            if Endorsement.objects.filter(endorser=voucher, member=unverified, skill__name="Go").exists()
            else "Go"
        )
        rel = said(voucher, unverified, "PEER")
        check(lambda v=voucher, s=skill, r=rel: endorse(v, member=unverified, skill=s, relationship=r), unverified)
    # Young members endorsing each other (not vouchers): only standing moves.
    check(
        lambda: endorse(young[1], member=young[0], skill="SQL", relationship=said(young[1], young[0], "PEER")), young[0]
    )
    check(
        lambda: endorse(young[0], member=young[2], skill="SQL", relationship=said(young[0], young[2], "PEER")), young[2]
    )

    # Hiding and showing a voucher's only endorsement, withdrawing one, accepting a request.
    only = Endorsement.objects.get(endorser=old[2], member=young[0])
    check(lambda: set_endorsement_hidden(young[0], endorsement_id=only.pk, hidden=True), young[0])
    check(lambda: set_endorsement_hidden(young[0], endorsement_id=only.pk, hidden=False), young[0])
    first = Endorsement.objects.filter(endorser=old[1], member=young[0]).first()
    check(lambda: withdraw_endorsement(old[1], endorsement_id=first.pk), young[0])
    request = request_endorsement(
        young[2], recipient=old[4], skill="Go", relationship=said(old[4], young[2], "MANAGER")
    )
    check(lambda: respond_to_endorsement_request(old[4], request_id=request.pk, accept=True), young[2])


def test_a_vouch_that_moves_trust_reweighs_everything_the_member_gave():
    newbie = make_member("newbie", seniority="SENIOR")
    friends = [make_member(f"friend{i}") for i in range(3)]
    for f in friends:
        listing(f, "SQL")
        endorse(newbie, member=f, skill="SQL", relationship="PEER")
    listing(newbie, "Go")
    weights = sorted(Endorsement.objects.filter(endorser=newbie).values_list("weight", flat=True))

    endorse(make_established("boss", seniority="MANAGER"), member=newbie, skill="Go", relationship="MANAGER")

    given = list(Endorsement.objects.filter(endorser=newbie))
    # The boss's push (a starting point vouching for one member) makes newbie trusted at once.
    assert all(e.weight_inputs["trust"] > weighting.TRUSTED_MIN and e.from_established for e in given)
    assert sorted(e.weight for e in given) != weights  # trust 0 → 0.85: every weight moved


def test_endorsing_costs_the_same_queries_whatever_the_member_gave_for_other_skills():
    def endorse_queries(gave: int) -> int:
        member = make_established(f"giver{gave}")
        listing(member, "Go")
        for i in range(gave):
            other = make_member(f"g{gave}x{i}")
            listing(other, "SQL")
            endorse(member, member=other, skill="SQL", relationship="PEER")
        with CountQueries() as q:
            endorse(make_established(f"end{gave}"), member=member, skill="Go", relationship="PEER")
        return q.count

    assert endorse_queries(0) == endorse_queries(20)
