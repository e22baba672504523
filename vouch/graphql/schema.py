"""The root schema: per-app query and mutation pieces composed into one."""

from __future__ import annotations

import graphene
from graphene import relay

from profiles.schema import MemberMutations, MemberQueries
from skills.schema import SkillMutations, SkillQueries


class Query(MemberQueries, SkillQueries, graphene.ObjectType):
    node = relay.Node.Field()


class Mutation(MemberMutations, SkillMutations, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)
