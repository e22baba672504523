"""Jobs of the endorsements app (enqueued by the periodic scheduler, settings.PERIODIC_JOBS)."""

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
