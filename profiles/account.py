"""A member's data rights: download everything Vouch holds about them, and delete their account.

Export (`/settings/export.json`): every row the member owns or that names them — account, e-mail
addresses, profile, skills, endorsements given and received (hidden ones included: they are the
member's, and those waiting for their review), requests both ways, badges with their verification reports,
badge collections, notifications, blocks, endorsement settings (on the profile row), linked sign-in accounts,
organisations administered, withdrawn endorsements (kept for revocation), mail state and daily counters. Rows are
written field by field from the models, so a field added later is exported without touching this
module; only secrets are left out (the password hash, uploaded badge bytes, which the member has).

Deletion (`deleteAccount`): after the password is confirmed, the user row goes and the database
cascades everything it owns (profile, e-mail addresses, skills and the endorsements on them, badges,
requests, notifications, blocks, sessions stop resolving). Endorsements the member GAVE go too, so the
listings they were on are recomputed and, one level down as everywhere else, what those members gave
is re-weighed (the deleted member may have been what made them trusted or standing). Every live socket
of the member is closed after commit. Notifications other members received about them stay in those
members' history (their text, not a link to anything).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile

from profiles.actors import is_signed_in
from profiles.error_codes import ProfileErrorCode
from profiles.models import User
from vouch.errors import Code

EXCLUDED = {"password", "source_data"}


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in EXCLUDED:
            continue
        key = field.attname  # foreign keys as their id (`member_id`)
        out[key] = _value(getattr(obj, key))
    return out


def _rows(objects: Iterable[models.Model]) -> list[dict[str, Any]]:
    return [_row(obj) for obj in objects]


def export_member_data(actor: User) -> dict[str, Any]:
    """Everything Vouch holds about `actor`, as JSON-ready data."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from backpack.models import BadgeCollection
    from badges.models import Badge
    from credentials.models import LinkedProfile, WithdrawnEndorsement
    from endorsements.models import DailyCount, Endorsement, EndorsementRequest
    from notifications.models import MailState, Notification
    from profiles.models import Block, Organisation, Profile
    from skills.models import MemberSkill

    if not is_signed_in(actor):
        raise ValidationError("Sign in to download your data.", code=Code.UNAUTHENTICATED)
    return {
        "format": "vouch-member-export/1",
        "account": _row(actor),
        "emailAddresses": _rows(EmailAddress.objects.filter(user=actor).order_by("id")),
        "profile": _rows(Profile.objects.filter(user=actor)),
        "skills": [
            _row(ms) | {"skill": ms.skill.name}
            for ms in MemberSkill.objects.filter(member=actor).select_related("skill")
        ],
        "endorsementsGiven": [
            _row(e) | {"member": e.member.username, "skill": e.skill.name}
            for e in Endorsement.objects.filter(endorser=actor).select_related("member", "skill").order_by("id")
        ],
        "endorsementsReceived": [
            _row(e) | {"endorser": e.endorser.username, "skill": e.skill.name}
            for e in Endorsement.objects.filter(member=actor).select_related("endorser", "skill").order_by("id")
        ],
        "requestsSent": [
            _row(r) | {"recipient": r.recipient.username, "skill": r.skill.name}
            for r in EndorsementRequest.objects.filter(requester=actor).select_related("recipient", "skill")
        ],
        "requestsReceived": [
            _row(r) | {"requester": r.requester.username, "skill": r.skill.name}
            for r in EndorsementRequest.objects.filter(recipient=actor).select_related("requester", "skill")
        ],
        "badges": _rows(Badge.objects.filter(owner=actor).order_by("id")),
        "badgeCollections": [
            _row(c) | {"badgeIds": sorted(b.pk for b in c.badges.all())}
            for c in BadgeCollection.objects.filter(owner=actor).prefetch_related("badges").order_by("id")
        ],
        "linkedProfiles": _rows(LinkedProfile.objects.filter(member=actor).order_by("id")),
        "notifications": _rows(Notification.objects.filter(recipient=actor).order_by("id").iterator()),
        "blocked": [
            _row(b) | {"blocked": b.blocked.username}
            for b in Block.objects.filter(blocker=actor).select_related("blocked")
        ],
        # Linked sign-in accounts (provider and id; their access tokens are secrets and stay out).
        "socialAccounts": _rows(SocialAccount.objects.filter(user=actor).order_by("id")),
        "organisationsAdministered": [
            {"id": o.pk, "name": o.name, "verified": o.verified}
            for o in Organisation.objects.filter(admins=actor).order_by("id")
        ],
        # Withdrawn endorsements the member gave or received: kept so their credentials read as revoked.
        "withdrawnEndorsements": _rows(
            WithdrawnEndorsement.objects.filter(Q(endorser=actor) | Q(member=actor)).order_by("id")
        ),
        "mailState": _rows(MailState.objects.filter(user=actor)),
        "dailyCounts": _rows(DailyCount.objects.filter(member=actor).order_by("day", "kind")),
    }


@transaction.atomic
def delete_account(actor: User, *, password: str) -> int:
    """Delete `actor` and everything they own, after checking their password. Returns the deleted id."""
    from endorsements.models import Endorsement
    from endorsements.scoring import cascade, recompute_member_skills
    from notifications.services import end_member_sockets

    if not is_signed_in(actor):
        raise ValidationError("Sign in to delete your account.", code=Code.UNAUTHENTICATED)
    if not isinstance(password, str) or not password or not actor.check_password(password):
        raise ValidationError(
            {"password": ValidationError("That is not your password.", code=ProfileErrorCode.WRONG_PASSWORD)}
        )
    user = User.objects.select_for_update().get(pk=actor.pk)
    given = list(
        Endorsement.objects.filter(endorser=user, hidden=False).values_list("member_id", "member_skill_id", "skill_id")
    )
    user_id = user.pk
    user.delete()
    recompute_member_skills([ms for _m, ms, _s in given])
    skill_of = {member_id: skill_id for member_id, _ms, skill_id in given}
    for member in User.objects.filter(pk__in=skill_of).order_by("pk"):
        # The deleted member vouched for them: their trust may move, so everything they gave is
        # re-weighed (which covers the skills whose score moved too). Once per member.
        cascade(member, skill_of[member.pk], rescored=True, trust=True)
    end_member_sockets(user_id)
    return user_id
