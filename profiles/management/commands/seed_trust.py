"""`python manage.py seed_trust --domain DOMAIN [--name NAME]` / `--member USERNAME` (instance staff).

Verifies the organisation owning DOMAIN (creating it, named NAME): members holding a verified
e-mail address there have a verified workplace and are starting points of trust. `--member`
makes one member a starting point. Trust is recomputed right after (docs/weighting.md).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from profiles import services
from profiles.models import User


class Command(BaseCommand):
    help = "Verify an organisation by e-mail domain, or name a member, as a starting point of trust."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--domain", action="append", default=[], help="e-mail domain of a verified organisation")
        parser.add_argument("--name", default=None, help="the organisation's name (with --domain)")
        parser.add_argument("--member", action="append", default=[], help="username of a member to trust")
        parser.add_argument("--remove", action="store_true", help="with --member: stop trusting them")
        parser.add_argument("--no-recompute", action="store_true", help="do not recompute trust now")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["domain"] and not options["member"]:
            raise CommandError("Give --domain DOMAIN [--name NAME] and/or --member USERNAME.")
        try:
            for domain in options["domain"]:
                org = services.verify_organisation(None, domain=domain, name=options["name"])
                domains = ", ".join(org.domains.order_by("domain").values_list("domain", flat=True))
                self.stdout.write(f"Verified organisation {org.name} ({domains}).")
        except ValidationError as e:
            raise CommandError("; ".join(e.messages)) from e
        for username in options["member"]:
            member = User.objects.filter(username=username.strip().lower()).first()
            if member is None:
                raise CommandError(f"No member {username!r}.")
            services.set_trust_seed(None, member=member, seed=not options["remove"])
            verb = "no longer a starting point" if options["remove"] else "a starting point of trust"
            self.stdout.write(f"{member.username} is {verb}.")
        if not options["no_recompute"]:
            from endorsements.trust_graph import recompute_trust

            done = recompute_trust()
            self.stdout.write(
                f"Trust recomputed: {done.members} members, {done.seeds} starting points, "
                f"{done.changed} changed, {done.reweighed} endorsements re-weighed ({done.seconds:.2f} s)."
            )
