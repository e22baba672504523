"""Racing two accepts of one request (and two endorsements of one listing) on PostgreSQL: real concurrency."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from endorsements import weighting
from endorsements.models import Endorsement, EndorsementRequest, RequestStatus
from endorsements.services import endorse, request_endorsement, respond_to_endorsement_request
from endorsements.tests.factories import listing, make_established, refreshed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(calls):
    """Start every call at once in its own thread (own connection); collect results or error codes."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except ValidationError as exc:
            results[i] = (
                "refused",
                sorted(
                    {e.code for e in (exc.error_dict or {}).get(next(iter(exc.error_dict)), [])}
                    if hasattr(exc, "error_dict")
                    else {exc.code}
                ),
            )
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = ("crash", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_simultaneous_accepts_create_exactly_one_endorsement(postgres):
    ana = make_established("ana")
    listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    request = request_endorsement(ana, recipient=maria, skill="Go", relationship="MANAGER")

    results = run_together([lambda: respond_to_endorsement_request(maria, request_id=request.pk, accept=True)] * 2)

    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert [r[1] for r in results if r[0] == "refused"] == [["INVALID_STATE"]]
    assert Endorsement.objects.count() == 1
    assert EndorsementRequest.objects.get().status == RequestStatus.ACCEPTED
    assert refreshed(ana.member_skills.get()).endorsement_count == 1


def test_accept_racing_a_direct_endorsement_yields_one_endorsement(postgres):
    ana = make_established("ana")
    listing(ana, "Go")
    maria = make_established("maria", seniority="MANAGER")
    request = request_endorsement(ana, recipient=maria, skill="Go", relationship="MANAGER")

    results = run_together(
        [
            lambda: respond_to_endorsement_request(maria, request_id=request.pk, accept=True),
            lambda: endorse(maria, member=ana, skill="Go", relationship="MANAGER"),
        ]
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    assert Endorsement.objects.count() == 1


def test_simultaneous_endorsements_of_one_listing_all_count(postgres):
    ana = make_established("ana")
    ms = listing(ana, "Go")
    endorsers = [make_established(f"end{i}", seniority="SENIOR") for i in range(6)]

    results = run_together([lambda u=u: endorse(u, member=ana, skill="Go", relationship="PEER") for u in endorsers])

    assert [r[0] for r in results] == ["ok"] * 6, results
    ms = refreshed(ms)
    weights = list(Endorsement.objects.values_list("weight", flat=True))
    assert ms.endorsement_count == 6 and ms.score == weighting.score(weights)


@pytest.mark.parametrize("round_", range(3))
def test_members_endorsing_each_other_at_once_do_not_deadlock(postgres, round_):
    # Each has already endorsed the other, so each endorsement's cascade reaches the other's listings.
    ana, ben = make_established("ana"), make_established("ben")
    for m in (ana, ben):
        listing(m, "Go")
        listing(m, "SQL")
    endorse(ana, member=ben, skill="SQL", relationship="PEER")
    endorse(ben, member=ana, skill="SQL", relationship="PEER")

    results = run_together(
        [
            lambda: endorse(ana, member=ben, skill="Go", relationship="PEER"),
            lambda: endorse(ben, member=ana, skill="Go", relationship="PEER"),
        ]
    )
    assert [r[0] for r in results] == ["ok", "ok"], results
    for ms in list(ana.member_skills.all()) + list(ben.member_skills.all()):
        weights = list(Endorsement.objects.filter(member_skill=ms).values_list("weight", flat=True))
        assert ms.endorsement_count == 1 and ms.score == weighting.score(weights)
