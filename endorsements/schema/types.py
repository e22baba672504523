"""GraphQL types of endorsements and requests, and their enums."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphene_django import DjangoObjectType

from endorsements.models import Endorsement, EndorsementRequest, Relationship, RequestStatus
from endorsements.permissions import can_see_status, visible_endorsements, visible_requests
from profiles.actors import is_signed_in
from vouch.graphql.connections import CountableConnection

RelationshipEnum = graphene.Enum(
    "Relationship",
    [(v, v) for v in Relationship.values],
    description="What the endorser was to the endorsed member: their MANAGER, a PEER, someone who reported to "
    "them (REPORT), or OTHER.",
)
RequestStatusEnum = graphene.Enum("RequestStatus", [(v, v) for v in RequestStatus.values])
EndorsementStatusEnum = graphene.Enum(
    "EndorsementStatus",
    [("VISIBLE", "VISIBLE"), ("HIDDEN", "HIDDEN"), ("PENDING_REVIEW", "PENDING_REVIEW")],
    description="VISIBLE: shown and counted. HIDDEN: hidden by the endorsed member (only they see it). "
    "PENDING_REVIEW: waits for the endorsed member to show (approveEndorsement) or hide (setEndorsementHidden) "
    "it; until then it counts nowhere and only the member and its endorser see it.",
)
RequestDirectionEnum = graphene.Enum(
    "RequestDirection",
    [("INCOMING", "INCOMING"), ("OUTGOING", "OUTGOING")],
    description="INCOMING: requests others sent you (your inbox). OUTGOING: requests you sent.",
)


def is_owner(info: Any, member_id: int) -> bool:
    user = info.context.user
    return is_signed_in(user) and user.pk == member_id


class EndorsementType(DjangoObjectType):
    """One member vouching for another's listed skill, with the weight it carries and why."""

    class Meta:
        model = Endorsement
        name = "Endorsement"
        fields = ("id", "comment", "weight", "created_at")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    endorser = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    member = graphene.Field(graphene.NonNull("profiles.schema.MemberType"), description="The endorsed member.")
    skill = graphene.Field(graphene.NonNull("skills.schema.SkillType"))
    member_skill = graphene.Field(graphene.NonNull("skills.schema.MemberSkillType"))
    relationship = graphene.Field(graphene.NonNull(RelationshipEnum))
    comment = graphene.String(required=True)
    weight = graphene.Float(required=True)
    weight_explanation = graphene.String(required=True, description="Why it weighs what it does, for people.")
    hidden = graphene.Boolean(
        description="Only to the endorsed member; null for anyone else. True as well while it waits for review."
    )
    status = graphene.Field(
        graphene.NonNull(EndorsementStatusEnum),
        description="To the endorsed member: VISIBLE, HIDDEN or PENDING_REVIEW. To its endorser: PENDING_REVIEW "
        "while it waits for the member's review, VISIBLE otherwise. To anyone else (who sees only shown ones): "
        "VISIBLE.",
    )
    created_at = graphene.DateTime(required=True)
    given_at = graphene.DateTime(required=True, description="When it was given (createdAt).")
    reconfirmed_at = graphene.DateTime(
        description='When the endorser last re-confirmed it ("Still true?"); its freshness runs from then.'
    )
    freshness = graphene.Float(
        required=True,
        description="The age factor in its weight as last weighed: 0.5 ** (age / half-life of the skill's kind), "
        "at least 0.25 (docs/weighting.md).",
    )
    credential_url = graphene.String(
        description="Absolute URL of this endorsement as a signed Open Badges 3.0 EndorsementCredential "
        "(application/vc+ld+json; docs/credentials.md)."
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet[Endorsement], info: Any) -> QuerySet[Endorsement]:
        return visible_endorsements(info.context.user, queryset).select_related(
            "endorser__profile", "member__profile", "skill"
        )

    @staticmethod
    def resolve_relationship(e: Endorsement, info: Any) -> str:
        return str(e.relationship)

    @staticmethod
    def resolve_given_at(e: Endorsement, info: Any) -> Any:
        return e.created_at

    @staticmethod
    def resolve_freshness(e: Endorsement, info: Any) -> float:
        from endorsements.weighting import WeightInputs, freshness

        inputs = WeightInputs.from_json({"seniority": "", "relationship": "", **(e.weight_inputs or {})})
        return round(freshness(inputs.age_days, inputs.skill_kind), 4)

    @staticmethod
    def resolve_weight_explanation(e: Endorsement, info: Any) -> str:
        return e.explanation

    @staticmethod
    def resolve_credential_url(e: Endorsement, info: Any) -> str:
        from credentials.issuing import credential_url
        from credentials.views import origin_of

        return credential_url(origin_of(info.context), e.pk)

    @staticmethod
    def resolve_hidden(e: Endorsement, info: Any) -> bool | None:
        return e.hidden if is_owner(info, e.member_id) else None

    @staticmethod
    def resolve_status(e: Endorsement, info: Any) -> str:
        if is_owner(info, e.member_id):
            return e.status
        if e.pending_review and can_see_status(info.context.user, e):
            return "PENDING_REVIEW"
        return "VISIBLE"


EndorsementConnection = EndorsementType._meta.connection


class EndorsementRequestType(DjangoObjectType):
    """A request for an endorsement, seen by its requester and its recipient only."""

    class Meta:
        model = EndorsementRequest
        name = "EndorsementRequest"
        fields = ("id", "message", "created_at", "responded_at", "expires_at")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    requester = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    recipient = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    skill = graphene.Field(graphene.NonNull("skills.schema.SkillType"))
    relationship = graphene.Field(
        graphene.NonNull(RelationshipEnum), description="What the recipient was to the requester."
    )
    message = graphene.String(required=True)
    status = graphene.Field(
        graphene.NonNull(RequestStatusEnum), description="A pending request past expiresAt reads EXPIRED."
    )
    created_at = graphene.DateTime(required=True)
    endorsement = graphene.Field(EndorsementType, description="The endorsement an accepted request created.")

    @classmethod
    def get_queryset(cls, queryset: QuerySet[EndorsementRequest], info: Any) -> QuerySet[EndorsementRequest]:
        return visible_requests(info.context.user, queryset).select_related(
            "requester__profile", "recipient__profile", "skill"
        )

    @staticmethod
    def resolve_status(r: EndorsementRequest, info: Any) -> str:
        # str(): a status just assigned in memory is a Django enum member, not the plain value.
        return str(r.effective_status)

    @staticmethod
    def resolve_relationship(r: EndorsementRequest, info: Any) -> str:
        return str(r.relationship)

    @staticmethod
    def resolve_endorsement(r: EndorsementRequest, info: Any) -> Endorsement | None:
        e = r.endorsement if r.endorsement_id else None
        # A hidden endorsement is the endorsed member's (the requester's) business only; one waiting for
        # their review is also shown (as pending) to its endorser.
        pending_for_endorser = e is not None and e.pending_review and can_see_status(info.context.user, e)
        if e is not None and e.hidden and not is_owner(info, e.member_id) and not pending_for_endorser:
            return None
        return e
