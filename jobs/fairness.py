"""A fair queue: at most one job in flight per (lane, member).

A member who imports 200 badges gets one verification job at a time; it re-enqueues itself at the back of the queue
after each badge, so another member's single import waits for one verification, not for 200. The token is a `Turn`
row: whoever inserts it (the import or the finishing job) enqueues the next job, the insert's unique constraint
decides between them. A turn left behind by a job that failed for good is released by the periodic sweep
(`release_stale`), so a member is never stuck.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from jobs.models import Turn


def take_turn(lane: str, member_id: int) -> bool:
    """True when the caller now holds the member's turn (and must enqueue the job); False if someone holds it."""
    try:
        with transaction.atomic():
            Turn.objects.create(lane=lane, member_id=member_id)
    except IntegrityError:
        return False
    return True


def end_turn(lane: str, member_id: int) -> None:
    Turn.objects.filter(lane=lane, member_id=member_id).delete()


def release_stale(lane: str, *, before: datetime) -> list[int]:
    """Drop turns taken before `before` (their job died for good); returns those members."""
    stale = list(Turn.objects.filter(lane=lane, created_at__lt=before).values_list("member_id", flat=True))
    Turn.objects.filter(lane=lane, member_id__in=stale, created_at__lt=before).delete()
    return stale
