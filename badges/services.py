"""Badge operations: import, verification, attaching to skills, re-checking, publishing, deleting.

Verification itself is the pure-Python core in `badges.openbadges`; this module feeds it what was imported and the
owner's *verified* e-mail addresses, stores what it found, and notifies the owner when the status changes.
See docs/badges.md for the lifecycle and the execution model.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from badges import images
from badges.error_codes import BadgeErrorCode
from badges.models import Badge, BadgeStatus, IssuerTrust, SourceKind
from badges.openbadges import BadgeSource, Check, Fetcher, VerificationResult, codes, verify
from badges.openbadges.util import safe_url
from badges.permissions import can_manage_badge, is_evidence
from profiles.models import User
from vouch.errors import Code, not_found
from vouch.errors import error as _error

log = logging.getLogger(__name__)


# Notification kind per status a badge moves into (docs/badges.md, "Notifications"). An expiry is a failure to
# count as evidence, told with the code EXPIRED: the contract's kinds stay badge.verified/failed/revoked.
NOTIFY_KIND = {
    BadgeStatus.VERIFIED: "badge.verified",
    BadgeStatus.FAILED: "badge.failed",
    BadgeStatus.REVOKED: "badge.revoked",
    BadgeStatus.EXPIRED: "badge.failed",
}


# --- the one fetcher factory ------------------------------------------------------------------------------------
def make_fetcher() -> Fetcher:
    """The outbound HTTP client for verification. BADGE_FETCH_ALLOWED_HOSTS lets tests and local issuers reach
    hosts that resolve to loopback/private addresses; everything else non-public is refused by the core."""
    return Fetcher(allowed_hosts=frozenset(settings.BADGE_FETCH_ALLOWED_HOSTS))


def verified_identities(user: User) -> list[str]:
    """The identities a badge may be issued to: the owner's verified allauth e-mail addresses, and their own
    did:web on this instance (the subject of a Vouch endorsement credential, docs/credentials.md)."""
    from credentials.issuing import member_dids

    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    return emails + member_dids(user.username)


# --- import -------------------------------------------------------------------------------------------------------
def _digest(kind: str, payload: bytes) -> str:
    return hashlib.sha256(kind.encode() + b"\x00" + payload).hexdigest()


def _read_upload(upload: Any) -> tuple[bytes, str]:
    """The upload's bytes, refusing an oversized one from its declared size before reading anything."""
    # A JSON client can put any value (a string, a number, an object) in an `Upload` variable.
    if not callable(getattr(upload, "read", None)):
        raise _error("image", "Send the image as a file (GraphQL multipart request).", BadgeErrorCode.INVALID_IMAGE)
    limit = settings.BADGE_IMAGE_MAX_BYTES
    size = getattr(upload, "size", None)
    too_large = _error("image", f"The image is larger than {limit // 1_000_000} MB.", BadgeErrorCode.INPUT_TOO_LARGE)
    if size is not None and size > limit:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)  # never more than the limit, whatever the declared size said
    if len(data) > limit:
        raise too_large
    return bytes(data), str(getattr(upload, "content_type", "") or "")[:100]


def _own_badge(actor: User, badge_id: int, *, lock: bool = False) -> Badge:
    qs = Badge.objects.defer("source_data", "source_text").filter(pk=badge_id)
    if lock:
        qs = qs.select_for_update()
    badge = qs.first()
    if badge is None or not can_manage_badge(actor, badge):
        raise not_found("badgeId", "badge")
    return badge


def _rate_limit(actor: User, action: str, per_hour: int, field: str | None) -> None:
    """At most `per_hour` `action`s per member per clock hour (shared cache, so across workers). Deleting badges
    does not give imports back: import/delete loops cannot make Vouch fetch URLs at will."""
    from django.core.cache import cache

    window = int(timezone.now().timestamp()) // 3600
    key = f"badges:{action}:{actor.pk}:{window}"
    cache.add(key, 0, timeout=3700)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=3700)
        count = 1
    if count > per_hour:
        raise _error(field, f"At most {per_hour} badge {action}s an hour; try again later.", Code.RATE_LIMITED)


def _lock_owner(user_id: int) -> None:
    # Serialises changes to one member's badges (the per-member cap, duplicate checks).
    User.objects.select_for_update().filter(pk=user_id).first()


