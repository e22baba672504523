from __future__ import annotations

from django.core.management.base import BaseCommand

from endorsements.services import expire_endorsement_requests


class Command(BaseCommand):
    help = "Mark pending endorsement requests past their expiry as EXPIRED (run daily; reads already treat them so)."

    def handle(self, *args, **options):
        count = expire_endorsement_requests()
        self.stdout.write(f"{count} endorsement request(s) expired.")
