"""Re-verify badges, for a scheduler (cron, a systemd timer, a Kubernetes CronJob).

Checks, one at a time in this process: VERIFIED badges last checked more than --hours ago (or past their expiry
date), and PENDING badges whose verification was requested more than --pending-minutes ago. After a verifier
upgrade, `--hours 0` re-checks every VERIFIED badge and `--all` every stored badge whatever its status, under the
rules as they are now: a badge that passed under the old rules and is forged by the new ones becomes FAILED.
A badge that becomes REVOKED or EXPIRED stops counting as evidence and its owner is notified
(badges.services.verify_badge).
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand

from badges.services import due_for_recheck, verify_badge


class Command(BaseCommand):
    help = "Re-verify VERIFIED badges older than --hours and stale PENDING ones; prints a summary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=settings.BADGE_REVERIFY_AFTER_HOURS,
            help="Re-check VERIFIED badges last checked longer ago than this (default %(default)s; 0: all of them).",
        )
        parser.add_argument(
            "--pending-minutes",
            type=int,
            default=settings.BADGE_PENDING_STALE_MINUTES,
            help="Verify PENDING badges requested longer ago than this (default %(default)s).",
        )
        parser.add_argument("--limit", type=int, default=0, help="Check at most this many badges (0: all).")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every",
            help="Re-check every stored badge, whatever its status (after upgrading the verifier).",
        )

    def handle(self, *args, hours: int, pending_minutes: int, limit: int, every: bool = False, **options):
        if every:
            from badges.models import Badge

            ids = list(Badge.objects.order_by("last_checked_at", "id").values_list("pk", flat=True))
        else:
            ids = due_for_recheck(after_hours=max(hours, 0), pending_minutes=max(pending_minutes, 1))
        if limit > 0:
            ids = ids[:limit]
        outcome: Counter[str] = Counter()
        changed = 0
        for pk in ids:
            from badges.models import Badge

            before = Badge.objects.filter(pk=pk).values_list("status", flat=True).first()
            badge = verify_badge(pk)
            if badge is None:
                outcome["deleted"] += 1
                continue
            outcome[badge.status] += 1
            changed += badge.status != before
        parts = ", ".join(f"{n} {status.lower()}" for status, n in sorted(outcome.items())) or "nothing due"
        self.stdout.write(f"Re-verified {len(ids)} badge(s): {parts}; {changed} changed status.")
