"""One small, realistic network for the authorization tests (GraphQL matrix, pages, sockets).

Three roles look at it:
- `anonymous`: nobody signed in;
- `owner` (olive): owns everything the operations target. Her profile is MEMBERS-only, so an
  anonymous visitor must not learn anything about her from any entry point;
- `other` (otto): a signed-in member with data of his own, who must never read or change olive's.

Built through the services (as the product does), so notifications, daily counters and scores
are what they are in production. `snapshot()` captures every row of the project's apps, so a
refused operation can be checked to have written nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from backpack.models import BadgeCollection
from backpack.services import create_collection
from badges.models import Badge, BadgeStatus, SourceKind
from credentials import keys
from credentials.models import LinkedProfile
from credentials.services import link_profile
from endorsements import services as endorsement_services
from endorsements.models import Endorsement, EndorsementRequest
from notifications.models import Notification
from notifications.services import notify, update_preferences
from profiles.models import User, Visibility
from profiles.services import block_member, update_profile
from profiles.tests.factories import make_member
from skills.models import MemberSkill
from skills.services import add_skill
from vouch.graphql.ids import encode_id

ROLES = ("anonymous", "owner", "other")
PROJECT_APPS = ("profiles", "skills", "endorsements", "badges", "notifications", "credentials", "backpack")


@dataclass
class World:
    olive: User  # the owner (MEMBERS-only profile)
    otto: User  # another member
    carol: User  # endorses olive, asks olive for an endorsement
    pat: User  # public profile; olive asked pat; pat's endorsement of olive is hidden
    bert: User  # blocked by olive
    dina: User  # members-only profile, a self-declared LEAD at Acme (verified), which olive administers
    ms_python: MemberSkill  # olive's, endorsed by carol (visible), with a public verified badge attached
    ms_go: MemberSkill  # olive's, endorsed by pat (hidden by olive)
    ms_rust: MemberSkill  # otto's
    e_visible: Endorsement  # carol -> olive Python
    e_hidden: Endorsement  # pat -> olive Go, hidden by olive
    e_given: Endorsement  # olive -> carol SQL (olive may withdraw it)
    r_incoming: EndorsementRequest  # carol asks olive (Docker)
    r_outgoing: EndorsementRequest  # olive asks pat (Python)
    b_public: Badge  # olive's, VERIFIED and public, attached to Python
    b_private: Badge  # olive's, VERIFIED but private
    n_olive: Notification  # olive's (unread)
    n_otto: Notification  # otto's (unread)
    col_shared: BadgeCollection  # olive's, shared, holds both her badges (others see only the public one)
    col_private: BadgeCollection  # olive's, private
    link: LinkedProfile  # olive's profile on another instance

    def user(self, role: str) -> User | None:
        return {"anonymous": None, "owner": self.olive, "other": self.otto}[role]

    def gid(self, obj: Any) -> str:
        names = {
            User: "Member",
            MemberSkill: "MemberSkill",
            Endorsement: "Endorsement",
            EndorsementRequest: "EndorsementRequest",
            Badge: "Badge",
            Notification: "Notification",
            BadgeCollection: "BadgeCollection",
        }
        for model, name in names.items():
            if isinstance(obj, model):
                return encode_id(name, obj.pk)
        return encode_id(type(obj).__name__, obj.pk)


def _badge(owner: User, name: str, *, public: bool, member_skill: MemberSkill | None = None) -> Badge:
    return Badge.objects.create(
        owner=owner,
        status=BadgeStatus.VERIFIED,
        issuer_trust="DOMAIN_BOUND",
        name=name,
        public=public,
        member_skill=member_skill,
        source_kind=SourceKind.URL,
        source_url=f"https://issuer.example/{name}",
        source_digest=f"{owner.pk}-{name}",
        verification_report={
            "recipient_matched": True,
            "checks": [],
            "assertion": {"recipient": {"type": "email", "hashed": False, "identity": f"{owner.username}@example.com"}},
        },
    )


def build_world() -> World:
    olive = make_member("olive", display_name="Olive Owner")
    update_profile(olive, visibility=Visibility.MEMBERS)
    otto = make_member("otto", display_name="Otto Other")
    carol = make_member("carol", display_name="Carol")
    pat = make_member("pat", display_name="Pat Public")
    bert = make_member("bert", display_name="Bert")
    from profiles.services import verify_organisation

    acme = verify_organisation(None, domain="acme.example", name="Acme")
    dina = make_member("dina", display_name="Dina", email="dina@acme.example", seniority="LEAD")
    update_profile(dina, visibility=Visibility.MEMBERS)
    acme.admins.add(olive)  # olive may confirm dina's seniority (confirmSeniority); otto may not

    ms_python = add_skill(olive, name="Python")
    ms_go = add_skill(olive, name="Go")
    ms_rust = add_skill(otto, name="Rust")
    add_skill(carol, name="SQL")
    add_skill(carol, name="Docker")

    e_visible = endorsement_services.endorse(carol, member=olive, skill="Python", relationship="PEER", comment="Great")
    # Given two years ago: old enough for olive to ask carol "Still true?" (requestReconfirmation).
    Endorsement.objects.filter(pk=e_visible.pk).update(created_at=timezone.now() - timedelta(days=730))
    e_visible.refresh_from_db()
    e_hidden = endorsement_services.endorse(pat, member=olive, skill="Go", relationship="OTHER", comment="Meh")
    endorsement_services.set_endorsement_hidden(olive, endorsement_id=e_hidden.pk, hidden=True)
    e_given = endorsement_services.endorse(olive, member=carol, skill="SQL", relationship="PEER")
    r_incoming = endorsement_services.request_endorsement(
        carol, recipient=olive, skill="Docker", relationship="PEER", message="Please?"
    )
    r_outgoing = endorsement_services.request_endorsement(
        olive, recipient=pat, skill="Python", relationship="OTHER", message="Private note to Pat"
    )
    b_public = _badge(olive, "Public badge", public=True, member_skill=ms_python)
    b_private = _badge(olive, "Private badge", public=False)
    block_member(olive, member=bert)
    update_preferences(olive, muted_kinds=["badge.verified"])
    from notifications.models import MailState

    MailState.objects.update_or_create(
        user=olive, defaults={"stopped_address": olive.email, "stopped_reason": "550 5.1.1 User unknown"}
    )
    with transaction.atomic():
        n_olive = notify(olive, "badge.verified", {"badge": {"id": b_public.public_id, "name": "Public badge"}})
        n_otto = notify(otto, "badge.verified", {"badge": {"id": "x", "name": "Otto's"}})
    # The instance's signing key exists before anyone asks (generated on first use in development).
    keys.reset()
    keys.keyring()
    col_shared = create_collection(olive, name="Shared set", public=True, badge_ids=[b_public.pk, b_private.pk])
    col_private = create_collection(olive, name="Private set", badge_ids=[b_public.pk])
    link = link_profile(olive, profile="https://vouch-elsewhere.example/m/olive/")
    for obj in (ms_python, ms_go, e_visible, e_hidden):
        obj.refresh_from_db()
    return World(
        olive=olive,
        otto=otto,
        carol=carol,
        pat=pat,
        bert=bert,
        dina=dina,
        ms_python=ms_python,
        ms_go=ms_go,
        ms_rust=ms_rust,
        e_visible=e_visible,
        e_hidden=e_hidden,
        e_given=e_given,
        r_incoming=r_incoming,
        r_outgoing=r_outgoing,
        b_public=b_public,
        b_private=b_private,
        n_olive=n_olive,
        n_otto=n_otto,
        col_shared=col_shared,
        col_private=col_private,
        link=link,
    )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of the project's apps: equal before and after means nothing was written."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            values = list(model.objects.order_by("pk").values())
            for row in values:
                for key, value in row.items():
                    if isinstance(value, memoryview):
                        row[key] = bytes(value)
            rows[model._meta.label] = values
    return rows


def changes(before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Which tables differ (for a readable assertion message)."""
    return [label for label in before if before[label] != after.get(label)]
