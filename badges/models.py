"""Imported Open Badges and what Vouch's own verification said about them (docs/badges.md).

A badge row is written by `badges.services` only: import stores it PENDING with its source, verification (run after
the import commits) fills in status, codes, report, metadata and image. Nothing happens in save().
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


class BadgeStatus(models.TextChoices):
    PENDING = "PENDING", "Being verified"
    VERIFIED = "VERIFIED", "Verified"
    FAILED = "FAILED", "Verification failed"
    REVOKED = "REVOKED", "Revoked by the issuer"
    EXPIRED = "EXPIRED", "Expired"


class IssuerTrust(models.TextChoices):
    """Who vouches for the issuer's identity (docs/openbadges.md, "Trust model"). Only the first two are evidence."""

    CONFIRMED = "CONFIRMED", "Confirmed issuer"  # listed in this instance's trust registry (TrustedIssuer)
    DOMAIN_BOUND = "DOMAIN_BOUND", "Issuer's domain confirmed"  # profile / DID document fetched from its domain
    SELF_ISSUED = "SELF_ISSUED", "Self-issued"  # did:key: authentic, but anyone can mint such an issuer
    UNCONFIRMED = "UNCONFIRMED", "Issuer not confirmed"  # not verified, or bound to nothing (e.g. plain http)


EVIDENCE_TRUST = (IssuerTrust.CONFIRMED, IssuerTrust.DOMAIN_BOUND)


class SourceKind(models.TextChoices):
    URL = "URL", "URL"
    TEXT = "TEXT", "Pasted JSON or JWS"
    IMAGE = "IMAGE", "Baked image"


def new_public_id() -> str:
    # 16 URL-safe characters (96 random bits): the badge's address at /b/<public_id>/, unguessable, so a private
    # badge's page cannot be found by counting and a public one reveals nothing about how many badges exist.
    return secrets.token_urlsafe(12)


class Badge(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badges")
    # Removing a listed skill detaches its badges (docs/architecture.md); the badge itself stays.
    member_skill = models.ForeignKey(
        "skills.MemberSkill", on_delete=models.SET_NULL, null=True, blank=True, related_name="badges"
    )
    public = models.BooleanField(default=True)

    status = models.CharField(max_length=10, choices=BadgeStatus.choices, default=BadgeStatus.PENDING)
    verification_errors = models.JSONField(default=list, blank=True)  # stable codes (badges.openbadges.codes)
    verification_report = models.JSONField(null=True, blank=True)  # VerificationResult.to_report(), unredacted

    # What the member imported. Image bytes live here, not in MEDIA: a baked image carries the recipient identity
    # (sometimes a plain e-mail address) and must never be served.
    source_kind = models.CharField(max_length=5, choices=SourceKind.choices)
    source_url = models.CharField(max_length=2000, blank=True)
    source_text = models.TextField(blank=True)
    source_data = models.BinaryField(null=True, blank=True)
    source_content_type = models.CharField(max_length=100, blank=True)
    source_digest = models.CharField(max_length=64)  # sha256 of the source: the same input twice is refused

    # The verifier's de-duplication key ("ob2:<assertion id>", "ob3:<credential id>"), known after verification.
    identity = models.CharField(max_length=500, null=True, blank=True)

    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=300, blank=True)
    issuer_url = models.CharField(max_length=2000, blank=True)  # http(s) only (openbadges.util.safe_url)
    # The issuer's id as verification established it (profile URL or DID) and how far it is trusted; the trust is
    # recomputed whenever the registry changes (badges.trust).
    issuer_id = models.CharField(max_length=2000, blank=True)
    issuer_trust = models.CharField(max_length=12, choices=IssuerTrust.choices, default=IssuerTrust.UNCONFIRMED)
    key_fingerprint = models.CharField(max_length=80, blank=True)  # "sha256:<hex>" of the verifying key
    issuer_confirmed_name = models.CharField(max_length=300, blank=True)  # the registry's name, when CONFIRMED
    criteria_url = models.CharField(max_length=2000, blank=True)
    issued_on = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    image = models.ImageField(upload_to="badges/", blank=True)  # re-encoded PNG thumbnail (badges.images)

    verified_at = models.DateTimeField(null=True, blank=True)  # last check that said VERIFIED
    last_checked_at = models.DateTimeField(null=True, blank=True)  # last finished check, whatever it said
    verification_requested_at = models.DateTimeField(null=True, blank=True)  # last scheduling (rate limit, stale)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "source_digest"], name="uniq_badge_source_per_owner"),
            models.UniqueConstraint(
                fields=["owner", "identity"], condition=Q(identity__isnull=False), name="uniq_badge_identity_per_owner"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="badge_owner_status_idx"),
            models.Index(fields=["status", "last_checked_at"], name="badge_recheck_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name or 'Badge'} ({self.status}) of {self.owner_id}"


class TrustedIssuer(models.Model):
    """The instance's issuer trust registry: issuers staff have confirmed (admin, `manage.py issuer_trust`).

    An entry matches a badge's issuer by its profile id (exact URL), its DID (exact, fragment ignored) or its
    domain (the host of the profile URL or of a did:web; ``*.example.org`` also covers subdomains). With
    ``pinned_keys`` (fingerprints ``sha256:<hex>`` of public keys) the badge must also be signed by one of them.
    """

    class Kind(models.TextChoices):
        PROFILE = "PROFILE", "Issuer profile id (URL)"
        DID = "DID", "DID"
        DOMAIN = "DOMAIN", "Domain"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=500)
    name = models.CharField(max_length=300, help_text="The issuer's confirmed name, shown next to its badges.")
    pinned_keys = models.JSONField(
        default=list, blank=True, help_text='Fingerprints "sha256:<hex>"; empty: any bound key.'
    )
    note = models.TextField(blank=True, help_text="How staff confirmed this issuer.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="uniq_trusted_issuer")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}: {self.value})"
