"""GraphQL: members and their profiles."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphene_file_upload.scalars import Upload

from profiles import services
from profiles.actors import is_signed_in
from profiles.models import Seniority, User, Visibility
from profiles.permissions import can_view_member, visible_members
from skills.schema import MemberSkillType, member_skills_prefetch
from vouch.graphql.connections import CountableConnection
from vouch.graphql.mutations import VouchMutation
from vouch.graphql.selection import below, selected_paths, wants

SeniorityEnum = graphene.Enum("Seniority", [(v, v) for v in Seniority.values], description="The seniority ladder.")
VisibilityEnum = graphene.Enum(
    "ProfileVisibility",
    [(v, v) for v in Visibility.values],
    description="Who may see a profile: anyone, or signed-in members.",
)


REVIEW_QUEUE_MAX = 100


class EndorsementSettingsType(graphene.ObjectType):
    """Your endorsement controls (updateEndorsementSettings)."""

    class Meta:
        name = "EndorsementSettings"

    who_may_endorse = graphene.Field(graphene.NonNull("endorsements.schema.mutations.EndorsementPolicyEnum"))
    review_before_showing = graphene.Boolean(
        required=True, description="New endorsements wait (status PENDING_REVIEW) until you show or hide them."
    )

    @staticmethod
    def resolve_who_may_endorse(profile: Any, info: Any) -> str:
        return str(profile.who_may_endorse)


class EndorseEligibilityType(graphene.ObjectType):
    """Whether you may endorse this member at all, and if not why: the refusal `endorse` would give, said before
    you try. Per skill, `endorse` may still refuse (ALREADY_ENDORSED, ENDORSEMENTS_OFF, …)."""

    class Meta:
        name = "EndorseEligibility"

    allowed = graphene.Boolean(required=True)
    code = graphene.String(description="SELF_ENDORSEMENT, BLOCKED or ENDORSEMENT_NOT_ALLOWED; null when allowed.")
    message = graphene.String(description="Why not, for people; null when allowed.")


class AskSuggestionType(graphene.ObjectType):
    """Someone the member could ask for an endorsement (endorsements.suggestions, docs/endorsements.md)."""

    class Meta:
        name = "AskSuggestion"

    member = graphene.Field(graphene.NonNull(lambda: MemberType))
    reasons = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Why, most telling first: SAME_ORGANISATION, ENDORSES_YOU, STRONG_IN_SKILL.",
    )
    text = graphene.String(required=True, description='The reasons in words: "Works at Northwind Labs too".')


class MemberType(DjangoObjectType):
    """A member's public profile. Private data (e-mail addresses) is never exposed here."""

    class Meta:
        model = User
        name = "Member"
        fields = ("id", "username")
        interfaces = (relay.Node,)
        connection_class = CountableConnection

    username = graphene.String(required=True)
    display_name = graphene.String(required=True)
    headline = graphene.String(required=True)
    seniority = graphene.Field(SeniorityEnum, required=True)
    organisation = graphene.String(required=True)
    title = graphene.String(required=True)
    visibility = graphene.Field(VisibilityEnum, description="Only to the member themselves; null for anyone else.")
    avatar_url = graphene.String(description="256x256 JPEG, or null.")
    avatar_small_url = graphene.String(description="64x64 JPEG, or null.")
    member_since = graphene.DateTime(required=True)
    seniority_confirmed = graphene.Boolean(
        required=True,
        description="The declared seniority is confirmed by an admin of the member's verified organisation (or staff).",
    )
    verified_workplace = graphene.String(
        description="The verified organisation the member works at (a verified e-mail address at one of its "
        "domains), e.g. 'Northwind Labs'; null when none. The address itself is never shown."
    )
    skills = graphene.List(graphene.NonNull(MemberSkillType), required=True, description="In the member's own order.")
    endorsement_settings = graphene.Field(
        EndorsementSettingsType, description="Only to the member themselves; null for anyone else."
    )
    endorsements_awaiting_review = graphene.List(
        graphene.NonNull("endorsements.schema.EndorsementType"),
        first=graphene.Int(default_value=50, description=f"At most {REVIEW_QUEUE_MAX}."),
        description="Only to the member themselves (null for anyone else): new endorsements waiting for their "
        "review, oldest first. Show with approveEndorsement, hide with setEndorsementHidden.",
    )
    viewer_may_endorse = graphene.Field(
        EndorseEligibilityType,
        description="Whether the signed-in viewer may endorse this member (block, the member's whoMayEndorse); "
        "null for anonymous viewers. A few queries per member: ask it of one member, not of a search page.",
    )
    whom_to_ask = graphene.List(
        graphene.NonNull(AskSuggestionType),
        required=True,
        skill=graphene.String(description="One of the member's listed skills (by name); omitted: their first."),
        first=graphene.Int(default_value=6, description="At most 20."),
        description="Whom the member could ask to endorse a skill: colleagues at their verified organisation, "
        "members who endorse them already, members strong in the skill; never blocked members or those who "
        "endorsed or were asked for it already. Only for the member themselves (empty for anyone else).",
    )
    suggested_skills = graphene.List(
        graphene.NonNull("skills.schema.SkillType"),
        required=True,
        description="Skills to strengthen (docs/insights.md): in demand, co-listed by others with this member's "
        "skills, where their own score is weak; at most 5. Only for the member themselves (empty for anyone else).",
    )
    badges = graphene.List(
        graphene.NonNull("badges.schema.BadgeType"),
        required=True,
        description="Every badge to its owner; to anyone else only verified, public, unexpired ones.",
    )

    @classmethod
    def get_queryset(cls, queryset: QuerySet[User], info: Any) -> QuerySet[User]:
        return visible_members(info.context.user, queryset).select_related("profile")

    @staticmethod
    def resolve_display_name(user: User, info: Any) -> str:
        return user.profile.display_name or user.username

    @staticmethod
    def resolve_headline(user: User, info: Any) -> str:
        return user.profile.headline

    @staticmethod
    def resolve_seniority(user: User, info: Any) -> str:
        return user.profile.seniority

    @staticmethod
    def resolve_organisation(user: User, info: Any) -> str:
        return user.profile.organisation

    @staticmethod
    def resolve_title(user: User, info: Any) -> str:
        return user.profile.title

    @staticmethod
    def resolve_verified_workplace(user: User, info: Any) -> str | None:
        from profiles.workplaces import workplace_of

        cache = info.context.__dict__.setdefault("_vouch_workplaces", {})
        if user.pk not in cache:
            org = workplace_of(user)  # attached for a whole list by prefetch_members
            cache[user.pk] = org.name if org is not None else None
        return cache[user.pk]

    @staticmethod
    def resolve_endorsement_settings(user: User, info: Any) -> Any:
        return user.profile if info.context.user.pk == user.pk else None

    @staticmethod
    def resolve_endorsements_awaiting_review(user: User, info: Any, first: int = 50) -> Any:
        from endorsements.selectors import awaiting_review

        if info.context.user.pk != user.pk:
            return None
        return list(awaiting_review(user)[: max(0, min(first, REVIEW_QUEUE_MAX))])

    @staticmethod
    def resolve_viewer_may_endorse(user: User, info: Any) -> Any:
        from endorsements.policy import endorse_refusal

        viewer = info.context.user
        if not is_signed_in(viewer):
            return None
        refusal = endorse_refusal(viewer, user)
        if refusal is None:
            return EndorseEligibilityType(allowed=True)
        return EndorseEligibilityType(allowed=False, code=refusal.code, message=refusal.message)

    @staticmethod
    def resolve_visibility(user: User, info: Any) -> str | None:
        return user.profile.visibility if info.context.user.pk == user.pk else None

    @staticmethod
    def resolve_avatar_url(user: User, info: Any) -> str | None:
        avatar = user.profile.avatar
        return info.context.build_absolute_uri(avatar.url) if avatar else None

    @staticmethod
    def resolve_avatar_small_url(user: User, info: Any) -> str | None:
        avatar = user.profile.avatar_small
        return info.context.build_absolute_uri(avatar.url) if avatar else None

    @staticmethod
    def resolve_seniority_confirmed(user: User, info: Any) -> bool:
        return bool(user.profile.seniority_confirmed) and user.profile.seniority_confirmed == user.profile.seniority

    @staticmethod
    def resolve_member_since(user: User, info: Any) -> Any:
        return user.date_joined

    @staticmethod
    def resolve_skills(user: User, info: Any) -> Any:
        listed = getattr(user, "listed_skills", None)
        if listed is not None:
            return listed
        # Not prefetched by the root resolver (e.g. reached through another object): one query.
        from skills.schema import member_skill_queryset

        return member_skill_queryset(info.context.user, selected_paths(info)).filter(member=user)

    @staticmethod
    def resolve_whom_to_ask(user: User, info: Any, skill: str | None = None, first: int = 6) -> list[Any]:
        viewer = info.context.user
        if not (is_signed_in(viewer) and viewer.pk == user.pk):
            return []  # the member's own
        from endorsements.suggestions import whom_to_ask
        from skills.models import MemberSkill

        listings = MemberSkill.objects.filter(member=user).select_related("skill").order_by("position", "id")
        if skill:
            listings = listings.filter(skill__name__iexact=skill[:100])
        listing = listings.first()
        return whom_to_ask(user, listing.skill, limit=first) if listing is not None else []

    @staticmethod
    def resolve_suggested_skills(user: User, info: Any) -> list[Any]:
        viewer = info.context.user
        if not (is_signed_in(viewer) and viewer.pk == user.pk):
            return []  # the member's own: nobody else learns where they are weak
        from insights.selectors import skills_to_strengthen

        return [s.skill for s in skills_to_strengthen(user)]

    @staticmethod
    def resolve_badges(user: User, info: Any) -> Any:
        listed = getattr(user, "listed_badges", None)
        if listed is not None:
            return listed
        # Not prefetched by the root resolver (e.g. reached through another object): one query.
        from badges.selectors import listed_badges

        return listed_badges(info.context.user, selected_paths(info)).filter(owner=user)


