"""GraphQL for badges (queries and mutations composed in vouch/graphql/schema.py)."""

from __future__ import annotations

import graphene


class BadgeQueries(graphene.ObjectType):
    pass


class BadgeMutations(graphene.ObjectType):
    pass
