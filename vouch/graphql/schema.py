"""The root schema: per-app query and mutation pieces composed into one."""

from __future__ import annotations

import graphene
from graphene import relay

from backpack.schema import BackpackMutations, BackpackQueries
from badges.schema import BadgeMutations, BadgeQueries
from endorsements.schema import EndorsementMutations, EndorsementQueries
from insights.schema import InsightsMutations, InsightsQueries
from notifications.schema import NotificationMutations, NotificationQueries, NotificationSubscriptions
from profiles.schema import MemberMutations, MemberQueries
from skills.schema import SkillMutations, SkillQueries


# The ignores: these derive from graphene's classes, which are untyped (Any).
class Query(
    MemberQueries,
    SkillQueries,
    EndorsementQueries,
    BadgeQueries,
    BackpackQueries,
    NotificationQueries,
    InsightsQueries,
    graphene.ObjectType,  # type: ignore[misc]
):
    node = relay.Node.Field()


class Mutation(
    MemberMutations,
    SkillMutations,
    EndorsementMutations,
    BadgeMutations,
    BackpackMutations,
    NotificationMutations,
    InsightsMutations,
    graphene.ObjectType,  # type: ignore[misc]
):
    pass


class Subscription(NotificationSubscriptions, graphene.ObjectType):  # type: ignore[misc]
    """Served over the graphql-transport-ws protocol at /graphql/ws/ (notifications/graphql_ws.py)."""


schema = graphene.Schema(query=Query, mutation=Mutation, subscription=Subscription)
