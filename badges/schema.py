"""GraphQL for badges: the Badge type, `badge(id:)`, and the import/attach/detach/re-check/publish/delete mutations.

`Member.badges` (profiles/schema.py) and `MemberSkill.badges` (skills/schema.py) are prefetched through
`badges.selectors.badges_prefetch`, driven by the selection: no query per row.
"""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_file_upload.scalars import Upload

from badges import services
from badges.models import Badge, BadgeStatus, IssuerTrust, SourceKind
from badges.openbadges.util import safe_url
from badges.permissions import is_evidence, is_owner
from badges.selectors import badge_for_page, badge_queryset, report_for, visible_badges
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation
from vouch.graphql.selection import below, selected_paths

BadgeStatusEnum = graphene.Enum(
    "BadgeStatus",
    [(v, v) for v in BadgeStatus.values],
    description="PENDING until Vouch has verified the badge itself; then VERIFIED, FAILED, REVOKED or EXPIRED.",
)
IssuerTrustEnum = graphene.Enum(
    "IssuerTrust",
    [(v, v) for v in IssuerTrust.values],
    description=(
        "Who vouches for the issuer's identity. CONFIRMED: in this instance's issuer registry. DOMAIN_BOUND: the "
        "issuer's profile or DID document was fetched from its own domain and lists the signing key. SELF_ISSUED: "
        "a did:key issuer, authentic but anyone can create one, so its name is only a claim. UNCONFIRMED: neither. "
        "Only CONFIRMED and DOMAIN_BOUND badges count as evidence."
    ),
)
BadgeSourceKindEnum = graphene.Enum(
    "BadgeSourceKind", [(v, v) for v in SourceKind.values], description="What the member imported."
)


class BadgeCheck(graphene.ObjectType):
    """One step of the verification and its result."""

    name = graphene.String(required=True)
    passed = graphene.Boolean(required=True)
    code = graphene.String(description="The stable error code when the check did not pass.")
    message = graphene.String(required=True)
    warning = graphene.Boolean(required=True, description="A warning never changes the status.")


class BadgeEvidence(graphene.ObjectType):
    """Evidence the assertion or credential points to; `url` is http(s) only (null otherwise)."""

    url = graphene.String()
    name = graphene.String()
    narrative = graphene.String()


