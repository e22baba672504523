from __future__ import annotations

from django.core.management.base import BaseCommand

from endorsements.scoring import reweigh_all


class Command(BaseCommand):
    help = (
        "Recompute trust, then re-weigh every endorsement under the current model (the migration to the trust "
        "model, and a daily safety net; see docs/weighting.md)."
    )

    def handle(self, *args, **options):
        from endorsements.trust_graph import recompute_trust

        done = recompute_trust(reweigh=False)
        count = reweigh_all()
        self.stdout.write(
            f"Trust recomputed ({done.members} members, {done.seeds} starting points, {done.changed} changed); "
            f"{count} endorsement(s) re-weighed."
        )
