"""Jobs of the insights app (enqueued by the periodic scheduler, settings.PERIODIC_JOBS)."""

from __future__ import annotations

from django_tasks import task


@task()
def rollup() -> int:
    """Periodic (hourly): today's and yesterday's skill rollups from the private signals, supply and badges as
    they stand, co-listed skills; raw signals past retention deleted (idempotent)."""
    from insights.services import rollup as roll

    return roll()
