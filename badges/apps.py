from functools import partial
from typing import Any

from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "badges"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(_recheck_mismatched_badges, dispatch_uid="badges.recheck_on_email_confirmed")


def _recheck_mismatched_badges(sender: object, request: object, email_address: Any, **kwargs: Any) -> None:
    """A member verified another address: their badges that failed only because they were issued to an address
    the member had not verified are checked again (after the commit), so one issued to the new address now
    matches. An address that is added but not verified matches nothing (badges.services.verified_identities)."""
    from django.db import transaction

    from badges.models import Badge, BadgeStatus
    from badges.openbadges.codes import RECIPIENT_MISMATCH
    from badges.tasks import schedule_verification

    failed = Badge.objects.filter(owner_id=email_address.user_id, status=BadgeStatus.FAILED)
    for pk, errors in failed.values_list("pk", "verification_errors"):
        if RECIPIENT_MISMATCH in (errors or []):
            transaction.on_commit(partial(schedule_verification, pk))
