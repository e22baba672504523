"""Signing ahead, as jobs (docs/credentials.md, "Signing"): a new endorsement's credential is signed once it is
committed, and a withdrawal re-signs the endorser's status list, so the first reader does not pay for the
canonicalisation. Only a cache warm-up: the pages build every document from the database when they serve it and
sign on demand whatever the cache lacks, so a lost, late or failed job never makes a served document wrong.

Idempotent (the same content signs to the same cache entry) and quiet when the endorsement or endorser is gone.
Without VOUCH_ORIGIN the origin follows each request, so there is nothing to sign ahead for: the jobs do nothing.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from jobs.engine import retrying


@task(priority=0)
@retrying(retries=3, backoff=30)
def presign_endorsement_credential(endorsement_pk: int) -> None:
    from credentials import services
    from endorsements.models import Endorsement

    origin = settings.VOUCH_ORIGIN
    if not origin:
        return
    endorsement = (
        Endorsement.objects.select_related("endorser__profile", "member__profile", "skill")
        .filter(pk=endorsement_pk)
        .first()
    )
    if endorsement is not None:
        services.signed_credential(services.facts_of(endorsement), origin)


@task(priority=0)
@retrying(retries=3, backoff=30)
def presign_status_list(endorser_id: int, number: int) -> None:
    from credentials import services
    from profiles.models import User

    origin = settings.VOUCH_ORIGIN
    endorser = User.objects.filter(pk=endorser_id, is_active=True).first()
    if origin and endorser is not None:
        services.signed_status_list(origin, endorser, number)
