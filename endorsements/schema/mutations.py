"""Endorsement mutations: thin wrappers over endorsements.services (rules live there)."""

from __future__ import annotations

from typing import Any

import graphene

from endorsements import policy, services
from endorsements.models import Endorsement
from endorsements.schema.types import EndorsementRequestType, EndorsementType, RelationshipEnum
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation

RELATIONSHIP_NOTICE = (
    "Set when the relationship you named differs from the one your endorsements of this member already give: "
    "one relationship per endorser and member, so the earlier one was kept (this says which)."
)

EndorsementPolicyEnum = graphene.Enum(
    "EndorsementPolicy",
    [("ANYONE", "ANYONE"), ("ORGANISATION_AND_ASKED", "ORGANISATION_AND_ASKED"), ("ONLY_ASKED", "ONLY_ASKED")],
    description="Who may endorse a member: ANYONE signed in; ORGANISATION_AND_ASKED, members of their verified "
    "organisation and people they asked (an open or answered request from them); ONLY_ASKED, only people they "
    "asked. Someone asked can always answer the request.",
)


def _notice(member: Any, named: Any, endorsement_or_request: Any) -> str | None:
    named = str(getattr(named, "value", named))
    kept = str(endorsement_or_request.relationship)
    return policy.relationship_notice(member, named, kept) if kept != named else None


def _member_skill(endorsement: Endorsement) -> Any:
    from skills.models import MemberSkill

    return MemberSkill.objects.select_related("skill").filter(pk=endorsement.member_skill_id).first()


class RequestEndorsement(VouchMutation):
    """Ask a member to endorse one of your listed skills."""

    class Input:
        recipient = graphene.String(required=True, description="Username of the member you ask.")
        skill = graphene.String(required=True, description="One of your listed skills (any spelling).")
        relationship = RelationshipEnum(required=True, description="What the recipient was to you.")
        message = graphene.String(description="At most 500 characters.")

    endorsement_request = graphene.Field(EndorsementRequestType)
    relationship_notice = graphene.String(description=RELATIONSHIP_NOTICE)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, recipient: str, skill: str, relationship: Any, message: str | None = None, **_: Any
    ) -> RequestEndorsement:
        request = services.request_endorsement(
            actor, recipient=recipient, skill=skill, relationship=relationship, message=message or ""
        )
        # Asking names what the recipient was to you: kept as their endorsements of you already say.
        return cls(endorsement_request=request, relationship_notice=_notice(request.recipient, relationship, request))


class RespondToEndorsementRequest(VouchMutation):
    """Accept (endorsing, with an optional comment) or decline a request you received."""

    class Input:
        request_id = graphene.ID(required=True)
        accept = graphene.Boolean(required=True)
        comment = graphene.String(description="Kept with the endorsement when accepting (at most 1000 characters).")

    endorsement_request = graphene.Field(EndorsementRequestType)
    endorsement = graphene.Field(EndorsementType)
    relationship_notice = graphene.String(description=RELATIONSHIP_NOTICE)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, request_id: str, accept: bool, comment: str | None = None, **_: Any
    ) -> RespondToEndorsementRequest:
        pk = decode_id(request_id, "EndorsementRequest", field="requestId")
        request = services.respond_to_endorsement_request(actor, request_id=pk, accept=accept, comment=comment or "")
        endorsement = request.endorsement if accept else None
        notice = _notice(request.requester, request.relationship, endorsement) if endorsement is not None else None
        return cls(endorsement_request=request, endorsement=endorsement, relationship_notice=notice)


class CancelEndorsementRequest(VouchMutation):
    class Input:
        request_id = graphene.ID(required=True)

    endorsement_request = graphene.Field(EndorsementRequestType)

    @classmethod
    def perform(cls, info: Any, actor: Any, request_id: str, **_: Any) -> CancelEndorsementRequest:
        pk = decode_id(request_id, "EndorsementRequest", field="requestId")
        return cls(endorsement_request=services.cancel_endorsement_request(actor, request_id=pk))


class Endorse(VouchMutation):
    """Endorse a member for one of their listed skills."""

    class Input:
        member = graphene.String(required=True, description="Username of the member you endorse.")
        skill = graphene.String(required=True, description="One of their listed skills (any spelling).")
        relationship = RelationshipEnum(required=True, description="What you were to them.")
        comment = graphene.String(description="At most 1000 characters.")

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")
    relationship_notice = graphene.String(description=RELATIONSHIP_NOTICE)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, member: str, skill: str, relationship: Any, comment: str | None = None, **_: Any
    ) -> Endorse:
        endorsement = services.endorse(
            actor, member=member, skill=skill, relationship=relationship, comment=comment or ""
        )
        return cls(
            endorsement=endorsement,
            # The listing the service locked, read and re-scored in its transaction: as committed.
            member_skill=endorsement.member_skill,
            relationship_notice=_notice(endorsement.member, relationship, endorsement),
        )


