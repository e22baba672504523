"""Recipient matching: does a badge name one of the member's verified identities?

Rules (docs/openbadges.md, "Recipient matching"):
* ``identities`` are the member's *verified* addresses; the Django side never passes an unverified one.
* Plain identities: e-mail addresses compare case-insensitively (``str.casefold`` on both sides, surrounding
  whitespace ignored); url/telephone/other identities compare exactly.
* Hashed identities (``sha256$hex`` / ``md5$hex``, hex case-insensitive, optional salt appended to the identity
  before hashing, as OB 1.0/2.0 and 3.0 ``identityHash`` define it): for e-mail the hash is tried over the address
  as the member verified it *and* over its lower-cased form, because issuers commonly lower-case before hashing
  while allauth may keep the case the member typed. Upper-case variants are not guessed.
* The address itself never leaves this module: results carry only a boolean.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from . import codes
from .model import BadgeError

_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}
EMAIL_TYPES = {"email", "emailaddress"}


def _is_email_type(identity_type: str) -> bool:
    return identity_type.lower().replace("_", "") in EMAIL_TYPES


def candidate_strings(identity_type: str, identities: Iterable[str]) -> list[str]:
    out: list[str] = []
    for ident in identities:
        ident = ident.strip()
        if not ident:
            continue
        if _is_email_type(identity_type):
            if ident.lower().startswith("mailto:"):
                ident = ident[len("mailto:") :]
            for variant in (ident, ident.lower()):
                if variant not in out:
                    out.append(variant)
        elif ident not in out:
            out.append(ident)
    return out


def hash_matches(hashed: str, salt: str | None, candidates: Sequence[str]) -> bool:
    """``hashed`` is ``alg$hex``; raises RECIPIENT_INVALID for an unknown algorithm."""
    alg, sep, digest = hashed.partition("$")
    func = _ALGORITHMS.get(alg.lower())
    if not sep or func is None or not digest:
        raise BadgeError(codes.RECIPIENT_INVALID, f"Unsupported recipient hash {alg!r}.")
    digest = digest.strip().lower()
    for candidate in candidates:
        computed = func((candidate + (salt or "")).encode("utf-8")).hexdigest()
        if hmac.compare_digest(computed, digest):
            return True
    return False


def looks_hashed(identity: str) -> bool:
    alg, sep, digest = identity.partition("$")
    return bool(sep) and alg.lower() in _ALGORITHMS and len(digest) in (32, 64)


def identity_matches(
    identity_type: str, identity: str, *, hashed: bool | None, salt: str | None, identities: Sequence[str]
) -> bool:
    """``hashed=None`` means "not stated" (OB 0.5.x): then the ``alg$`` prefix decides."""
    candidates = candidate_strings(identity_type, identities)
    if hashed or (hashed is None and looks_hashed(identity)):
        return hash_matches(identity, salt, candidates)
    target = identity.strip()
    if _is_email_type(identity_type):
        if target.lower().startswith("mailto:"):
            target = target[len("mailto:") :]
        return any(target.casefold() == c.casefold() for c in candidates)
    return any(target == c for c in candidates)
