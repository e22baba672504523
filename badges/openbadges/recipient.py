"""Recipient matching: does a badge name one of the member's verified identities?

Rules (docs/openbadges.md, "Recipient matching"):
* ``identities`` are the member's *verified* addresses; the Django side never passes an unverified one.
* Plain identities: e-mail addresses compare on their normal form (:func:`normalize_email`: ASCII letters
  lower-cased, domain as IDNA 2008 A-labels; never ``casefold``, which maps ß to ss); url/telephone/other
  identities compare exactly.
* Hashed identities (``sha256$hex`` / ``md5$hex``, hex case-insensitive, optional salt appended to the identity
  before hashing, as OB 1.0/2.0 and 3.0 ``identityHash`` define it): for e-mail the hash is tried over the address
  as the member verified it *and* over its normal form and that form with U-label domain, because issuers
  commonly lower-case before hashing while allauth may keep the case the member typed. Upper-case variants are
  not guessed.
* The address itself never leaves this module: results carry only a boolean.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence

import idna

from . import codes
from .model import BadgeError

_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}
_LDH = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class EmailIdnaError(ValueError):
    """The address's domain is not valid IDNA 2008 / UTS 46, or IDNA 2003 maps it to another domain."""


def normalize_email(address: str) -> str:
    """The normal form of an e-mail address: local part with ASCII letters lower-cased, domain as IDNA 2008 /
    UTS 46 (non-transitional) A-labels, lower-case. ``Anna@Straße.Example`` -> ``anna@xn--strae-oqa.example``.

    Raises EmailIdnaError when the domain is not valid IDNA 2008, or when IDNA 2003 (what Django's mail path and
    many MTAs use: ß -> ss, ς -> σ, ZWJ dropped) gives a different domain, so mail meant for one address would
    reach another. Never ``casefold()``: it too maps ß to ss.
    """
    address = address.strip()
    if address.lower().startswith("mailto:"):
        address = address[len("mailto:") :]
    local, sep, domain = address.rpartition("@")
    if not sep or not local or not domain:
        raise EmailIdnaError("Not an e-mail address.")
    local = local.translate(_ASCII_LOWER)
    if domain.isascii():
        domain_norm = domain.lower().rstrip(".")
        labels = domain_norm.split(".")
        if not all(label and len(label) <= 63 and _LDH.match(label) for label in labels):
            raise EmailIdnaError(f"The domain {domain!r} is not a valid domain name.")
        if "xn--" not in domain_norm:
            return f"{local}@{domain_norm}"
    try:
        a_labels = idna.encode(domain.rstrip("."), uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise EmailIdnaError(f"The domain {domain!r} is not a valid internationalised domain name.") from exc
    try:
        legacy = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        legacy = None
    if legacy != a_labels:
        raise EmailIdnaError(
            f"The domain {domain!r} is written differently by older mail software ({legacy or 'refused'}); "
            "use its ASCII form."
        )
    return f"{local}@{a_labels}"


def email_forms(address: str) -> list[str]:
    """The strings an issuer may have hashed for ``address``: the normal form (A-labels) and the U-label form."""
    try:
        norm = normalize_email(address)
    except EmailIdnaError:
        return []
    forms = [norm]
    local, _, domain = norm.rpartition("@")
    if "xn--" in domain:
        with contextlib.suppress(idna.IDNAError, UnicodeError):
            forms.append(f"{local}@{idna.decode(domain)}")
    return forms


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
            for variant in (ident, *email_forms(ident)):
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
        try:
            wanted = normalize_email(target)
        except EmailIdnaError:
            return False
        return any(wanted in email_forms(c) for c in candidates)
    return any(target == c for c in candidates)
