"""GraphQL: skills, a member's listed skills, and the mutations on them."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Prefetch, QuerySet
from graphene import relay
from graphene_django import DjangoObjectType

from skills import services
from skills.models import MemberSkill, Skill
from vouch.errors import Code
from vouch.graphql.ids import decode_id
from vouch.graphql.mutations import VouchMutation
from vouch.graphql.selection import below, wants


class SkillType(DjangoObjectType):
    class Meta:
        model = Skill
        name = "Skill"
        fields = ("id", "name", "slug")
        interfaces = (relay.Node,)

    aliases = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_aliases(skill: Skill, info: Any) -> list[str]:
        return [a.key for a in skill.aliases.all()]


class MemberSkillType(DjangoObjectType):
    """A skill as one member lists it. `score` and `endorsementCount` count only what the public sees."""

    class Meta:
        model = MemberSkill
        name = "MemberSkill"
        fields = ("id", "skill", "position", "score", "endorsement_count", "endorsements_enabled", "created_at")
        interfaces = (relay.Node,)

    skill = graphene.Field(graphene.NonNull(SkillType))
    position = graphene.Int(required=True)
    score = graphene.Float(required=True)
    endorsement_count = graphene.Int(required=True)
    endorsements_enabled = graphene.Boolean(required=True)
    member = graphene.Field(graphene.NonNull("profiles.schema.MemberType"))
    badges = graphene.List(
        graphene.NonNull("badges.schema.BadgeType"),
        required=True,
        description="Badges attached to this skill: all of them to the owner, verified public ones to anyone else.",
    )

    rank = graphene.Int(
        required=True,
        description="Place among every active member listing this skill, by score "
        "(1 = highest; the order of members(skill:)).",
    )
    rank_total = graphene.Int(required=True, description="How many active members list this skill.")
    rank_text = graphene.String(
        required=True, description='Where the member stands, in words: "2nd of 19 with Python".'
    )

    # Endorsements (endorsements/schema/pagination.py serves these from the prefetch member_skill_queryset sets up).
    endorsements = relay.ConnectionField(
        "endorsements.schema.EndorsementConnection",
        required=True,
        description="Most weighty first. Hidden endorsements only to the endorsed member (marked hidden).",
    )
    top_endorsements = graphene.List(
        graphene.NonNull("endorsements.schema.EndorsementType"),
        required=True,
        limit=graphene.Int(default_value=3, description="At most 10."),
        description="The most weighty visible endorsements.",
    )
    top_endorsers = graphene.List(
        graphene.NonNull("profiles.schema.MemberType"),
        required=True,
        limit=graphene.Int(default_value=3, description="At most 10."),
        description="Who gave the most weighty visible endorsements, most weighty first.",
    )

    @staticmethod
    def _rank(ms: MemberSkill, info: Any) -> tuple[int, int]:
        """One query for all of the member's listings, cached for the request (skills/ranking.py)."""
        from skills.ranking import ranks_for_member

        attached = getattr(ms, "_vouch_rank", None)  # member_skill_queryset's batch (skills.ranking.attach_ranks)
        if attached is not None:
            return attached
        cache = info.context.__dict__.setdefault("_vouch_ranks", {})
        if ms.pk not in cache:
            cache.update(ranks_for_member(ms.member_id, info.context.__dict__.setdefault("_vouch_rank_names", {})))
        return cache.get(ms.pk, (1, 1))

    @staticmethod
    def resolve_rank(ms: MemberSkill, info: Any) -> int:
        return MemberSkillType._rank(ms, info)[0]

    @staticmethod
    def resolve_rank_total(ms: MemberSkill, info: Any) -> int:
        return MemberSkillType._rank(ms, info)[1]

    @staticmethod
    def resolve_rank_text(ms: MemberSkill, info: Any) -> str:
        from skills.ranking import rank_text

        rank, total = MemberSkillType._rank(ms, info)
        name = getattr(ms, "_vouch_rank_name", None) or info.context.__dict__.get("_vouch_rank_names", {}).get(ms.pk)
        return rank_text(rank, total, name if name is not None else ms.skill.name)

    @staticmethod
    def resolve_endorsements(ms: MemberSkill, info: Any, **args: Any) -> Any:
        from endorsements.schema import resolve_member_skill_endorsements

        return resolve_member_skill_endorsements(ms, info, **args)

    @staticmethod
    def resolve_top_endorsements(ms: MemberSkill, info: Any, limit: int = 3) -> Any:
        from endorsements.schema import resolve_top_endorsements

        return resolve_top_endorsements(ms, info, limit)

    @staticmethod
    def resolve_top_endorsers(ms: MemberSkill, info: Any, limit: int = 3) -> Any:
        from endorsements.schema import resolve_top_endorsements

        return [e.endorser for e in resolve_top_endorsements(ms, info, limit)]

    @classmethod
    def get_queryset(cls, queryset: QuerySet[MemberSkill], info: Any) -> QuerySet[MemberSkill]:
        from profiles.permissions import visible_members

        return queryset.filter(member__in=visible_members(info.context.user)).select_related("skill", "member__profile")

    @staticmethod
    def resolve_member(ms: MemberSkill, info: Any) -> Any:
        return ms.member

    @staticmethod
    def resolve_badges(ms: MemberSkill, info: Any) -> Any:
        listed = getattr(ms, "listed_badges", None)
        if listed is not None:
            return listed
        # Not prefetched (reached through another object): one query.
        from badges.selectors import listed_badges
        from vouch.graphql.selection import selected_paths

        return listed_badges(info.context.user, selected_paths(info), evidence_only=True).filter(member_skill=ms)


