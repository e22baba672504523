from __future__ import annotations

import random

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from profiles.models import User


class Command(BaseCommand):
    help = "Create the demo network (Northwind Labs: members, skills, endorsements, badges). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Only seed when there are no members (make run).")

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and (not settings.SEED_DEMO or User.objects.exists()):
            return
        from profiles import demo as profiles_demo

        rng = random.Random(2026)
        with transaction.atomic():
            org = profiles_demo.seed(rng)
            for module in ("endorsements.demo", "badges.demo", "insights.demo"):
                try:
                    step = __import__(module, fromlist=["seed"]).seed
                except (ImportError, AttributeError):
                    continue
                step(rng, org)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(org.members)} members. Log in as maria@{profiles_demo.DEMO_DOMAIN} "
                f"(or any member's <username>@{profiles_demo.DEMO_DOMAIN}) "
                f"with password {profiles_demo.DEMO_PASSWORD!r}."
            )
        )