class BadgeType(DjangoObjectType):
    """An Open Badge a member imported. Others see it only while it is VERIFIED, public and unexpired; its owner
    sees it in every status, with the reasons."""

    class Meta:
        model = Badge
        name = "Badge"
        fields = (
            "id",
            "name",
            "description",
            "issuer_name",
            "issued_on",
            "expires_at",
            "verified_at",
            "last_checked_at",
            "public",
            "member_skill",
            "created_at",
        )
        interfaces = (relay.Node,)

    public_id = graphene.String(required=True, description="The id in the badge's page address /b/<publicId>/.")
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    issuer_name = graphene.String(required=True)
    issuer_url = graphene.String(description="The issuer's web site (http(s) only).")
    issuer_id = graphene.String(description="The issuer's id as verification established it: a profile URL or a DID.")
    issuer_trust = graphene.Field(IssuerTrustEnum, required=True)
    issuer_confirmed_name = graphene.String(
        description="The issuer's name as this instance's registry confirms it (CONFIRMED only); issuerName is "
        "otherwise what the badge claims."
    )
    counts_as_evidence = graphene.Boolean(
        required=True, description="VERIFIED, public, unexpired and from a CONFIRMED or DOMAIN_BOUND issuer."
    )
    evidence = graphene.List(graphene.NonNull(BadgeEvidence), required=True)
    criteria_url = graphene.String(description="http(s) only.")
    image_url = graphene.String(description="A PNG of at most 256x256 re-encoded by Vouch, or null.")
    status = graphene.Field(BadgeStatusEnum, required=True)
    verification_errors = graphene.List(
        graphene.NonNull(graphene.String), required=True, description="Stable codes, e.g. RECIPIENT_MISMATCH."
    )
    verification_checks = graphene.List(graphene.NonNull(BadgeCheck), required=True)
    verification_report = graphene.JSONString(
        description="The full report. Anyone but the owner gets it without the recipient identity."
    )
    recipient_matched = graphene.Boolean(
        description="The badge names one of this member's verified e-mail addresses (never shown)."
    )
    spec_version = graphene.String(description='"3.0", "2.0", "1.1", "1.0" or "0.5".')
    verification_method = graphene.String(description='"hosted", "signed", "vc-jwt" or "data-integrity".')
    public = graphene.Boolean(required=True)
    member_skill = graphene.Field("skills.schema.MemberSkillType")
    owner = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    source_kind = graphene.Field(BadgeSourceKindEnum, description="Only to the owner; null for anyone else.")
    page_url = graphene.String(required=True, description="The public page with the verification report.")
    created_at = graphene.DateTime(required=True)

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Badge], info: Any) -> QuerySet[Badge]:
        # `queryset` is the plain manager here (node(id:)); the visibility rules replace it.
        return visible_badges(info.context.user, selected_paths(info))

    @staticmethod
    def resolve_status(badge: Badge, info: Any) -> str:
        return badge.status

    @staticmethod
    def resolve_issuer_url(badge: Badge, info: Any) -> str | None:
        return safe_url(badge.issuer_url)

    @staticmethod
    def resolve_issuer_id(badge: Badge, info: Any) -> str | None:
        return badge.issuer_id or None

    @staticmethod
    def resolve_issuer_trust(badge: Badge, info: Any) -> str:
        return badge.issuer_trust

    @staticmethod
    def resolve_issuer_confirmed_name(badge: Badge, info: Any) -> str | None:
        from badges.trust import confirmed_name

        return confirmed_name(badge)

    @staticmethod
    def resolve_counts_as_evidence(badge: Badge, info: Any) -> bool:
        return is_evidence(badge)

    @staticmethod
    def resolve_evidence(badge: Badge, info: Any) -> list[BadgeEvidence]:
        items = (badge.verification_report or {}).get("evidence") or []
        return [
            BadgeEvidence(url=safe_url(e.get("url")), name=e.get("name"), narrative=e.get("narrative"))
            for e in items
            if isinstance(e, dict)
        ]

    @staticmethod
    def resolve_criteria_url(badge: Badge, info: Any) -> str | None:
        return safe_url(badge.criteria_url)

    @staticmethod
    def resolve_image_url(badge: Badge, info: Any) -> str | None:
        return info.context.build_absolute_uri(badge.image.url) if badge.image else None

    @staticmethod
    def resolve_verification_errors(badge: Badge, info: Any) -> list[str]:
        return [str(code) for code in badge.verification_errors or []]

    @staticmethod
    def resolve_verification_checks(badge: Badge, info: Any) -> list[BadgeCheck]:
        report = badge.verification_report or {}
        return [
            BadgeCheck(
                name=c.get("name") or "",
                passed=bool(c.get("passed")),
                code=c.get("code"),
                message=c.get("message") or "",
                warning=bool(c.get("warning")),
            )
            for c in report.get("checks") or []
            if isinstance(c, dict)
        ]

    @staticmethod
    def resolve_verification_report(badge: Badge, info: Any) -> dict[str, Any] | None:
        return report_for(info.context.user, badge)  # JSONString serialises it

    @staticmethod
    def resolve_recipient_matched(badge: Badge, info: Any) -> bool | None:
        report = badge.verification_report
        return bool(report.get("recipient_matched")) if report else None

    @staticmethod
    def resolve_spec_version(badge: Badge, info: Any) -> str | None:
        return (badge.verification_report or {}).get("spec_version")

    @staticmethod
    def resolve_verification_method(badge: Badge, info: Any) -> str | None:
        return (badge.verification_report or {}).get("verification_method")

    @staticmethod
    def resolve_owner(badge: Badge, info: Any) -> Any:
        return badge.owner

    @staticmethod
    def resolve_source_kind(badge: Badge, info: Any) -> str | None:
        return badge.source_kind if is_owner(info.context.user, badge) else None

    @staticmethod
    def resolve_page_url(badge: Badge, info: Any) -> str:
        return info.context.build_absolute_uri(f"/b/{badge.public_id}/")


class BadgeQueries(graphene.ObjectType):
    badge = graphene.Field(
        BadgeType,
        id=graphene.ID(required=True, description="The badge's GraphQL id or its publicId."),
        description="A badge you may see (your own, or someone's verified public badge), or null.",
    )

    @staticmethod
    def resolve_badge(root: Any, info: Any, id: str) -> Badge | None:
        return badge_for_page(info.context.user, id, selected_paths(info))


