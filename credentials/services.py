"""Portable proof: what the endorsement services call, and what the credential pages read (docs/credentials.md)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from badges.models import Badge, BadgeStatus
from credentials import issuing, keys
from credentials.models import LinkedProfile, WithdrawnEndorsement
from endorsements.models import Endorsement, Relationship
from profiles.actors import is_signed_in
from profiles.models import User, Visibility
from profiles.permissions import can_view_member
from vouch.errors import Code, not_found
from vouch.errors import error as _error

CACHE_SECONDS = 24 * 3600
PRESENTATION_MAX_ENDORSEMENTS = 50  # heaviest first; each skill's 5 heaviest at most (docs/credentials.md)
PRESENTATION_PER_SKILL = 5


def _name(user: User) -> str:
    return user.profile.name


def facts_of(endorsement: Endorsement) -> issuing.EndorsementFacts:
    """``endorsement`` with endorser__profile, member__profile and skill loaded."""
    return issuing.EndorsementFacts(
        pk=endorsement.pk,
        endorser_username=endorsement.endorser.username,
        endorser_name=_name(endorsement.endorser),
        member_username=endorsement.member.username,
        member_name=_name(endorsement.member),
        skill_name=endorsement.skill.name,
        comment=endorsement.comment,
        relationship=str(Relationship(endorsement.relationship).label),
        weight=round(float(endorsement.weight), 4),
        explanation=endorsement.explanation,
        given_at=issuing.iso(endorsement.created_at),
    )


def record_withdrawal(endorsement: Endorsement, *, now: datetime) -> WithdrawnEndorsement:
    """Called by withdraw_endorsement in its transaction, before the row goes: keep what the credential states so
    it is still served, and set its bit in the endorser's revocation list."""
    loaded = Endorsement.objects.select_related("endorser__profile", "member__profile", "skill").get(pk=endorsement.pk)
    record, _ = WithdrawnEndorsement.objects.get_or_create(
        endorsement_pk=loaded.pk,
        defaults={
            "endorser_id": loaded.endorser_id,
            "member_id": loaded.member_id,
            "snapshot": facts_of(loaded).to_dict(),
            "hidden": loaded.hidden,
            "withdrawn_at": now,
        },
    )
    if settings.VOUCH_ORIGIN:  # re-sign the endorser's list ahead, once committed (credentials.tasks)
        from credentials.tasks import presign_status_list
        from jobs.engine import enqueue_on_commit

        enqueue_on_commit(presign_status_list, loaded.endorser_id, loaded.pk // issuing.LIST_SIZE)
    return record


def credential_issued(endorsement: Endorsement) -> None:
    """Called by endorse in its transaction: sign the new credential ahead once committed (credentials.tasks)."""
    from credentials.tasks import presign_endorsement_credential
    from jobs.engine import enqueue_on_commit

    if settings.VOUCH_ORIGIN:
        enqueue_on_commit(presign_endorsement_credential, endorsement.pk)


# --- reads ---------------------------------------------------------------------------------------------------


def credential_facts(viewer: Any, pk: int) -> tuple[issuing.EndorsementFacts, bool] | None:
    """(facts, withdrawn) of the endorsement ``pk`` if ``viewer`` may see it, else None.

    Live: what the pages show (visible_endorsements) plus what the viewer gave. Withdrawn: the same rule applied
    to the members as they are now and to the hidden flag as it was when withdrawn."""
    from endorsements.permissions import visible_endorsements

    related = ("endorser__profile", "member__profile", "skill")
    live = visible_endorsements(viewer).select_related(*related).filter(pk=pk).first()
    if live is None and is_signed_in(viewer):
        live = Endorsement.objects.select_related(*related).filter(pk=pk, endorser_id=viewer.pk).first()
    if live is not None:
        return facts_of(live), False
    record = (
        WithdrawnEndorsement.objects.select_related("endorser__profile", "member__profile")
        .filter(endorsement_pk=pk)
        .first()
    )
    if record is None:
        return None
    if not (can_view_member(viewer, record.endorser) and can_view_member(viewer, record.member)):
        return None
    if record.hidden and not (is_signed_in(viewer) and viewer.pk in (record.member_id, record.endorser_id)):
        return None
    return issuing.EndorsementFacts.from_dict(record.snapshot), True


def signed_credential(facts: issuing.EndorsementFacts, origin: str) -> dict[str, Any]:
    ring = keys.keyring()
    unsigned = issuing.endorsement_credential(facts, origin)
    cache_key = "cred:e:" + issuing.content_hash(unsigned, ring.current.multikey)
    signed = cache.get(cache_key)
    if signed is None:
        created = datetime.fromisoformat(facts.given_at.replace("Z", "+00:00"))
        signed = issuing.sign(
            unsigned,
            key=ring.current,
            controller=issuing.member_did(origin, facts.endorser_username),
            created=max(created, timezone.now().replace(microsecond=0)),
        )
        cache.set(cache_key, signed, CACHE_SECONDS)
    return signed


def member_for_documents(viewer: Any, username: str) -> User | None:
    """The active member behind a DID document or status list, if ``viewer`` may see them."""
    if not isinstance(username, str) or not username or len(username) > 64:
        return None
    member = User.objects.select_related("profile").filter(username=username.lower(), profile__isnull=False).first()
    if member is None or not can_view_member(viewer, member):
        return None
    return member


def signed_status_list(origin: str, endorser: User, number: int) -> dict[str, Any] | None:
    """The endorser's revocation list ``number`` (indexes number*LIST_SIZE … +LIST_SIZE-1), signed; None for a list
    beyond any endorsement id there is."""
    top = Endorsement.objects.aggregate(m=Max("pk"))["m"] or 0
    top = max(top, WithdrawnEndorsement.objects.aggregate(m=Max("endorsement_pk"))["m"] or 0)
    if number < 0 or number > top // issuing.LIST_SIZE:
        return None
    low = number * issuing.LIST_SIZE
    rows = list(
        WithdrawnEndorsement.objects.filter(
            endorser=endorser, endorsement_pk__gte=low, endorsement_pk__lt=low + issuing.LIST_SIZE
        ).values_list("endorsement_pk", "withdrawn_at")
    )
    changed = max([w for _, w in rows], default=endorser.date_joined)
    ring = keys.keyring()
    unsigned = issuing.status_list_credential(
        origin, endorser.username, number, sorted(pk - low for pk, _ in rows), changed
    )
    cache_key = "cred:s:" + issuing.content_hash(unsigned, ring.current.multikey)
    signed = cache.get(cache_key)
    if signed is None:
        signed = issuing.sign(
            unsigned,
            key=ring.current,
            controller=issuing.member_did(origin, endorser.username),
            created=timezone.now(),
        )
        cache.set(cache_key, signed, CACHE_SECONDS)
    return signed


def did_document(origin: str, member: User | None = None) -> dict[str, Any]:
    published = keys.keyring().published
    if member is None:
        return issuing.did_document(issuing.instance_did(origin), published, also_known_as=origin + "/")
    public = member.profile.visibility == Visibility.PUBLIC
    names = [issuing.profile_url(origin, member.username)] if public else []
    return issuing.did_document(
        issuing.member_did(origin, member.username), published, also_known_as=names + linked_dids(member)
    )


# --- the whole profile ---------------------------------------------------------------------------------------
def portable_endorsements(member: User) -> list[Endorsement]:
    """What the profile presentation carries: shown (not hidden) endorsements by active members with public
    profiles (a members-only endorser did not agree to leave Vouch), heaviest first, capped."""
    rows = (
        Endorsement.objects.filter(
            member=member,
            hidden=False,
            endorser__is_active=True,
            endorser__profile__visibility=Visibility.PUBLIC,
        )
        .select_related("endorser__profile", "member__profile", "skill")
        .order_by("-weight", "id")[:1000]
    )
    per_skill: dict[int, int] = {}
    out: list[Endorsement] = []
    for row in rows:
        if per_skill.get(row.skill_id, 0) >= PRESENTATION_PER_SKILL:
            continue
        per_skill[row.skill_id] = per_skill.get(row.skill_id, 0) + 1
        out.append(row)
        if len(out) >= PRESENTATION_MAX_ENDORSEMENTS:
            break
    return out


def profile_summary(origin: str, member: User, now: datetime) -> dict[str, Any]:
    """A credential by the instance about the member's public skills and verified badges (unsigned)."""
    from skills.models import MemberSkill

    skills = list(MemberSkill.objects.filter(member=member).select_related("skill").order_by("position", "id"))
    badges = list(
        Badge.objects.filter(owner=member, status=BadgeStatus.VERIFIED, public=True).order_by("-issued_on", "id")[:100]
    )
    subject: dict[str, Any] = {
        "id": issuing.member_did(origin, member.username),
        "type": ["Profile"],
        "name": _name(member),
        "url": issuing.profile_url(origin, member.username),
    }
    if member.profile.headline:
        subject["description"] = member.profile.headline
    alignments = []
    for ms in skills:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": ms.skill.name,
                "targetUrl": f"{origin}/?skill={quote(ms.skill.name)}",
                "targetType": "ceasn:Competency",
                "targetFramework": "Vouch skills",
                "targetDescription": (
                    f"Score {ms.score:.2f} on Vouch from {ms.endorsement_count} endorsement"
                    f"{'' if ms.endorsement_count == 1 else 's'}."
                ),
            }
        )
    if alignments:
        subject["alignment"] = alignments
    doc: dict[str, Any] = {
        "@context": [issuing.VC_V2, issuing.OB_V3],
        "id": f"{origin}/m/{quote(member.username, safe='')}/credential#summary",
        "type": ["VerifiableCredential"],
        "name": f"Skill profile of {_name(member)} on Vouch",
        "description": (
            f"{len(skills)} listed skill{'s' if len(skills) != 1 else ''} with Vouch's scores, and "
            f"{len(badges)} Open Badge{'s' if len(badges) != 1 else ''} Vouch verified."
        ),
        "issuer": {
            "id": issuing.instance_did(origin),
            "type": ["Profile"],
            "name": f"Vouch ({urlsplit(origin).netloc})",
            "url": origin + "/",
        },
        "validFrom": issuing.iso(now),
        "credentialSubject": subject,
    }
    evidence = []
    for badge in badges:
        text = f"Issued by {badge.issuer_name or 'an unnamed issuer'}"
        if badge.issued_on:
            text += f" on {badge.issued_on.date().isoformat()}"
        if badge.verified_at:
            text += f"; verified by Vouch on {badge.verified_at.date().isoformat()}"
        evidence.append(
            {
                "id": f"{origin}/b/{badge.public_id}/",
                "type": ["Evidence"],
                "name": badge.name or "Open Badge",
                "description": text + ".",
                "genre": "Open Badge",
            }
        )
    if evidence:
        doc["evidence"] = evidence
    return doc