@transaction.atomic
def import_badge(
    actor: User,
    *,
    url: str | None = None,
    assertion: str | None = None,
    image: Any = None,
    member_skill_id: int | None = None,
    schedule: bool = True,
) -> Badge:
    """Store a PENDING badge from exactly one source and verify it after the transaction commits.

    Input shape is refused here (nothing written): none or several sources, oversized input, an unknown skill, the
    same source imported twice, too many badges. Everything about the content — not a badge, a blocked address, a
    bad signature, someone else's badge — is the verifier's to say, as a FAILED badge with codes.
    `schedule=False` leaves verification to the caller (the demo seed verifies inline).
    """
    url = url.strip() if isinstance(url, str) else url
    assertion = assertion if isinstance(assertion, str) and assertion.strip() else None
    given = [name for name, value in (("url", url), ("assertion", assertion), ("image", image)) if value]
    if len(given) != 1:
        raise _error(None, "Give exactly one of url, assertion or image.", BadgeErrorCode.EXACTLY_ONE_SOURCE)
    _rate_limit(actor, "import", getattr(settings, "BADGE_IMPORTS_PER_HOUR", 30), None)

    badge = Badge(owner=actor, status=BadgeStatus.PENDING)
    if url:
        if len(url) > 2000:
            raise _error("url", "The URL is longer than 2000 characters.", BadgeErrorCode.URL_TOO_LONG)
        badge.source_kind, badge.source_url = SourceKind.URL, url
        badge.source_digest = _digest("url", url.encode("utf-8", "surrogatepass"))
    elif assertion:
        raw = assertion.encode("utf-8", "surrogatepass")
        if len(raw) > settings.BADGE_TEXT_MAX_BYTES:
            raise _error(
                "assertion",
                f"The text is larger than {settings.BADGE_TEXT_MAX_BYTES // 1_000_000} MB.",
                BadgeErrorCode.INPUT_TOO_LARGE,
            )
        badge.source_kind, badge.source_text = SourceKind.TEXT, assertion
        badge.source_digest = _digest("text", assertion.strip().encode("utf-8", "surrogatepass"))
    else:
        data, content_type = _read_upload(image)
        if not data:
            raise _error("image", "The file is empty.", BadgeErrorCode.EXACTLY_ONE_SOURCE)
        badge.source_kind, badge.source_data, badge.source_content_type = SourceKind.IMAGE, data, content_type
        badge.source_digest = _digest("image", data)

    if member_skill_id is not None:
        from skills.services import own_member_skill

        badge.member_skill = own_member_skill(actor, member_skill_id)

    _lock_owner(actor.pk)
    if Badge.objects.filter(owner=actor, source_digest=badge.source_digest).exists():
        raise _error(
            given[0], "You have already imported this badge; check it again instead.", BadgeErrorCode.DUPLICATE_BADGE
        )
    if Badge.objects.filter(owner=actor).count() >= settings.BADGE_MAX_PER_MEMBER:
        raise _error(
            None, f"A member keeps at most {settings.BADGE_MAX_PER_MEMBER} badges.", BadgeErrorCode.TOO_MANY_BADGES
        )
    badge.verification_requested_at = timezone.now()
    badge.save()
    if schedule:
        from badges.tasks import schedule_verification

        transaction.on_commit(lambda: schedule_verification(badge.pk))
    return badge


# --- verification -------------------------------------------------------------------------------------------------
def _source_of(badge: Badge) -> BadgeSource:
    if badge.source_kind == SourceKind.URL:
        return BadgeSource.from_url(badge.source_url)
    if badge.source_kind == SourceKind.TEXT:
        return BadgeSource.from_text(badge.source_text)
    return BadgeSource.from_image(bytes(badge.source_data or b""), badge.source_content_type or None)


def _run_core(badge: Badge, now: datetime, fetcher: Fetcher | None) -> VerificationResult:
    own = fetcher is None
    fetcher = fetcher or make_fetcher()
    try:
        from credentials.services import linked_dids

        return verify(
            _source_of(badge),
            fetcher=fetcher,
            now=now,
            identities=verified_identities(badge.owner),
            linked_identities=linked_dids(badge.owner),
        )
    except Exception:  # the core promises never to raise; if it does, the badge fails with a code, not a 500
        log.exception("badge %s: verification crashed", badge.pk)
        return VerificationResult(
            status="FAILED",
            errors=[codes.INTERNAL_ERROR],
            checks=[Check("Verification", False, codes.INTERNAL_ERROR, codes.message_for(codes.INTERNAL_ERROR))],
            checked_at=now,
        )
    finally:
        if own:
            fetcher.close()


