"""Member operations: creating members, editing profiles, blocking."""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction

from profiles.avatars import process_avatar
from profiles.models import Block, Organisation, OrganisationDomain, Profile, Seniority, User, Visibility
from profiles.validators import is_reserved, username_validator, validate_not_reserved
from vouch.errors import CONTROL_CHARACTERS, Code, clean_text

# The profile's free-text fields and their length limits (the page forms take them from here).
PROFILE_TEXT_LIMITS = {"display_name": 80, "headline": 160, "organisation": 100, "title": 100}


def ensure_profile(user: User, **defaults: Any) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user, defaults=defaults)
    return profile


def username_from_email(email: str) -> str:
    """A free handle derived from an e-mail address: "Ana.Lima+x@ex.com" -> "ana-lima-x"."""
    local = email.split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9]+", "-", local).strip("-_")[:24] or "member"
    if len(base) < 3:
        base = f"{base}-member"[:24]
    if is_reserved(base):
        base = f"{base[:17]}-member"
    candidate, n = base, 1
    while is_reserved(candidate) or User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base[:24]}-{n}"
    return candidate


@transaction.atomic
def create_member(
    *,
    email: str,
    password: str | None = None,
    username: str | None = None,
    display_name: str = "",
    seniority: str = Seniority.MID,
    headline: str = "",
    organisation: str = "",
    title: str = "",
    verified: bool = True,
) -> User:
    """Create an account with its profile and e-mail address (used by the seed, tests and admin tools)."""
    username = (username or username_from_email(email)).lower()
    username_validator(username)
    validate_not_reserved(username)
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Profile.objects.create(
        user=user,
        display_name=display_name,
        seniority=seniority,
        headline=headline,
        organisation=organisation,
        title=title,
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def _clean_text(field: str, value: Any) -> str:
    return clean_text(field, value, PROFILE_TEXT_LIMITS[field], none_as_empty=False)


@transaction.atomic
def update_profile(actor: User, **changes: Any) -> Profile:
    """Change the actor's own profile. Only the keys given change; all are validated before anything is written."""
    # Accounts made outside the allauth adapter (createsuperuser, the admin) have no profile yet.
    ensure_profile(actor)
    profile = Profile.objects.select_for_update().get(user=actor)
    updates: dict[str, Any] = {}
    for field in PROFILE_TEXT_LIMITS:
        if changes.get(field) is not None:
            updates[field] = _clean_text(field, changes[field])
    if changes.get("seniority") is not None:
        if changes["seniority"] not in Seniority.values:
            raise ValidationError({"seniority": ValidationError("Unknown seniority.", code=Code.INVALID_CHOICE)})
        updates["seniority"] = changes["seniority"]
    if changes.get("visibility") is not None:
        if changes["visibility"] not in Visibility.values:
            raise ValidationError({"visibility": ValidationError("Unknown visibility.", code=Code.INVALID_CHOICE)})
        updates["visibility"] = changes["visibility"]
    avatar = process_avatar(changes["avatar"]) if changes.get("avatar") is not None else None

    seniority_changed = "seniority" in updates and updates["seniority"] != profile.seniority
    for field, value in updates.items():
        setattr(profile, field, value)
    # Names are captured now: FieldFile.save() renames the same FieldFile object in place, so
    # reading f.name after saving the new thumbnails would delete the new files, not the old.
    old_files: list[tuple[Any, str]] = []
    if avatar is not None or changes.get("remove_avatar"):
        old_files = [(f.storage, f.name) for f in (profile.avatar, profile.avatar_small) if f]
    if avatar is not None:
        profile.avatar.save(avatar.large.name, avatar.large, save=False)
        profile.avatar_small.save(avatar.small.name, avatar.small, save=False)
    elif changes.get("remove_avatar"):
        profile.avatar = profile.avatar_small = ""
    profile.save()
    if old_files:
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in old_files])
    if seniority_changed:
        # The endorsements this member gave carry their seniority: re-weigh them.
        from endorsements.scoring import reweigh_endorsements_by

        reweigh_endorsements_by(actor)
    return profile


@transaction.atomic
def block_member(actor: User, *, member: User) -> Block:
    if member.pk == actor.pk:
        raise ValidationError({"member": ValidationError("You cannot block yourself.", code=Code.INVALID)})
    block, _ = Block.objects.get_or_create(blocker=actor, blocked=member)
    from endorsements.services import cancel_requests_between

    cancel_requests_between(actor, member)
    return block


@transaction.atomic
def unblock_member(actor: User, *, member: User) -> None:
    Block.objects.filter(blocker=actor, blocked=member).delete()


# --- organisations and trust seeds (docs/weighting.md, "Trust") ---------------------------------
def _staff_only(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise ValidationError("Only instance staff can do that.", code=Code.FORBIDDEN)


@transaction.atomic
def verify_organisation(actor: User | None, *, domain: str, name: str | None = None) -> Organisation:
    """Mark the organisation owning `domain` verified (creating it, named `name` or after the domain).

    `actor` None: the command line (`seed_trust`), which is instance staff by definition.
    """
    from django.utils import timezone

    from profiles.workplaces import normalise_domain

    _staff_only(actor)
    clean = normalise_domain(domain)
    if not clean:
        raise ValidationError({"domain": ValidationError("Not an e-mail domain.", code=Code.INVALID)})
    name = CONTROL_CHARACTERS.sub("", name or "").strip()[:100]
    existing = OrganisationDomain.objects.select_related("organisation").filter(domain=clean).first()
    org = existing.organisation if existing else Organisation(name=name or clean)
    if name:
        org.name = name
    if not org.verified:
        org.verified, org.verified_at = True, timezone.now()
    org.save()
    if existing is None:
        OrganisationDomain.objects.create(organisation=org, domain=clean)
    return org


@transaction.atomic
def set_trust_seed(actor: User | None, *, member: User, seed: bool = True) -> Profile:
    """Make `member` a starting point of trust (or stop it), as instance staff."""
    _staff_only(actor)
    profile = ensure_profile(member)
    Profile.objects.filter(pk=profile.pk).update(trust_seed=seed)
    profile.trust_seed = seed
    return profile


@transaction.atomic
def confirm_seniority(actor: User, *, member: User, seniority: str | None = None) -> Profile:
    """Confirm `member`'s declared seniority (or the level given), as staff or an admin of their verified
    organisation. The confirmation counts while the declared seniority equals it (docs/weighting.md)."""
    from profiles.permissions import can_confirm_seniority

    if not can_confirm_seniority(actor, member):
        raise ValidationError({"member": ValidationError("Member not found.", code=Code.NOT_FOUND)})
    profile = Profile.objects.select_for_update().get(user=member)
    level = seniority or profile.seniority
    if level not in Seniority.values:
        raise ValidationError({"seniority": ValidationError("Unknown seniority.", code=Code.INVALID_CHOICE)})
    profile.seniority_confirmed, profile.seniority_confirmed_by = level, actor
    profile.save(update_fields=["seniority_confirmed", "seniority_confirmed_by", "updated_at"])
    from endorsements.scoring import reweigh_endorsements_by

    reweigh_endorsements_by(member)
    return profile