def profile_presentation(origin: str, member: User) -> dict[str, Any]:
    """The signed Verifiable Presentation at /m/<username>/credential (docs/credentials.md)."""
    ring = keys.keyring()
    credentials = [signed_credential(facts_of(e), origin) for e in portable_endorsements(member)]
    now = timezone.now().replace(microsecond=0)
    summary = profile_summary(origin, member, now)
    # Same content → same signed answer for a few minutes (a presentation costs one canonicalisation of it all).
    cache_key = "cred:p:" + issuing.content_hash({**summary, "validFrom": None}, credentials, ring.current.multikey)
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    signed_summary = issuing.sign(summary, key=ring.current, controller=issuing.instance_did(origin), created=now)
    holder = issuing.member_did(origin, member.username)
    presentation = {
        "@context": [issuing.VC_V2, issuing.OB_V3],
        "id": f"{origin}/m/{quote(member.username, safe='')}/credential",
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": [signed_summary, *credentials],
    }
    signed = issuing.sign(presentation, key=ring.current, controller=holder, created=now)
    cache.set(cache_key, signed, 300)
    return signed


# --- linked profiles on other instances ----------------------------------------------------------------------
MAX_LINKED_PROFILES = 10
_PROFILE_URL = re.compile(r"^https?://([A-Za-z0-9.-]+(?::\d{1,5})?)/m/([A-Za-z0-9_.-]{1,64})/?$")
_MEMBER_DID = re.compile(r"^did:web:([A-Za-z0-9.-]+(?:%3[Aa]\d{1,5})?):m:([A-Za-z0-9_.-]{1,64})$")