def prefetch_members(qs: QuerySet[User], viewer: Any, paths: frozenset[str]) -> QuerySet[User]:
    """Apply what the selection under a member needs, so nothing is fetched per row."""
    qs = qs.select_related("profile")
    if wants(paths, "skills"):
        qs = qs.prefetch_related(member_skills_prefetch(viewer, below(paths, "skills")))
    if wants(paths, "badges"):
        from badges.selectors import badges_prefetch

        qs = qs.prefetch_related(badges_prefetch(viewer, below(paths, "badges")))
    if wants(paths, "verifiedWorkplace"):
        # Every member fetched (a page of members(skill:), search results) in two queries, not two per member.
        from profiles.workplaces import attach_workplaces
        from vouch.querysets import after_fetch

        qs = after_fetch(qs, attach_workplaces)
    return qs


def get_visible_member(viewer: Any, username: str, paths: frozenset[str] = frozenset()) -> User | None:
    qs = prefetch_members(visible_members(viewer), viewer, paths)
    return qs.filter(username=username.strip().lower()).first()


class MemberQueries(graphene.ObjectType):
    me = graphene.Field(MemberType, description="The signed-in member, or null.")
    member = graphene.Field(MemberType, username=graphene.String(required=True))
    members = DjangoConnectionField(
        MemberType,
        required=True,
        skill=graphene.String(description="Only members listing this skill (any spelling), highest score first."),
        search=graphene.String(description="Matches username, display name, headline, organisation and title."),
    )
    blocked_members = graphene.List(
        graphene.NonNull(MemberType),
        required=True,
        description="Members you blocked (they cannot endorse you or ask you), most recent first. Signed-in only.",
    )

    @staticmethod
    def resolve_blocked_members(root: Any, info: Any) -> Any:
        from vouch.graphql.mutations import require_user

        viewer = require_user(info)
        qs = User.objects.filter(blocked_by__blocker=viewer).order_by("-blocked_by__created_at", "-blocked_by__id")
        return prefetch_members(qs, viewer, selected_paths(info))

    @staticmethod
    def resolve_me(root: Any, info: Any) -> User | None:
        user = info.context.user
        if not is_signed_in(user):
            return None
        return get_visible_member(user, user.username, selected_paths(info))

    @staticmethod
    def resolve_member(root: Any, info: Any, username: str) -> User | None:
        if len(username) > 64:
            return None
        return get_visible_member(info.context.user, username, selected_paths(info))

    @staticmethod
    def resolve_members(root: Any, info: Any, skill: str | None = None, search: str | None = None, **_: Any) -> Any:
        from profiles.selectors import search_members

        viewer = info.context.user
        found = None
        if skill:
            from insights.services import record_search
            from skills.services import find_skill

            found = find_skill(skill[:100]) if skill.strip() else None
            record_search(info.context, found)
            # An anonymous answer served from the cache later records the search too (vouch/graphql/view.py).
            info.context.vouch_searched_skill_id = found.pk if found is not None else None
        qs = search_members(viewer, skill=found if found is not None else skill, search=search)
        return prefetch_members(qs, viewer, below(selected_paths(info), "edges.node"))


