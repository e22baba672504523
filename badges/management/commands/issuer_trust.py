"""The issuer trust registry from the command line (the admin is the other way in; docs/openbadges.md).

    python manage.py issuer_trust list
    python manage.py issuer_trust add --kind DOMAIN --value example.org --name "Example University" [--key sha256:…]
    python manage.py issuer_trust add --kind DID --value did:web:badges.example.org --name "Example"
    python manage.py issuer_trust add --kind PROFILE --value https://example.org/issuer.json --name "Example"
    python manage.py issuer_trust remove --kind DOMAIN --value example.org

Adding or removing re-evaluates the badges the entry covers at once (and the endorsement weights they feed).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from badges import trust
from badges.models import TrustedIssuer


class Command(BaseCommand):
    help = "List, add or remove confirmed issuers (by profile id, DID or domain, optionally with pinned keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "add", "remove"])
        parser.add_argument("--kind", choices=TrustedIssuer.Kind.values)
        parser.add_argument("--value")
        parser.add_argument("--name", default="")
        parser.add_argument("--key", action="append", default=[], help="A pinned key fingerprint sha256:<hex>.")
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for entry in TrustedIssuer.objects.all():
                keys = f" keys={','.join(entry.pinned_keys)}" if entry.pinned_keys else ""
                self.stdout.write(f"{entry.kind}\t{entry.value}\t{entry.name}{keys}")
            return
        if not options["kind"] or not options["value"]:
            raise CommandError("--kind and --value are required.")
        try:
            if action == "add":
                entry = trust.set_trusted_issuer(
                    None,
                    kind=options["kind"],
                    value=options["value"],
                    name=options["name"],
                    pinned_keys=options["key"],
                    note=options["note"],
                )
                self.stdout.write(f"Confirmed {entry.name} ({entry.kind} {entry.value}).")
            elif trust.remove_trusted_issuer(None, kind=options["kind"], value=options["value"]):
                self.stdout.write(f"Removed {options['kind']} {options['value']}.")
            else:
                raise CommandError("No such entry.")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