def member_skill_queryset(viewer: Any, paths: frozenset[str]) -> QuerySet[MemberSkill]:
    """A member's skills in their order, with what the selection below `skills` needs.

    `paths` are the selected paths below a `skills` field (e.g. {"skill", "skill.name"}).
    """
    qs = MemberSkill.objects.order_by("position", "id")
    if wants(paths, "skill"):
        qs = qs.select_related("skill")
        if wants(below(paths, "skill"), "aliases"):
            qs = qs.prefetch_related("skill__aliases")
    if wants(paths, "badges"):
        from badges.selectors import badges_prefetch

        # Proof under a skill: evidence only (a self-issued issuer's badge is shown on the member, not here).
        qs = qs.prefetch_related(badges_prefetch(viewer, below(paths, "badges"), evidence_only=True))
    # The top endorsements of every listing in one query, when the selection reaches them.
    from endorsements.schema import prefetch_for_member_skills

    qs = prefetch_for_member_skills(qs, viewer, paths)
    if wants(paths, "rank") or wants(paths, "rankTotal") or wants(paths, "rankText"):
        # Every listing fetched (one member's, or every member's of a page) ranked in one query.
        from skills.ranking import attach_ranks
        from vouch.querysets import after_fetch

        qs = after_fetch(qs, attach_ranks)
    return qs


def member_skills_prefetch(viewer: Any, paths: frozenset[str]) -> Prefetch:
    return Prefetch("member_skills", queryset=member_skill_queryset(viewer, paths), to_attr="listed_skills")


class SkillQueries(graphene.ObjectType):
    skills = graphene.List(
        graphene.NonNull(SkillType),
        required=True,
        search=graphene.String(required=True),
        first=graphene.Int(default_value=10, description="At most 50."),
        description="Autocomplete: case-insensitive prefix match on skill names and aliases.",
    )
    skill = graphene.Field(SkillType, slug=graphene.String(required=True))
    similar_skills = graphene.List(
        graphene.NonNull(SkillType),
        required=True,
        name=graphene.String(required=True),
        first=graphene.Int(default_value=5, description="At most 20."),
        description='"Did you mean": the skills closest to a spelling (typo-tolerant, by trigram similarity).',
    )

    @staticmethod
    def resolve_skills(root: Any, info: Any, search: str, first: int = 10) -> Any:
        qs = services.search_skills(search, first=first)
        if wants(_paths(info), "aliases"):
            qs = qs.prefetch_related("aliases")
        return qs

    @staticmethod
    def resolve_similar_skills(root: Any, info: Any, name: str, first: int = 5) -> list[Skill]:
        return services.similar_skills(name, first=first)

    @staticmethod
    def resolve_skill(root: Any, info: Any, slug: str) -> Skill | None:
        return Skill.objects.filter(slug=slug).first()


def _paths(info: Any) -> frozenset[str]:
    from vouch.graphql.selection import selected_paths

    return selected_paths(info)


class AddSkill(VouchMutation):
    class Input:
        name = graphene.String(required=True, description="Any spelling: 'python', 'Python ', 'PYTHON' are one skill.")

    member_skill = graphene.Field(MemberSkillType)

    @classmethod
    def perform(cls, info: Any, actor: Any, name: str, **_: Any) -> AddSkill:
        return cls(member_skill=services.add_skill(actor, name=name))


class RemoveSkill(VouchMutation):
    class Input:
        member_skill_id = graphene.ID(required=True)

    member = graphene.Field("profiles.schema.MemberType")
    removed_member_skill_id = graphene.ID()

    @classmethod
    def perform(cls, info: Any, actor: Any, member_skill_id: str, **_: Any) -> RemoveSkill:
        pk = decode_id(member_skill_id, "MemberSkill", field="memberSkillId")
        services.remove_skill(actor, member_skill_id=pk)
        return cls(member=actor, removed_member_skill_id=member_skill_id)


class ReorderSkills(VouchMutation):
    class Input:
        member_skill_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)

    member = graphene.Field("profiles.schema.MemberType")

    @classmethod
    def perform(cls, info: Any, actor: Any, member_skill_ids: list[str], **_: Any) -> ReorderSkills:
        if len(member_skill_ids) > 200:
            from django.core.exceptions import ValidationError

            raise ValidationError({"memberSkillIds": ValidationError("Too many ids.", code=Code.TOO_MANY_IDS)})
        pks = [decode_id(gid, "MemberSkill", field="memberSkillIds") for gid in member_skill_ids]
        services.reorder_skills(actor, member_skill_ids=pks)
        return cls(member=actor)


class SetSkillEndorsementsEnabled(VouchMutation):
    """Turn endorsements for one of your skills off (or on again)."""

    class Input:
        member_skill_id = graphene.ID(required=True)
        enabled = graphene.Boolean(required=True)

    member_skill = graphene.Field(MemberSkillType)

    @classmethod
    def perform(
        cls, info: Any, actor: Any, member_skill_id: str, enabled: bool, **_: Any
    ) -> SetSkillEndorsementsEnabled:
        pk = decode_id(member_skill_id, "MemberSkill", field="memberSkillId")
        return cls(member_skill=services.set_endorsements_enabled(actor, member_skill_id=pk, enabled=enabled))


class SkillMutations(graphene.ObjectType):
    add_skill = AddSkill.Field()
    remove_skill = RemoveSkill.Field()
    reorder_skills = ReorderSkills.Field()
    set_skill_endorsements_enabled = SetSkillEndorsementsEnabled.Field()
