"""The instance's Ed25519 signing keys (docs/credentials.md, "Keys").

* ``VOUCH_SIGNING_KEY`` (environment) is the current key: a Multikey secret (``z3u2…``, as
  ``@digitalbazaar/ed25519-multikey`` exports it), or the 32-byte seed in hex or base64url.
  ``python manage.py generate_signing_key`` prints a fresh one.
* Without it (development only: settings refuse to start with DEBUG off), a key is generated on first use and
  stored in the database (``SigningKey``); ``python manage.py rotate_signing_key`` retires it and makes a new one.
* Retired keys stay listed in every DID document so credentials signed with them keep verifying:
  ``VOUCH_RETIRED_SIGNING_KEYS`` (comma-separated public Multikeys ``z6Mk…`` or secrets) plus every stored key
  that is not the current one.

A key is named by its public Multikey, which is also the fragment of its verification method id
(``did:web:<host>#z6Mk…``), so a verifier can tell which key signed a proof without a lookup table.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

if TYPE_CHECKING:  # imported lazily at run time (app registry)
    from credentials.models import SigningKey

ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def public_multikey(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB + raw).decode()


def secret_multikey(private: Ed25519PrivateKey) -> str:
    seed = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return "z" + base58.b58encode(ED25519_PRIV + seed).decode()


def parse_secret(value: str) -> Ed25519PrivateKey:
    """A private key from its text form; ValueError (with a reason, never the value) when it is not one."""
    text = value.strip()
    seed: bytes | None = None
    if text.startswith("z"):
        try:
            raw = base58.b58decode(text[1:])
        except ValueError:
            raw = b""
        if raw.startswith(ED25519_PRIV) and len(raw) in (34, 66):  # seed, or seed + public key
            seed = raw[2:34]
    elif len(text) == 64:
        try:
            seed = bytes.fromhex(text)
        except ValueError:
            seed = None
    if seed is None:
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (ValueError, binascii.Error):
            decoded = b""
        seed = decoded if len(decoded) == 32 else None
    if seed is None:
        raise ValueError("not an Ed25519 secret key (expected a Multikey z3u2…, 64 hex digits or 32 bytes base64url)")
    return Ed25519PrivateKey.from_private_bytes(seed)


def parse_public(value: str) -> Ed25519PublicKey:
    text = value.strip()
    if text.startswith("z6Mk"):
        raw = base58.b58decode(text[1:])
        if raw.startswith(ED25519_PUB) and len(raw) == 34:
            return Ed25519PublicKey.from_public_bytes(raw[2:])
    return parse_secret(text).public_key()


@dataclass(frozen=True)
class Key:
    private: Ed25519PrivateKey

    @property
    def multikey(self) -> str:
        return public_multikey(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


@dataclass(frozen=True)
class KeyRing:
    current: Key
    retired: tuple[str, ...]  # public Multikeys, never the current one

    @property
    def published(self) -> list[str]:
        """Every public key a DID document lists: the current one first."""
        return [self.current.multikey, *[k for k in self.retired if k != self.current.multikey]]


_lock = threading.Lock()
_cached: KeyRing | None = None


def reset() -> None:
    """Forget the cached key ring (after a rotation, and between tests)."""
    global _cached
    with _lock:
        _cached = None


def keyring() -> KeyRing:
    global _cached
    with _lock:
        if _cached is None:
            _cached = _load()
        return _cached


def _env_retired() -> list[str]:
    out = []
    for item in settings.VOUCH_RETIRED_SIGNING_KEYS:
        try:
            out.append(public_multikey(parse_public(item)))
        except ValueError as exc:
            raise ImproperlyConfigured(f"VOUCH_RETIRED_SIGNING_KEYS: an entry is {exc}") from exc
    return out


def _load() -> KeyRing:
    from credentials.models import SigningKey

    stored = list(SigningKey.objects.order_by("-created_at", "-id"))
    if settings.VOUCH_SIGNING_KEY:
        try:
            current = Key(parse_secret(settings.VOUCH_SIGNING_KEY))
        except ValueError as exc:
            raise ImproperlyConfigured(f"VOUCH_SIGNING_KEY is {exc}") from exc
        retired = _env_retired() + [s.public_multikey for s in stored]
        return KeyRing(current, tuple(dict.fromkeys(retired)))
    if not settings.DEBUG and not settings.TESTING:
        # settings.py already refuses this; kept so a mis-built settings module cannot sign with a throwaway key.
        raise ImproperlyConfigured("VOUCH_SIGNING_KEY must be set when DEBUG is off")
    active = next((s for s in stored if s.retired_at is None), None)
    if active is None:
        active = _generate()
        stored.insert(0, active)
    retired = _env_retired() + [s.public_multikey for s in stored if s.pk != active.pk]
    return KeyRing(Key(parse_secret(active.secret)), tuple(dict.fromkeys(retired)))


def _generate() -> SigningKey:
    from credentials.models import SigningKey

    private = Ed25519PrivateKey.generate()
    try:
        with transaction.atomic():
            return SigningKey.objects.create(
                secret=secret_multikey(private), public_multikey=public_multikey(private.public_key())
            )
    except IntegrityError:
        # Another worker generated the first key at the same moment: use theirs.
        return SigningKey.objects.get(retired_at__isnull=True)


def rotate() -> tuple[str, str | None]:
    """Retire the stored current key and generate a new one (database keys only). Returns (new, retired)."""
    from django.utils import timezone

    from credentials.models import SigningKey

    if settings.VOUCH_SIGNING_KEY:
        raise ImproperlyConfigured(
            "The signing key comes from VOUCH_SIGNING_KEY: rotate by setting a new one and adding the old public key "
            "to VOUCH_RETIRED_SIGNING_KEYS."
        )
    with transaction.atomic():
        old = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        if old is not None:
            old.retired_at = timezone.now()
            old.save(update_fields=["retired_at"])
        new = _generate()
    reset()
    return new.public_multikey, old.public_multikey if old else None