def parse_linked_profile(value: Any) -> str:
    """The did:web of a Vouch profile given as its URL (``https://host/m/<username>/``) or as that DID."""
    text = str(value or "").strip()
    if not text:
        raise _error("profile", "Give the address of your profile on the other Vouch instance.", "REQUIRED")
    if len(text) > 200:
        raise _error("profile", "At most 200 characters.", Code.MAX_LENGTH)
    if (m := _PROFILE_URL.match(text)) is not None:
        host, username = m.group(1).lower(), m.group(2).lower()
    elif (m := _MEMBER_DID.match(text)) is not None:
        host, username = unquote(m.group(1)).lower(), m.group(2).lower()
    else:
        raise _error(
            "profile",
            "That is not a Vouch profile address: it looks like https://vouch.example/m/<username>/.",
            Code.INVALID,
        )
    did = issuing.member_did("https://" + host, username)
    own_hosts = {urlsplit(o).netloc.lower() for o in ([settings.VOUCH_ORIGIN] if settings.VOUCH_ORIGIN else [])}
    own_hosts |= {h.lower() for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"}
    if host in own_hosts:
        raise _error("profile", "That is a profile on this instance; link profiles on other instances.", Code.INVALID)
    return did


@transaction.atomic
def link_profile(actor: User, *, profile: Any) -> LinkedProfile:
    if not is_signed_in(actor):
        raise _error(None, "Sign in to link a profile.", "UNAUTHENTICATED")
    did = parse_linked_profile(profile)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # the count below holds under concurrency
    if LinkedProfile.objects.filter(member=actor, did=did).exists():
        raise _error("profile", "You linked that profile already.", "DUPLICATE")
    if LinkedProfile.objects.filter(member=actor).count() >= MAX_LINKED_PROFILES:
        raise _error(None, f"At most {MAX_LINKED_PROFILES} linked profiles.", "TOO_MANY")
    return LinkedProfile.objects.create(member=actor, did=did)


@transaction.atomic
def unlink_profile(actor: User, *, link_id: int) -> None:
    if not is_signed_in(actor):
        raise not_found("linkId", "linked profile")
    deleted, _ = LinkedProfile.objects.filter(pk=link_id, member_id=actor.pk).delete()
    if not deleted:
        raise not_found("linkId", "linked profile")


def linked_dids(member: User) -> list[str]:
    return list(LinkedProfile.objects.filter(member=member).order_by("created_at", "id").values_list("did", flat=True))


def linked_profile_url(did: str) -> str:
    """``did:web:host:m:alice`` → ``https://host/m/alice/`` (for showing a link)."""
    _, _, rest = did.partition("did:web:")
    host, _, path = rest.partition(":")
    return f"https://{unquote(host)}/" + "/".join(unquote(p) for p in path.split(":")) + "/"
