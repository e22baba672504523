"""GraphQL: skillInsights(first:), Member.suggestedSkills (added in profiles.schema) and setProfileViewsCounted.
Thin over insights.selectors / insights.services; every number comes from the rollups, k-suppressed."""

from __future__ import annotations

from typing import Any

import graphene

from insights import selectors, services
from vouch.graphql.mutations import VouchMutation

MAX_INSIGHTS = 50


class BadgeIssuerCount(graphene.ObjectType):
    """An issuer behind at least k verified badges for a skill."""

    name = graphene.String(required=True)
    badges = graphene.Int(required=True)


class SkillInsight(graphene.ObjectType):
    """A skill in demand (at least k over the window; docs/insights.md). Parts under k are null."""

    skill = graphene.Field(graphene.NonNull("skills.schema.SkillType"))
    demand = graphene.Int(
        required=True,
        description="Searches by the skill, views of profiles listing it (each visitor once per skill a day) and "
        "members asking for an endorsement of it, over the last INSIGHTS_WINDOW_DAYS (30) days.",
    )
    strong_supply = graphene.Int(required=True, description="Members whose score in it is at least 25.")
    listing = graphene.Int(required=True, description="Members listing it.")
    verified_badges = graphene.Int(required=True, description="Verified badges members hold for it.")
    scarcity = graphene.Float(required=True, description="demand / (strongSupply + 1): higher is scarcer.")
    searches = graphene.Int(description="Null when fewer than k.")
    views = graphene.Int(description="Null when fewer than k.")
    requests = graphene.Int(description="Null when fewer than k.")
    issuers = graphene.List(
        graphene.NonNull(BadgeIssuerCount),
        required=True,
        description="Who issues the verified badges members hold for it (at most 5; issuers behind fewer than k "
        "badges are left out).",
    )


class InsightsQueries(graphene.ObjectType):
    skill_insights = graphene.List(
        graphene.NonNull(SkillInsight),
        required=True,
        first=graphene.Int(default_value=10, description="At most 50."),
        description="The network's skills in demand, scarcest first (anyone may read it).",
    )

    @staticmethod
    def resolve_skill_insights(root: Any, info: Any, first: int = 10) -> list[selectors.SkillInsight]:
        return selectors.skill_insights(max(0, min(first, MAX_INSIGHTS)))


class SetProfileViewsCounted(VouchMutation):
    """Whether views of your profile count in skill insights (as totals only; default true)."""

    class Input:
        counted = graphene.Boolean(required=True)

    counted = graphene.Boolean()

    @classmethod
    def perform(cls, info: Any, actor: Any, counted: bool, **_: Any) -> SetProfileViewsCounted:
        return cls(counted=services.set_views_counted(actor, counted=counted))


class InsightsMutations(graphene.ObjectType):
    set_profile_views_counted = SetProfileViewsCounted.Field()