class UpdateProfile(VouchMutation):
    class Input:
        display_name = graphene.String()
        headline = graphene.String()
        seniority = SeniorityEnum()
        organisation = graphene.String()
        title = graphene.String()
        visibility = VisibilityEnum()
        avatar = Upload(description="PNG, JPEG or WebP, at most 5 MB; stored as square JPEG thumbnails without EXIF.")
        remove_avatar = graphene.Boolean()

    member = graphene.Field(MemberType)

    @classmethod
    def perform(cls, info: Any, actor: User, **data: Any) -> UpdateProfile:
        data.pop("client_mutation_id", None)
        for key in ("seniority", "visibility"):
            if data.get(key) is not None:
                data[key] = getattr(data[key], "value", data[key])
        services.update_profile(actor, **data)
        return cls(member=get_visible_member(actor, actor.username, frozenset({"skills", "skills.skill"})))


class _MemberTarget(VouchMutation):
    class Meta:
        abstract = True

    @staticmethod
    def target(actor: User, username: str) -> User:
        member = User.objects.select_related("profile").filter(username=(username or "").strip().lower()).first()
        if member is None or not can_view_member(actor, member):
            from vouch.errors import not_found

            raise not_found("member", "member")
        return member


class BlockMember(_MemberTarget):
    """Stop a member from endorsing you or asking you for endorsements."""

    class Input:
        member = graphene.String(required=True, description="Username.")

    member = graphene.Field(MemberType)

    @classmethod
    def perform(cls, info: Any, actor: User, member: str, **_: Any) -> BlockMember:
        target = cls.target(actor, member)
        services.block_member(actor, member=target)
        return cls(member=target)


