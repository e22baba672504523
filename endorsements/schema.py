"""GraphQL for endorsements (queries and mutations composed in vouch/graphql/schema.py)."""

from __future__ import annotations

import graphene


class EndorsementQueries(graphene.ObjectType):
    pass


class EndorsementMutations(graphene.ObjectType):
    pass
