"""A new endorsement's trust push and cascade run in a job after the commit (endorsements.tasks.settle_endorsement).

On the request path `endorse` writes the endorsement, recomputes the endorsed listing's score (exact at commit),
notifies, and enqueues the job in its transaction; the job then pushes the endorsed member's trust (at most once,
through the jobs.Owed key) and re-weighs what they gave. These tests run the jobs on the real database backend
(rows, run by `run_worker_batch`), so they see the state between the commit and the job.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from endorsements.models import Endorsement
from endorsements.scoring import owed_key, recompute_member_skills, reweigh_endorsements_by, settle_endorsement
from endorsements.services import (
    endorse,
    request_endorsement,
    respond_to_endorsement_request,
    set_endorsement_hidden,
    withdraw_endorsement,
)
from endorsements.tests.factories import listing, make_established
from jobs.models import Owed
from jobs.testing import run_worker_batch
from profiles.models import Profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from vouch.testing import CountQueries

# Real commits: the worker (run_worker_batch) opens and closes connections as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def jobs(database_backend) -> None:
    """Jobs are rows until `run_worker_batch()` runs them."""


def trust(user: Any) -> float:
    return Profile.objects.get(user=user).trust


def given_weights(user: Any) -> list[tuple]:
    return list(
        Endorsement.objects.filter(endorser=user).order_by("pk").values_list("pk", "weight", "from_established")
    )


def scores() -> list[tuple]:
    return list(MemberSkill.objects.order_by("pk").values_list("pk", "score", "endorsement_count"))


def newbie_with_friends() -> Any:
    """A member without trust who endorsed three others: a vouch from a starting point moves their trust, and
    so what everything they gave weighs."""
    newbie = make_member("newbie", seniority="SENIOR")
    for i in range(3):
        friend = make_member(f"friend{i}")
        listing(friend, "SQL")
        endorse(newbie, member=friend, skill="SQL", relationship="PEER")
    listing(newbie, "Go")
    return newbie


def settle_jobs() -> list[str]:
    ready = list(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))
    run_worker_batch()
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    return ready


def test_the_listing_is_exact_at_commit_and_the_job_does_the_push_and_the_cascade(jobs):
    newbie = newbie_with_friends()
    settle_jobs()  # the friends' endorsements settled
    weights, trust_before = given_weights(newbie), trust(newbie)
    boss = make_established("boss", seniority="MANAGER")

    endorsement = endorse(boss, member=newbie, skill="Go", relationship="MANAGER")

    go = MemberSkill.objects.get(member=newbie, skill__name="Go")
    assert go.endorsement_count == 1 and go.score > 0
    before_job = scores()
    recompute_member_skills([go.pk])
    assert scores() == before_job  # the score the service wrote is the one a recomputation gives
    # Not yet: the trust push and the re-weighing of what newbie gave are the job's.
    assert trust(newbie) == trust_before
    assert given_weights(newbie) == weights
    assert Owed.objects.filter(key=owed_key(endorsement.pk)).exists()

    assert settle_jobs() == ["endorsements.tasks.settle_endorsement"]

    assert trust(newbie) > trust_before
    assert given_weights(newbie) != weights  # every weight newbie gave moved with their trust
    assert not Owed.objects.exists()
    # The cascade is complete: re-weighing everything newbie gave finds nothing left to change.
    settled = (given_weights(newbie), scores())
    reweigh_endorsements_by(newbie)
    assert (given_weights(newbie), scores()) == settled


def test_running_the_job_again_changes_nothing(jobs):
    newbie = newbie_with_friends()
    endorsement = endorse(make_established("boss"), member=newbie, skill="Go", relationship="MANAGER")
    settle_jobs()
    after = (trust(newbie), given_weights(newbie), scores())

    # At-least-once delivery: a second run (a lost worker's job run again) pushes nothing twice.
    settle_endorsement(endorsement.pk, rescored=True)
    endorsements_task = DBTaskResult.objects.filter(task_path="endorsements.tasks.settle_endorsement")
    endorsements_task.update(status="READY")
    run_worker_batch()

    assert (trust(newbie), given_weights(newbie), scores()) == after


def test_withdrawn_before_the_job_ran_leaves_trust_as_it_was(jobs):
    newbie = newbie_with_friends()
    settle_jobs()
    trust_before, weights = trust(newbie), given_weights(newbie)
    boss = make_established("boss")
    endorsement = endorse(boss, member=newbie, skill="Go", relationship="MANAGER")

    withdraw_endorsement(boss, endorsement_id=endorsement.pk)
    settle_jobs()  # finds the endorsement gone

    assert trust(newbie) == trust_before
    assert given_weights(newbie) == weights
    assert MemberSkill.objects.get(member=newbie, skill__name="Go").endorsement_count == 0
    assert not Owed.objects.exists()


def test_hidden_before_the_job_ran_takes_back_nothing_and_showing_it_pushes_once(jobs):
    newbie = newbie_with_friends()
    settle_jobs()
    trust_before = trust(newbie)
    boss = make_established("boss")
    endorsement = endorse(boss, member=newbie, skill="Go", relationship="MANAGER")

    set_endorsement_hidden(newbie, endorsement_id=endorsement.pk, hidden=True)
    settle_jobs()
    assert trust(newbie) == trust_before

    set_endorsement_hidden(newbie, endorsement_id=endorsement.pk, hidden=False)
    shown = trust(newbie)
    assert shown > trust_before
    settle_jobs()
    assert trust(newbie) == shown


def test_an_accepted_request_is_settled_by_the_job_too(jobs):
    newbie = newbie_with_friends()
    settle_jobs()
    trust_before, weights = trust(newbie), given_weights(newbie)
    boss = make_established("boss")
    request = request_endorsement(newbie, recipient=boss, skill="Go", relationship="MANAGER")

    respond_to_endorsement_request(boss, request_id=request.pk, accept=True)
    assert MemberSkill.objects.get(member=newbie, skill__name="Go").endorsement_count == 1
    assert trust(newbie) == trust_before
    settle_jobs()

    assert trust(newbie) > trust_before
    assert given_weights(newbie) != weights


def test_the_request_path_costs_a_fixed_number_of_queries(jobs):
    """Pinned: the endorse mutation's service on the usual path, whatever the endorsed member gave (their
    cascade is the job's). A change here is a change to the hot path: measure it (bench/endorse.py)."""

    from profiles.models import User

    def endorse_queries(gave: int) -> int:
        member = make_established(f"giver{gave}")
        listing(member, "Go")
        for i in range(gave):
            other = make_member(f"g{gave}x{i}")
            listing(other, "SQL")
            endorse(member, member=other, skill="SQL", relationship="PEER")
        endorser = make_established(f"end{gave}")
        endorse(endorser, member=make_member(f"warm{gave}"), skill=listing_of(f"warm{gave}"), relationship="PEER")
        actor = User.objects.get(pk=endorser.pk)
        with CountQueries() as q:
            # As the mutation calls it: the member by handle, the actor without their profile loaded.
            endorse(actor, member=member.username, skill="Go", relationship="PEER")
        return q.count

    assert endorse_queries(0) == endorse_queries(20) == ENDORSE_QUERIES


def listing_of(username: str) -> str:
    from profiles.models import User

    listing(User.objects.get(username=username), "Rust")
    return "Rust"


# Was 31 with the trust push and the cascade locks on the request path, 22 before the pair's endorsements were read
# once (relationship, already endorsed), the block read with the member, the listing read and locked in one statement
# and the recipient's preferences and endorser's profile reused. BEGIN and COMMIT included; the owed key and the job
# row are two INSERTs.
ENDORSE_QUERIES = 18
