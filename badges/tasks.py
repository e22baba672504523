"""Badge verification as jobs (docs/badges.md, "Execution"; the engine: jobs/, docs/architecture.md "Jobs").

`schedule_verification(badge_id)` is called by services with transaction.on_commit, so a verification never sees a
badge that is not committed yet. BADGE_VERIFY_MODE decides what happens then:

* ``background`` (default): the owner's turn in the fair verification lane. A member has at most one verification
  job queued or running (`jobs.fairness`): `verify_next_badge(owner)` checks that member's oldest badge waiting
  for a check, then, if more are waiting, enqueues itself again at the back of the queue. One member importing 200
  badges therefore delays another member's import by one verification, not by 200. (Per-member import rate limits
  are the badges service's.)
* ``inline``: verify right away in the calling thread (unit tests, the demo seed, single-user set-ups).
* ``off``: do nothing now; the periodic sweep (`reverify_due_badges`) or `manage.py reverify_badges` verifies.

A badge waits for a check when it was never checked, or a check was requested after the last one finished
(`verification_requested_at > last_checked_at`). The periodic sweep `reverify_due_badges` (settings.PERIODIC_JOBS,
every BADGE_REVERIFY_EVERY_SECONDS) requests checks for VERIFIED badges due again and for PENDING ones whose job was
lost, then gives each owner a turn: the same fair lane. Jobs are idempotent (a check can run twice) and finish
quietly when the badge or its owner was deleted meanwhile.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from jobs.engine import retrying
from jobs.fairness import end_turn, release_stale, take_turn

log = logging.getLogger(__name__)

LANE = "badge-verify"


def _waiting(owner_id: int):
    from badges.models import Badge

    return Badge.objects.filter(owner_id=owner_id).filter(
        Q(last_checked_at__isnull=True) | Q(verification_requested_at__gt=F("last_checked_at"))
    )


def give_turn(owner_id: int) -> bool:
    """Enqueue the owner's verification job unless one is queued or running already. True if enqueued here."""
    if take_turn(LANE, owner_id):
        verify_next_badge.enqueue(owner_id)
        return True
    return False


def schedule_verification(badge_id: int) -> None:
    mode = settings.BADGE_VERIFY_MODE
    if mode == "off":
        return None
    if mode == "inline":
        from badges.services import verify_badge

        verify_badge(badge_id)
        return None
    from badges.models import Badge

    owner_id = Badge.objects.filter(pk=badge_id).values_list("owner_id", flat=True).first()
    if owner_id is not None:  # deleted before its job was enqueued: nothing to do
        give_turn(owner_id)
    return None


@task()
@retrying(retries=3, backoff=30)
def verify_next_badge(owner_id: int) -> int | None:
    """Check the owner's oldest waiting badge, then pass the turn on. Returns the badge checked (None: none)."""
    from badges.services import verify_badge

    badge_id = _waiting(owner_id).order_by("verification_requested_at", "id").values_list("pk", flat=True).first()
    if badge_id is not None:
        verify_badge(badge_id)
    # Release the turn, then take it again if more are waiting: an import committing in between either sees the
    # turn free (and enqueues) or loses the insert to us (and we enqueue). Never two, never none.
    end_turn(LANE, owner_id)
    if _waiting(owner_id).exists():
        give_turn(owner_id)
    return badge_id


@task()
def reverify_due_badges() -> int:
    """Periodic: request a check for every badge due (badges.services.due_for_recheck) and give each owner a turn."""
    from badges.models import Badge
    from badges.services import due_for_recheck

    now = timezone.now()
    # A turn older than the stale-PENDING limit belongs to a job that failed for good: free it.
    release_stale(LANE, before=now - timedelta(minutes=settings.BADGE_PENDING_STALE_MINUTES))
    ids = due_for_recheck(now)
    if ids:
        Badge.objects.filter(pk__in=ids).update(verification_requested_at=now)
    owners = set(Badge.objects.filter(pk__in=ids).values_list("owner_id", flat=True))
    for owner_id in sorted(owners):
        give_turn(owner_id)
    return len(ids)