class UnblockMember(_MemberTarget):
    class Input:
        member = graphene.String(required=True, description="Username.")

    member = graphene.Field(MemberType)

    @classmethod
    def perform(cls, info: Any, actor: User, member: str, **_: Any) -> UnblockMember:
        target = cls.target(actor, member)
        services.unblock_member(actor, member=target)
        return cls(member=target)


class ConfirmSeniority(_MemberTarget):
    """As an admin of the member's verified organisation (or instance staff): confirm the seniority they declare
    (or the level given), so it counts in full in the endorsements they give. NOT_FOUND for anyone else."""

    class Input:
        member = graphene.String(required=True, description="Username.")
        seniority = SeniorityEnum(description="The level you confirm; the member's declared one when omitted.")

    member = graphene.Field(MemberType)

    @classmethod
    def perform(cls, info: Any, actor: User, member: str, seniority: Any = None, **_: Any) -> ConfirmSeniority:
        target = cls.target(actor, member)
        level = getattr(seniority, "value", seniority)
        services.confirm_seniority(actor, member=target, seniority=level)
        target.profile.refresh_from_db()
        return cls(member=target)


class DeleteAccount(VouchMutation):
    """Delete your account and everything it holds; the endorsements you gave stop counting everywhere."""

    class Input:
        password = graphene.String(required=True, description="Your current password, to confirm.")

    @classmethod
    def perform(cls, info: Any, actor: User, password: str, **_: Any) -> DeleteAccount:
        from profiles.account import delete_account

        delete_account(actor, password=password)
        return cls()


class MemberMutations(graphene.ObjectType):
    delete_account = DeleteAccount.Field()
    update_profile = UpdateProfile.Field()
    block_member = BlockMember.Field()
    unblock_member = UnblockMember.Field()
    confirm_seniority = ConfirmSeniority.Field()
