from __future__ import annotations

from django.core.management.base import BaseCommand

from endorsements.scoring import recompute_scores


class Command(BaseCommand):
    help = (
        "Apply freshness decay and trust to every score now: recompute trust, re-weigh every endorsement at its "
        "age today and recompute scores (what the daily job endorsements.tasks.recompute_scores runs; "
        "docs/weighting.md)."
    )

    def handle(self, *args, **options):
        count = recompute_scores()
        self.stdout.write(f"{count} endorsement(s) re-weighed.")
