from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from credentials.keys import rotate


class Command(BaseCommand):
    help = "Retire the stored signing key (still listed in DID documents) and generate a new current one."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            new, old = rotate()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"current key {new}" + (f"; retired {old}" if old else ""))
