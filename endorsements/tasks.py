"""Jobs of the endorsements app (enqueued by the periodic scheduler, settings.PERIODIC_JOBS)."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_requests() -> int:
    """Periodic: mark PENDING requests past their expiry EXPIRED (idempotent; `manage.py
    expire_endorsement_requests` does the same by hand)."""
    from endorsements.services import expire_endorsement_requests

    return expire_endorsement_requests()