class WithdrawEndorsement(VouchMutation):
    """Take back an endorsement you gave. Nobody is notified."""

    class Input:
        endorsement_id = graphene.ID(required=True)

    withdrawn_endorsement_id = graphene.ID()
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, **_: Any) -> WithdrawEndorsement:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        withdrawn = services.withdraw_endorsement(actor, endorsement_id=pk)
        return cls(withdrawn_endorsement_id=endorsement_id, member_skill=_member_skill(withdrawn))


class SetEndorsementHidden(VouchMutation):
    """Hide an endorsement you received from everyone else (or show it again). The endorser is not told."""

    class Input:
        endorsement_id = graphene.ID(required=True)
        hidden = graphene.Boolean(required=True)

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, hidden: bool, **_: Any) -> SetEndorsementHidden:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        endorsement = services.set_endorsement_hidden(actor, endorsement_id=pk, hidden=hidden)
        return cls(endorsement=endorsement, member_skill=_member_skill(endorsement))


class ApproveEndorsement(VouchMutation):
    """Show an endorsement that waits for your review (reviewBeforeShowing): from now on it counts in your score
    and shows on your profile. To hide it instead, setEndorsementHidden(hidden: true). The endorser is not told."""

    class Input:
        endorsement_id = graphene.ID(required=True)

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, **_: Any) -> ApproveEndorsement:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        endorsement = services.approve_endorsement(actor, endorsement_id=pk)
        return cls(endorsement=endorsement, member_skill=_member_skill(endorsement))


class UpdateEndorsementSettings(VouchMutation):
    """Choose who may endorse you, and whether new endorsements wait for your review before they show or count.
    Fields left out stay as they are."""

    class Input:
        who_may_endorse = EndorsementPolicyEnum()
        review_before_showing = graphene.Boolean()

    member = graphene.Field("profiles.schema.MemberType")

    @classmethod
    def perform(
        cls, info: Any, actor: Any, who_may_endorse: Any = None, review_before_showing: bool | None = None, **_: Any
    ) -> UpdateEndorsementSettings:
        policy.update_endorsement_settings(
            actor, who_may_endorse=who_may_endorse, review_before_showing=review_before_showing
        )
        from profiles.schema import get_visible_member

        return cls(member=get_visible_member(actor, actor.username))


class RequestReconfirmation(VouchMutation):
    """Ask the endorser of an endorsement you received whether it still holds ("Still true?"). They get a
    notification and an e-mail with a one-click link. Only for endorsements a year old or more (TOO_RECENT), once
    a month per endorsement (ALREADY_REQUESTED), ten a day (RATE_LIMITED)."""

    class Input:
        endorsement_id = graphene.ID(required=True)

    endorsement = graphene.Field(EndorsementType)

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, **_: Any) -> RequestReconfirmation:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        return cls(endorsement=services.request_reconfirmation(actor, endorsement_id=pk))


class ReconfirmEndorsement(VouchMutation):
    """Re-confirm an endorsement you gave: it is fresh again from now (its full weight back)."""

    class Input:
        endorsement_id = graphene.ID(required=True)

    endorsement = graphene.Field(EndorsementType)
    member_skill = graphene.Field("skills.schema.MemberSkillType", description="The listing, with its new score.")

    @classmethod
    def perform(cls, info: Any, actor: Any, endorsement_id: str, **_: Any) -> ReconfirmEndorsement:
        pk = decode_id(endorsement_id, "Endorsement", field="endorsementId")
        endorsement = services.reconfirm_endorsement(actor, endorsement_id=pk)
        return cls(endorsement=endorsement, member_skill=_member_skill(endorsement))


class EndorsementMutations(graphene.ObjectType):
    approve_endorsement = ApproveEndorsement.Field()
    update_endorsement_settings = UpdateEndorsementSettings.Field()
    request_endorsement = RequestEndorsement.Field()
    respond_to_endorsement_request = RespondToEndorsementRequest.Field()
    cancel_endorsement_request = CancelEndorsementRequest.Field()
    endorse = Endorse.Field()
    withdraw_endorsement = WithdrawEndorsement.Field()
    set_endorsement_hidden = SetEndorsementHidden.Field()
    request_reconfirmation = RequestReconfirmation.Field()
    reconfirm_endorsement = ReconfirmEndorsement.Field()
