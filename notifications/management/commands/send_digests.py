"""Send the e-mail digests that are due now, in this process (the periodic job `notifications.send_digests` does the
same through the workers). Each member's digest is claimed first, so running this beside the workers sends none
twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.tasks import deliver_digest, due_digests


class Command(BaseCommand):
    help = "Send the notification digests that are due now; prints how many were sent."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = [deliver_digest(user_id) for user_id in due_digests()]
        sent = sum(1 for o in outcomes if o.startswith("sent"))
        self.stdout.write(f"{sent} digest(s) sent ({len(outcomes)} due).")
