"""Issuer trust: how far Vouch vouches for who issued a badge (docs/openbadges.md, "Trust model").

* ``trust_level(issuer_id, binding, fingerprint)`` -> IssuerTrust, from the verifier's binding and the registry;
* ``set_trusted_issuer`` / ``remove_trusted_issuer`` — the registry's service (admin and `manage.py issuer_trust`
  go through these), which re-evaluates the affected badges and re-weighs endorsements when evidence changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from badges.models import Badge, BadgeStatus, IssuerTrust, TrustedIssuer
from vouch.errors import Code

FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def issuer_host(issuer_id: str) -> str | None:
    """The domain an issuer id is bound to: the host of an http(s) profile URL or of a did:web."""
    if issuer_id.startswith("did:web:"):
        host = unquote(issuer_id.split(":")[2].split("#", 1)[0])
        return host.split(":", 1)[0].lower() or None
    try:
        parts = urlsplit(issuer_id)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.hostname:
        return parts.hostname.lower().rstrip(".")
    return None


def _domain_candidates(host: str) -> list[str]:
    """example.org -> ["example.org"]; a.b.example.org -> [..., "*.b.example.org", "*.example.org", "*.org"]."""
    labels = host.split(".")
    return [host] + ["*." + ".".join(labels[i:]) for i in range(1, len(labels))]


def matching_entries(issuer_id: str) -> list[TrustedIssuer]:
    if not issuer_id:
        return []
    q = Q(kind=TrustedIssuer.Kind.PROFILE, value=issuer_id)
    if issuer_id.startswith("did:"):
        q |= Q(kind=TrustedIssuer.Kind.DID, value=issuer_id.split("#", 1)[0])
    host = issuer_host(issuer_id)
    if host:
        q |= Q(kind=TrustedIssuer.Kind.DOMAIN, value__in=_domain_candidates(host))
    return list(TrustedIssuer.objects.filter(q))


def confirming_entry(
    issuer_id: str, binding: str | None, fingerprint: str | None, entries: Iterable[TrustedIssuer] | None = None
) -> TrustedIssuer | None:
    """The registry entry that confirms this issuer, if any. An entry confirms only what verification bound: a
    badge whose issuer is bound to nothing stays unconfirmed whatever the registry says, and an entry with pinned
    keys confirms only badges signed by one of them."""
    if binding not in ("domain-bound", "self-issued") or not issuer_id:
        return None
    for entry in matching_entries(issuer_id) if entries is None else entries:
        if entry.pinned_keys and fingerprint not in entry.pinned_keys:
            continue
        return entry
    return None


def trust_level(issuer_id: str, binding: str | None, fingerprint: str | None) -> tuple[IssuerTrust, str]:
    """(IssuerTrust level, the registry's confirmed name or "")."""
    entry = confirming_entry(issuer_id, binding, fingerprint)
    if entry is not None:
        return IssuerTrust.CONFIRMED, entry.name
    if binding == "domain-bound":
        return IssuerTrust.DOMAIN_BOUND, ""
    if binding == "self-issued":
        return IssuerTrust.SELF_ISSUED, ""
    return IssuerTrust.UNCONFIRMED, ""


def confirmed_name(badge: Badge) -> str | None:
    """The name the registry confirms for a CONFIRMED badge's issuer (shown instead of the claimed one)."""
    return badge.issuer_confirmed_name or None if badge.issuer_trust == IssuerTrust.CONFIRMED else None


# --- the registry's service ------------------------------------------------------------------------------------------
def _clean(kind: str, value: str, pinned_keys: Iterable[str]) -> tuple[str, list[str]]:
    value = (value or "").strip()
    if kind not in TrustedIssuer.Kind.values:
        raise ValidationError({"kind": ValidationError("Unknown kind.", code=Code.INVALID)})
    if kind == TrustedIssuer.Kind.DOMAIN:
        value = value.lower().rstrip(".")
        if not _HOST.match(value) or "." not in value.lstrip("*."):
            raise ValidationError({"value": ValidationError("Give a domain such as example.org.", code=Code.INVALID)})
    elif kind == TrustedIssuer.Kind.DID:
        value = value.split("#", 1)[0]
        if not re.match(r"^did:[a-z0-9]+:\S+$", value):
            raise ValidationError(
                {"value": ValidationError("Give a DID such as did:web:example.org.", code=Code.INVALID)}
            )
    else:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError({"value": ValidationError("Give the issuer profile's URL.", code=Code.INVALID)})
    keys = sorted({k.strip().lower() for k in pinned_keys if k and k.strip()})
    bad = [k for k in keys if not FINGERPRINT.match(k)]
    if bad:
        raise ValidationError(
            {"pinned_keys": ValidationError(f"Not a sha256:<hex> fingerprint: {bad[0]}", code=Code.INVALID)}
        )
    return value, keys


def _affected(entry_kind: str, value: str) -> Any:
    if entry_kind == TrustedIssuer.Kind.DOMAIN:
        return Badge.objects.filter(issuer_id__icontains=value.lstrip("*."))
    if entry_kind == TrustedIssuer.Kind.DID:
        return Badge.objects.filter(issuer_id__startswith=value)
    return Badge.objects.filter(issuer_id=value)


def refresh_trust(badges: Any) -> int:
    """Recompute issuer_trust for `badges` (a queryset); re-weigh endorsements of owners whose evidence changed.
    Returns how many badges changed level."""
    from badges.permissions import is_evidence
    from badges.services import _evidence_changed

    changed = 0
    for badge in badges.defer("source_data", "source_text").select_for_update():
        binding = ((badge.verification_report or {}).get("issuer") or {}).get("binding")
        if badge.status not in (BadgeStatus.VERIFIED, BadgeStatus.EXPIRED):
            level, name = IssuerTrust.UNCONFIRMED, ""
        else:
            level, name = trust_level(badge.issuer_id, binding, badge.key_fingerprint or None)
        if (level, name) == (badge.issuer_trust, badge.issuer_confirmed_name):
            continue
        was = is_evidence(badge)
        badge.issuer_trust, badge.issuer_confirmed_name = level, name
        badge.save(update_fields=["issuer_trust", "issuer_confirmed_name"])
        changed += 1
        if was != is_evidence(badge):
            _evidence_changed(badge)
    return changed


@transaction.atomic
def set_trusted_issuer(
    actor: Any,
    *,
    kind: str,
    value: str,
    name: str,
    pinned_keys: Iterable[str] = (),
    note: str = "",
) -> TrustedIssuer:
    """Add or update a registry entry (staff only) and re-evaluate the badges it covers."""
    if actor is not None and not getattr(actor, "is_staff", False):
        raise ValidationError("Only instance staff confirm issuers.", code=Code.FORBIDDEN)
    value, keys = _clean(kind, value, pinned_keys)
    name = (name or "").strip()[:300]
    if not name:
        raise ValidationError({"name": ValidationError("Give the issuer's confirmed name.", code=Code.REQUIRED)})
    entry, _ = TrustedIssuer.objects.update_or_create(
        kind=kind,
        value=value,
        defaults={"name": name, "pinned_keys": keys, "note": note, "created_by": actor if actor else None},
    )
    refresh_trust(_affected(kind, value))
    return entry


@transaction.atomic
def remove_trusted_issuer(actor: Any, *, kind: str, value: str) -> bool:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise ValidationError("Only instance staff confirm issuers.", code=Code.FORBIDDEN)
    deleted, _ = TrustedIssuer.objects.filter(kind=kind, value=value).delete()
    if deleted:
        refresh_trust(_affected(kind, value))
    return bool(deleted)
