"""`python manage.py recompute_trust`: recompute every member's trust and re-weigh what moved (docs/weighting.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Recompute trust from the starting points (seed_trust) and re-weigh endorsements whose endorser moved."

    def handle(self, *args: Any, **options: Any) -> None:
        from endorsements.trust_graph import recompute_trust

        done = recompute_trust()
        self.stdout.write(
            f"{done.members} members, {done.edges} edges, {done.seeds} starting points: {done.changed} trust values "
            f"changed, {done.reweighed} endorsements re-weighed, {done.iterations} iterations, {done.seconds:.2f} s."
        )
