"""Jobs of the endorsements app: periodic ones (enqueued by the scheduler, settings.PERIODIC_JOBS) and the
settling of a new endorsement, enqueued by the services in their transaction."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_requests() -> int:
    """Periodic: mark PENDING requests past their expiry EXPIRED (idempotent; `manage.py
    expire_endorsement_requests` does the same by hand)."""
    from endorsements.services import expire_endorsement_requests

    return expire_endorsement_requests()


@task()
def recompute_trust() -> int:
    """Periodic: recompute every member's trust from the starting points and re-weigh what members whose
    trust moved gave (idempotent; `manage.py recompute_trust` does the same by hand). Its interval is the
    staleness bound of trust beyond the endorsed member's own, which moves at once (docs/weighting.md)."""
    from endorsements.trust_graph import recompute_trust as recompute

    return recompute().changed


@task()
def recompute_scores() -> int:
    """Periodic (daily): trust, then every endorsement re-weighed at today's age (freshness decay) and every score
    recomputed (idempotent; `manage.py recompute_scores` does the same by hand). Its interval bounds how far a
    stored score is from the exact one (docs/weighting.md, "Freshness")."""
    from endorsements.scoring import recompute_scores as recompute

    return recompute()


@task()
def settle_endorsement(endorsement_id: int, rescored: bool) -> bool:
    """After a new endorsement commits: the endorsed member's trust push and the cascade (re-weighing what they
    gave), off the request path (endorsements.scoring.settle_endorsement; idempotent, at most one push)."""
    from endorsements.scoring import settle_endorsement as settle

    return settle(endorsement_id, rescored=rescored)
