from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from credentials.keys import public_multikey, secret_multikey


class Command(BaseCommand):
    help = "Print a new Ed25519 signing key for VOUCH_SIGNING_KEY (and its public key, for retiring it later)."

    def handle(self, *args: Any, **options: Any) -> None:
        private = Ed25519PrivateKey.generate()
        self.stdout.write(f"VOUCH_SIGNING_KEY={secret_multikey(private)}")
        self.stderr.write(f"public key: {public_multikey(private.public_key())}")
