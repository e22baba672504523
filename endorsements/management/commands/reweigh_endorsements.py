from __future__ import annotations

from django.core.management.base import BaseCommand

from endorsements.scoring import reweigh_all


class Command(BaseCommand):
    help = "Re-weigh every endorsement from its endorser's current signals (account age grows; see docs/weighting.md)."

    def handle(self, *args, **options):
        count = reweigh_all()
        self.stdout.write(f"{count} endorsement(s) re-weighed.")