def _payload_badge(info: Any, actor: Any, pk: int) -> Badge:
    """The badge as the payload selects it, read after the service committed (and, inline, verified)."""
    return badge_queryset(actor, below(selected_paths(info), "badge")).get(pk=pk)


class ImportBadge(VouchMutation):
    """Import a badge from exactly one source. It is PENDING until verification finishes (see Member.badges)."""

    class Input:
        url = graphene.String(description="A hosted assertion/credential, or a baked badge image, by URL.")
        assertion = graphene.String(description="Pasted JSON (OB 2.0/1.x/0.5 or 3.0) or a compact JWS / VC-JWT.")
        image = Upload(description="A baked PNG or SVG, at most 5 MB.")
        member_skill_id = graphene.ID(description="Attach it to one of your listed skills right away.")

    badge = graphene.Field(BadgeType)

    @classmethod
    def perform(
        cls,
        info: Any,
        actor: Any,
        url: str | None = None,
        assertion: str | None = None,
        image: Any = None,
        member_skill_id: str | None = None,
        **_: Any,
    ) -> ImportBadge:
        ms_pk = decode_id(member_skill_id, "MemberSkill", field="memberSkillId") if member_skill_id else None
        badge = services.import_badge(actor, url=url, assertion=assertion, image=image, member_skill_id=ms_pk)
        return cls(badge=_payload_badge(info, actor, badge.pk))


class AttachBadge(VouchMutation):
    class Input:
        badge_id = graphene.ID(required=True)
        member_skill_id = graphene.ID(required=True)

    badge = graphene.Field(BadgeType)

    @classmethod
    def perform(cls, info: Any, actor: Any, badge_id: str, member_skill_id: str, **_: Any) -> AttachBadge:
        pk = decode_id(badge_id, "Badge", field="badgeId")
        ms_pk = decode_id(member_skill_id, "MemberSkill", field="memberSkillId")
        services.attach_badge(actor, badge_id=pk, member_skill_id=ms_pk)
        return cls(badge=_payload_badge(info, actor, pk))


class DetachBadge(VouchMutation):
    class Input:
        badge_id = graphene.ID(required=True)

    badge = graphene.Field(BadgeType)

    @classmethod
    def perform(cls, info: Any, actor: Any, badge_id: str, **_: Any) -> DetachBadge:
        pk = decode_id(badge_id, "Badge", field="badgeId")
        services.detach_badge(actor, badge_id=pk)
        return cls(badge=_payload_badge(info, actor, pk))


class ReverifyBadge(VouchMutation):
    """Check a badge again now (at most once a minute per badge; RATE_LIMITED otherwise)."""

    class Input:
        badge_id = graphene.ID(required=True)

    badge = graphene.Field(BadgeType)

    @classmethod
    def perform(cls, info: Any, actor: Any, badge_id: str, **_: Any) -> ReverifyBadge:
        pk = decode_id(badge_id, "Badge", field="badgeId")
        services.reverify_badge(actor, badge_id=pk)
        return cls(badge=_payload_badge(info, actor, pk))


class SetBadgePublic(VouchMutation):
    """A private badge is seen by its owner alone and counts as evidence for nobody else."""

    class Input:
        badge_id = graphene.ID(required=True)
        public = graphene.Boolean(required=True)

    badge = graphene.Field(BadgeType)

    @classmethod
    def perform(cls, info: Any, actor: Any, badge_id: str, public: bool, **_: Any) -> SetBadgePublic:
        pk = decode_id(badge_id, "Badge", field="badgeId")
        services.set_badge_public(actor, badge_id=pk, public=public)
        return cls(badge=_payload_badge(info, actor, pk))


class DeleteBadge(VouchMutation):
    class Input:
        badge_id = graphene.ID(required=True)

    deleted_badge_id = graphene.ID()

    @classmethod
    def perform(cls, info: Any, actor: Any, badge_id: str, **_: Any) -> DeleteBadge:
        pk = decode_id(badge_id, "Badge", field="badgeId")
        services.delete_badge(actor, badge_id=pk)
        return cls(deleted_badge_id=badge_id)


class BadgeMutations(graphene.ObjectType):
    import_badge = ImportBadge.Field()
    attach_badge = AttachBadge.Field()
    detach_badge = DetachBadge.Field()
    reverify_badge = ReverifyBadge.Field()
    set_badge_public = SetBadgePublic.Field()
    delete_badge = DeleteBadge.Field()