def verify_badge(badge_id: int, *, now: datetime | None = None, fetcher: Fetcher | None = None) -> Badge | None:
    """Run verification for one badge and store the outcome. Returns the badge, or None if it was deleted.

    The network part runs outside any transaction (it may take seconds); the outcome is then written under a lock,
    so a badge deleted or re-checked meanwhile is handled. A change of status notifies the owner.
    """
    badge = Badge.objects.select_related("owner").filter(pk=badge_id).first()
    if badge is None:
        return None
    now = now or timezone.now()
    result = _run_core(badge, now, fetcher)
    image = images.thumbnail(result.image_bytes if result.image_content_type == "image/png" else None)
    if image is None and badge.source_kind == SourceKind.IMAGE and result.spec_version is not None:
        # A recognised badge whose class image we did not get (OB 3.0 often has none): the baked PNG itself,
        # re-encoded, so its chunks (and the recipient in them) are dropped.
        image = images.thumbnail(bytes(badge.source_data or b""))
    return _store_result(badge_id, result, image, now)


@transaction.atomic
def _store_result(badge_id: int, result: VerificationResult, image: Any, now: datetime) -> Badge | None:
    badge = Badge.objects.defer("source_data", "source_text").filter(pk=badge_id).first()
    if badge is None:
        return None
    _lock_owner(badge.owner_id)
    badge = Badge.objects.defer("source_data", "source_text").select_for_update().filter(pk=badge_id).first()
    if badge is None:
        return None
    was_evidence, previous = is_evidence(badge, now), badge.status
    report = result.to_report()
    status: str = result.status
    errors = list(result.errors)

    identity = (result.identity or "")[:500] or None
    if identity and Badge.objects.filter(owner_id=badge.owner_id, identity=identity).exclude(pk=badge.pk).exists():
        # The same assertion reached us by another route (its URL, then the baked image): one badge per assertion.
        identity, status = None, BadgeStatus.FAILED
        errors.append(BadgeErrorCode.DUPLICATE_BADGE)
        report["checks"].append(
            Check(
                "Duplicate", False, BadgeErrorCode.DUPLICATE_BADGE, "You already hold this badge, imported another way."
            ).to_dict()
        )
        report["status"], report["errors"] = status, errors

    badge.status, badge.verification_errors, badge.verification_report = status, errors, report
    badge.identity = identity
    from badges.trust import trust_level

    if result.issuer_id or status == BadgeStatus.VERIFIED:
        badge.issuer_id = (result.issuer_id or "")[:2000]
        badge.key_fingerprint = (result.key_fingerprint or "")[:80]
    badge.issuer_trust, badge.issuer_confirmed_name = (
        trust_level(badge.issuer_id, result.issuer_binding, result.key_fingerprint)
        if status in (BadgeStatus.VERIFIED, BadgeStatus.EXPIRED)
        else (IssuerTrust.UNCONFIRMED, "")
    )
    # Metadata of the latest check; a check that learnt nothing (issuer unreachable) keeps what we knew.
    for field, value in (
        ("name", result.badge_name),
        ("description", result.badge_description),
        ("issuer_name", result.issuer_name),
        ("issuer_url", safe_url(result.issuer_url)),
        ("criteria_url", safe_url(result.criteria_url)),
    ):
        if value:
            limit = getattr(Badge._meta.get_field(field), "max_length", None)
            setattr(badge, field, value[:limit] if limit else value)
    if result.issued_on is not None:
        badge.issued_on = result.issued_on
    if result.expires_at is not None or status == BadgeStatus.VERIFIED:
        badge.expires_at = result.expires_at
    if status == BadgeStatus.VERIFIED:
        badge.verified_at = now
    badge.last_checked_at = now
    if image is not None and not badge.image:
        badge.image.save(image.name, image, save=False)
    badge.save()

    if status != previous:
        _notify(badge, previous)
    if was_evidence != is_evidence(badge, now):
        _evidence_changed(badge)
    return badge


def _notify(badge: Badge, previous: str) -> None:
    """Tell the owner; the payload follows notifications.payloads (BadgeVerified/Failed/RevokedPayload)."""
    from notifications.services import notify
    from vouch.ids import encode_id

    kind = NOTIFY_KIND.get(BadgeStatus(badge.status))
    if kind is None:
        return
    payload: dict[str, Any] = {
        "badge": {"id": encode_id("Badge", badge.pk), "name": badge.name or "Badge", "url": f"/b/{badge.public_id}/"},
        "status": badge.status,
        "previousStatus": previous,
    }
    if kind == "badge.verified" and badge.member_skill is not None:
        skill = badge.member_skill.skill
        payload["skill"] = {"name": skill.name, "slug": skill.slug}
    elif kind == "badge.failed":
        payload["errors"] = [str(code) for code in badge.verification_errors or []]
    elif kind == "badge.revoked":
        reason = (badge.verification_report or {}).get("revocation_reason")
        if reason:
            payload["reason"] = str(reason)[:500]
    notify(badge.owner, kind, payload)


def _evidence_changed(badge: Badge) -> None:
    """The owner's standing as an endorser may have changed: re-weigh the endorsements they gave."""
    from endorsements.scoring import reweigh_endorsements_by

    reweigh_endorsements_by(badge.owner)


# --- the owner's operations ------------------------------------------------------------------------------------------
@transaction.atomic
def attach_badge(actor: User, *, badge_id: int, member_skill_id: int) -> Badge:
    """Attach one of your badges (any status) to one of your listed skills; it shows there as evidence only while
    it is VERIFIED and public."""
    from skills.services import own_member_skill

    badge = _own_badge(actor, badge_id, lock=True)
    member_skill = own_member_skill(actor, member_skill_id)
    was = is_evidence(badge) and badge.member_skill_id
    badge.member_skill = member_skill
    badge.save(update_fields=["member_skill"])
    if is_evidence(badge) and was != member_skill.pk:
        _evidence_changed(badge)
    return badge


@transaction.atomic
def detach_badge(actor: User, *, badge_id: int) -> Badge:
    badge = _own_badge(actor, badge_id, lock=True)
    if badge.member_skill_id is not None:
        badge.member_skill = None
        badge.save(update_fields=["member_skill"])
        if is_evidence(badge):
            _evidence_changed(badge)
    return badge


@transaction.atomic
def set_badge_public(actor: User, *, badge_id: int, public: bool) -> Badge:
    badge = _own_badge(actor, badge_id, lock=True)
    if badge.public != bool(public):
        was = is_evidence(badge)
        badge.public = bool(public)
        badge.save(update_fields=["public"])
        if was != is_evidence(badge):
            _evidence_changed(badge)
    return badge


@transaction.atomic
def reverify_badge(actor: User, *, badge_id: int) -> Badge:
    """Check a badge again ("check again"), at most once per BADGE_REVERIFY_INTERVAL_SECONDS per badge."""
    badge = _own_badge(actor, badge_id, lock=True)
    now = timezone.now()
    interval = timedelta(seconds=settings.BADGE_REVERIFY_INTERVAL_SECONDS)
    if badge.verification_requested_at is not None and now - badge.verification_requested_at < interval:
        wait = int((badge.verification_requested_at + interval - now).total_seconds()) + 1
        raise _error("badgeId", f"This badge was checked moments ago; try again in {wait} s.", Code.RATE_LIMITED)
    _rate_limit(actor, "re-check", getattr(settings, "BADGE_RECHECKS_PER_HOUR", 60), "badgeId")
    badge.verification_requested_at = now
    badge.save(update_fields=["verification_requested_at"])
    from badges.tasks import schedule_verification

    transaction.on_commit(lambda: schedule_verification(badge.pk))
    return badge


@transaction.atomic
def delete_badge(actor: User, *, badge_id: int) -> None:
    badge = _own_badge(actor, badge_id, lock=True)
    was = is_evidence(badge)
    image = badge.image.name if badge.image else None
    badge.delete()
    if image:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(image))
    if was:
        _evidence_changed(badge)


def due_for_recheck(
    now: datetime | None = None, *, after_hours: int | None = None, pending_minutes: int | None = None
) -> list[int]:
    """Ids `reverify_badges` re-checks: VERIFIED ones last checked more than `after_hours` ago or past their expiry
    date, and PENDING ones whose verification was requested more than `pending_minutes` ago (a lost background job,
    a restart, BADGE_VERIFY_MODE=off)."""
    from django.db.models import Q

    now = now or timezone.now()
    # 0 hours: every VERIFIED badge (after a verifier upgrade, to re-judge them all under the new rules).
    stale = now - timedelta(hours=settings.BADGE_REVERIFY_AFTER_HOURS if after_hours is None else after_hours)
    lost = now - timedelta(minutes=pending_minutes or settings.BADGE_PENDING_STALE_MINUTES)
    verified = Q(status=BadgeStatus.VERIFIED) & (
        Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=stale) | Q(expires_at__lte=now)
    )
    pending = Q(status=BadgeStatus.PENDING) & (
        Q(verification_requested_at__isnull=True) | Q(verification_requested_at__lt=lost)
    )
    return list(Badge.objects.filter(verified | pending).order_by("last_checked_at", "id").values_list("pk", flat=True))
